/* Text oci-bench reads and writes: command lines split as a shell splits
 * them (NAME=COMMAND of a runtime, --engine-cmd), numbers out of a
 * program's report, sizes in the form sysbench reads. Pure functions (the
 * unit tests check them). */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <stdio.h>
#include <string.h>

static void word_add(char ***argv, size_t *argc, char *w)
{
    *argv = xrealloc(*argv, (*argc + 2) * sizeof(**argv));
    (*argv)[(*argc)++] = w;
    (*argv)[*argc] = NULL;
}

/* One word starting at *s; advances *s. Quotes: '...' literal, "..." with
 * backslash escapes of " \ $ `; a backslash outside quotes escapes the next
 * character. */
static int next_word(const char **s, char **out, struct oci_err *err)
{
    const char *p = *s;
    size_t cap = strlen(p) + 1, n = 0;
    _cleanup_free_ char *w = xmalloc(cap);
    char quote = 0;
    for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
        if (quote == '\'') {
            if (*p == '\'')
                quote = 0;
            else
                w[n++] = *p;
        } else if (*p == '\\' && p[1] && (!quote || strchr("\"\\$`", p[1]))) {
            w[n++] = *++p;
        } else if (quote == '"' && *p == '"') {
            quote = 0;
        } else if (!quote && (*p == '\'' || *p == '"')) {
            quote = *p;
        } else {
            w[n++] = *p;
        }
    }
    if (quote)
        return err_set(err, 0, "unterminated %c quote", quote);
    w[n] = '\0';
    *s = p;
    *out = TAKE_PTR(w);
    return 0;
}

int bench_split_command(const char *s, char ***argv, size_t *argc, struct oci_err *err)
{
    *argv = NULL;
    *argc = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (!*s)
            break;
        char *w = NULL;
        if (next_word(&s, &w, err) < 0)
            break;
        word_add(argv, argc, w);
    }
    if (!err->set && *argc == 0)
        err_set(err, 0, "empty command");
    if (err->set) {
        for (size_t i = 0; i < *argc; i++)
            free((*argv)[i]);
        free(*argv);
        *argv = NULL;
        *argc = 0;
        return -1;
    }
    return 0;
}

/* The number after key (and any spaces or ':') in out. */
bool bench_find_number(const char *out, const char *key, double *v)
{
    const char *p = out ? strstr(out, key) : NULL;
    if (!p)
        return false;
    p += strlen(key);
    while (*p == ' ' || *p == ':' || *p == '\t' || *p == '(')
        p++;
    char *end;
    *v = strtod(p, &end);
    return end != p;
}

/* sizes as sysbench reads them: 1M, 100G, 16K or bytes */
void bench_size_arg(uint64_t bytes, char *buf, size_t size)
{
    static const char units[] = "TGMK";
    for (int i = 0; i < 4; i++) {
        uint64_t unit = 1ULL << (10 * (4 - i));
        if (bytes >= unit && bytes % unit == 0) {
            snprintf(buf, size, "%llu%c", (unsigned long long)(bytes / unit), units[i]);
            return;
        }
    }
    snprintf(buf, size, "%llu", (unsigned long long)bytes);
}
