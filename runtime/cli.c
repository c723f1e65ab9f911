/* Shared command-line helpers: option values, errors, the log sink. */
#include "config.h"
#include "cli.h"
#include "libcontainer/log.h"
#include "libcontainer/trace.h"
#include "libcontainer/util.h"

#include "specs/json_gen.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>

#include "libcontainer/container.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static const char *cur_id;

const char *cli_get(const struct cli_cmd *cmd, const struct cli_args *a, const char *name)
{
    for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
        if (!strcmp(cmd->opts[i].name, name))
            return a->val[i];
    abort(); /* an option the command does not declare */
}

const char **cli_get_all(const struct cli_cmd *cmd, const struct cli_args *a, const char *name,
                         int *n)
{
    for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
        if (!strcmp(cmd->opts[i].name, name)) {
            *n = a->n_all[i];
            return a->all[i];
        }
    abort();
}

bool cli_flag(const struct cli_cmd *cmd, const struct cli_args *a, const char *name)
{
    return cli_get(cmd, a, name) != NULL;
}

void cli_set_id(const char *id)
{
    cur_id = id;
    trace_set_id(id);
}

int cli_match_ids(const char *re, char ***ids)
{
    /* the whole id must match */
    char pat[1100];
    regex_t rx;
    *ids = NULL;
    snprintf(pat, sizeof(pat), "^(%s)$", re);
    if (regcomp(&rx, pat, REG_EXTENDED | REG_NOSUB) != 0)
        return cli_failf("--regex \"%s\": not a valid regular expression", re), -1;
    struct spec_state **list;
    size_t n;
    struct oci_err err = {0};
    if (container_list(G.root, &list, &n, &err) < 0) {
        regfree(&rx);
        return cli_fail(&err), -1;
    }
    int k = 0;
    *ids = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        if (regexec(&rx, list[i]->id, 0, NULL, 0) == 0)
            (*ids)[k++] = strdup(list[i]->id);
        spec_state_free(list[i]);
    }
    free(list);
    regfree(&rx);
    return k;
}

void cli_free_ids(char **ids, int n)
{
    for (int i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static const char *const level_names[] = {"error", "warning", "info", "debug"};

/* runc's log line shapes: logrus text (the message quoted as a JSON
 * string), or {"level","msg","time"} JSON. '\n'-terminated, malloc'd. */
static char *log_line(enum log_level level, const char *msg, const char *ts, size_t *len,
                      char **errmsg)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, JSON_GEN_NEWLINE);
    if (!strcmp(G.log_format, "json")) {
        json_gen_map_open(&j);
        json_gen_kv_str(&j, "level", level_names[level]);
        json_gen_kv_str(&j, "msg", msg);
        json_gen_kv_str(&j, "time", ts);
        json_gen_map_close(&j);
        return json_gen_finish(&j, len, errmsg);
    }
    json_gen_str(&j, msg);
    char *quoted = json_gen_finish(&j, NULL, errmsg), *line = NULL;
    if (!quoted)
        return NULL;
    int n = asprintf(&line, "time=\"%s\" level=%s msg=%s", ts, level_names[level], quoted);
    free(quoted);
    if (n < 0)
        return NULL;
    *len = (size_t)n;
    return line;
}

static void log_to_file(enum log_level level, const char *msg)
{
    if (!G.log_file)
        return;
    if (log_fd < 0)
        log_fd = open(G.log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return;
    char ts[64];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    rfc3339_utc(ts, sizeof(ts), &now);
    char *err = NULL;
    size_t len = 0;
    char *buf = log_line(level, msg, ts, &len, &err);
    if (!buf) {
        /* the line cannot be made: say so where it can be seen */
        fprintf(stderr, "oci-rt: --log %s: %s\n", G.log_file, err ? err : "out of memory");
        free(err);
        return;
    }
    if (write(log_fd, buf, len) < 0) {
        /* nowhere left to report it */
    }
    free(buf);
}

static void sink(enum log_level level, const char *msg)
{
    if (level <= LOG_LVL_WARN || G.debug)
        fprintf(stderr, "oci-rt: %s%s\n", level == LOG_LVL_WARN ? "warning: " : "", msg);
    log_to_file(level, msg);
}

int cli_log_setup(void)
{
    log_set_sink(sink, G.debug ? LOG_LVL_DEBUG : LOG_LVL_WARN);
    /* opened now, as runc does, so that a --log nobody can write to is an
     * error rather than lost messages */
    if (G.log_file) {
        log_fd = open(G.log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (log_fd < 0) {
            int e = errno;
            const char *path = G.log_file;
            G.log_file = NULL; /* the error goes to stderr only */
            struct oci_err err = {0};
            err_set(&err, e, "--log %s", path);
            return cli_fail(&err);
        }
    }
    return 0;
}

void cli_log_close(void)
{
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
}

int cli_fail(const struct oci_err *err)
{
    fprintf(stderr, "oci-rt: %s\n", err->msg);
    log_to_file(LOG_LVL_ERROR, err->msg);
    return 1;
}

int cli_failf(const char *fmt, ...)
{
    struct oci_err err = {0};
    va_list ap;
    va_start(ap, fmt);
    err_setv(&err, 0, fmt, ap);
    va_end(ap);
    return cli_fail(&err);
}

int cli_print_json(char *json, char *msg, const char *fmt, ...)
{
    int rc = 0;
    if (json) {
        fputs(json, stdout);
    } else {
        char what[sizeof(((struct oci_err *)0)->msg)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        rc = cli_failf("%s: %s", what, msg ? msg : "out of memory");
    }
    free(json);
    free(msg);
    return rc;
}

int cli_parse_duration(const char *s, int *ms)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v <= 0)
        return -1;
    double mult = 1000;
    if (!strcmp(end, "ms"))
        mult = 1;
    else if (!strcmp(end, "s") || !*end)
        mult = 1000;
    else if (!strcmp(end, "m"))
        mult = 60000;
    else
        return -1;
    *ms = (int)(v * mult);
    return *ms > 0 ? 0 : -1;
}
