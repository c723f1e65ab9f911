/* Shell completion for bash and zsh, written from the tables that print
 * --help: the commands, each command's options, what an option's value is
 * (a directory, a file, one of the words its help lists) and what the
 * positional arguments of a command's usage are (a container id, offered
 * from `oci-rt [--root DIR] list -q`; a signal; a file; a command).
 * make runs `oci-rt --generate-docs DIR` to write them. */
#include "config.h"
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

enum comp_kind { COMP_NONE, COMP_ID, COMP_FILE, COMP_DIR, COMP_SIGNAL, COMP_COMMAND, COMP_WORDS };

static const char *const kind_names[] = {"none", "id", "file", "dir", "signal", "command", "words"};

/* What an option's value is; *words gets the choices of COMP_WORDS. */
static enum comp_kind value_kind(const struct cli_opt *o, char *words, size_t size)
{
    const char *m = o->arg;
    if (!strcmp(m, "DIR"))
        return COMP_DIR;
    if (!strncmp(m, "FILE", 4) || !strcmp(m, "PATH"))
        return COMP_FILE;
    const char *src = NULL;
    char sep = ' ';
    if (strchr(m, '|') && strspn(m, "abcdefghijklmnopqrstuvwxyz0123456789|") == strlen(m))
        src = m, sep = '|'; /* "true|false|auto" */
    else if (!strcmp(m, "FORMAT") || !strcmp(m, "MODE") || !strcmp(m, "MANAGER") ||
             !strcmp(m, "LEVEL"))
        src = o->help; /* "table (default), json or chrome", "cgroups: soft, full or ignore" */
    if (!src)
        return COMP_NONE;
    if (sep == ' ' && strstr(src, ": "))
        src = strstr(src, ": ") + 2;
    size_t n = 0;
    int depth = 0;
    bool word = false;
    for (const char *p = src; *p && n + 2 < size; p++) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        bool in = depth == 0 && *p != ')' && *p != sep && *p != ',';
        if (in && !isalnum((unsigned char)*p) && *p != '-')
            return COMP_NONE; /* prose, not a list of words */
        if (in)
            words[n++] = *p;
        else if (word)
            words[n++] = ' ';
        word = in;
    }
    while (n && words[n - 1] == ' ')
        n--;
    words[n] = '\0';
    /* "a, b or c": the "or" is not a choice */
    char * or = strstr(words, " or ");
    if (or)
        memmove(or, or +3, strlen(or +3) + 1);
    return *words ? COMP_WORDS : COMP_NONE;
}

static enum comp_kind name_kind(const char *w, size_t len)
{
    static const struct {
        const char *name;
        enum comp_kind kind;
    } names[] = {{"ID", COMP_ID},   {"SIGNAL", COMP_SIGNAL}, {"FILE", COMP_FILE},
                 {"DIR", COMP_DIR}, {"ARGS", COMP_FILE},     {"COMMAND", COMP_COMMAND}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i].name) == len && !strncmp(w, names[i].name, len))
            return names[i].kind;
    return COMP_NONE;
}

struct positionals {
    enum comp_kind kind[8];
    bool optional[8];
    int n;
    enum comp_kind rest; /* the arguments after those: a command's (file) or none */
};

/* The positional arguments of a usage such as "[--all] ID [SIGNAL]" or
 * "[OPTIONS] ID [COMMAND [ARGS...]] | ...": bracketed groups that start
 * with an option are skipped; the first alternative only. */
static void usage_positionals(const char *u, struct positionals *p)
{
    memset(p, 0, sizeof(*p));
    int depth = 0, skip_at = -1;
    while (*u && *u != '\n' && p->n < 8) {
        if (*u == '[') {
            depth++;
            if (skip_at < 0 && (u[1] == '-' || !strncmp(u + 1, "OPTIONS", 7)))
                skip_at = depth;
            u++;
            continue;
        }
        if (*u == ']' || *u == ' ') {
            if (*u == ']' && depth-- == skip_at)
                skip_at = -1;
            u++;
            continue;
        }
        size_t len = strcspn(u, " []\n");
        if (skip_at < 0) {
            if (depth == 0 && len == 1 && *u == '|')
                break;
            size_t name = strcspn(u, ". []\n");
            if (name > 0 && name <= len && strncmp(u, "--", len)) {
                enum comp_kind k = name_kind(u, name);
                p->kind[p->n] = k;
                p->optional[p->n++] = depth > 0;
                if (name < len) /* "ARGS...", "COMMAND...": a command's arguments follow */
                    p->rest = k == COMP_COMMAND ? COMP_FILE : k;
            }
        }
        u += len;
    }
}

/* The positionals of cmd; the ID of a command that takes a bundle is the
 * name of a container it makes, not one to complete. */
static void cmd_positionals(const struct cli_cmd *cmd, struct positionals *p)
{
    usage_positionals(cmd->usage, p);
    for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
        if (!strcmp(o->name, "bundle"))
            for (int i = 0; i < p->n; i++)
                if (p->kind[i] == COMP_ID)
                    p->kind[i] = COMP_NONE;
}

static void signal_words(FILE *f)
{
    for (int s = 1; s < SIGRTMIN; s++)
        if (strcmp(signal_name(s), "?"))
            fprintf(f, "%s%s", s > 1 ? " " : "", signal_name(s));
}

/* ---- bash ---- */

static void bash_values(FILE *f, const char *cmd, const struct cli_opt *o)
{
    for (; o && o->name; o++) {
        if (!o->arg)
            continue;
        char words[256];
        enum comp_kind k = value_kind(o, words, sizeof(words));
        fprintf(f, "    %s:--%s", cmd, o->name);
        if (o->short_name)
            fprintf(f, " | %s:-%c", cmd, o->short_name);
        fprintf(f, ") _oci_rt_kind=%s", kind_names[k]);
        if (k == COMP_WORDS)
            fprintf(f, " _oci_rt_words=\"%s\"", words);
        fputs(" ;;\n", f);
    }
}

static void bash_longs(FILE *f, const struct cli_opt *o)
{
    for (; o && o->name; o++)
        fprintf(f, " --%s", o->name);
}

static const char bash_head[] =
    "# bash completion for oci-rt(8): generated by oci-rt --generate-docs from the\n"
    "# option tables that print --help (do not edit)\n"
    "\n"
    "# _oci_rt_reply KIND [WORDS]: the candidates of the current word $cur\n"
    "_oci_rt_reply() {\n"
    "    case $1 in\n"
    "    id) mapfile -t COMPREPLY < <(compgen -W \"$(\"$_oci_rt_bin\" \"${_oci_rt_root[@]}\" list "
    "-q 2>/dev/null)\" -- \"$cur\") ;;\n"
    "    signal) mapfile -t COMPREPLY < <(compgen -W \"$_oci_rt_signals\" -- \"$cur\") ;;\n"
    "    file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\") "
    ";;\n"
    "    dir) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- \"$cur\") "
    ";;\n"
    "    command) mapfile -t COMPREPLY < <(compgen -c -- \"$cur\") ;;\n"
    "    words) mapfile -t COMPREPLY < <(compgen -W \"$2\" -- \"$cur\") ;;\n"
    "    *) COMPREPLY=() ;;\n"
    "    esac\n"
    "}\n"
    "\n"
    "# _oci_rt_value COMMAND OPTION: sets _oci_rt_kind (and _oci_rt_words) to what\n"
    "# the value of OPTION is; status 1 when OPTION takes none. COMMAND \"\": global.\n"
    "_oci_rt_value() {\n"
    "    case $1:$2 in\n";

/* The scan of the words before the cursor: the command, the positional
 * arguments so far, --root (for the ids); then the candidates. */
static const char bash_main[] =
    "_oci_rt() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
    "    local _oci_rt_bin=${COMP_WORDS[0]} _oci_rt_kind _oci_rt_words _oci_rt_rest=none\n"
    "    local -a _oci_rt_root=() _oci_rt_pos=()\n"
    "    local _oci_rt_stop=0 cmd= w i=1 n=0 rest=0 value=0\n"
    "    # readline splits --opt=value at the '=' (COMP_WORDBREAKS)\n"
    "    if [[ $cur == = ]]; then\n"
    "        cur= value=1\n"
    "    elif ((COMP_CWORD > 2)) && [[ $prev == = ]]; then\n"
    "        prev=${COMP_WORDS[COMP_CWORD - 2]} value=1\n"
    "    fi\n"
    "    while ((i < COMP_CWORD)); do\n"
    "        w=${COMP_WORDS[i]}\n"
    "        if ((rest)) || [[ $w != -* ]]; then\n"
    "            if [[ -z $cmd ]]; then\n"
    "                cmd=$w\n"
    "                _oci_rt_args \"$cmd\"\n"
    "            else\n"
    "                n=$((n + 1))\n"
    "                ((_oci_rt_stop)) && rest=1 # exec: what follows the id is the command\n"
    "            fi\n"
    "        elif [[ $w == -- ]]; then\n"
    "            [[ -n $cmd ]] && rest=1\n"
    "        elif [[ ${COMP_WORDS[i + 1]} == = ]]; then\n"
    "            [[ -z $cmd && $w == --root ]] && _oci_rt_root=(--root \"${COMP_WORDS[i + "
    "2]/#\\~/$HOME}\")\n"
    "            i=$((i + 2))\n"
    "        elif _oci_rt_value \"$cmd\" \"$w\"; then\n"
    "            [[ -z $cmd && $w == --root ]] && _oci_rt_root=(--root \"${COMP_WORDS[i + "
    "1]/#\\~/$HOME}\")\n"
    "            i=$((i + 1))\n"
    "        fi\n"
    "        i=$((i + 1))\n"
    "    done\n"
    "    if ((value || !rest)) && [[ $prev == -* ]] && _oci_rt_value \"$cmd\" \"$prev\"; then\n"
    "        _oci_rt_reply \"$_oci_rt_kind\" \"$_oci_rt_words\"\n"
    "    elif ((value)); then\n"
    "        COMPREPLY=()\n"
    "    elif [[ -z $cmd ]]; then\n"
    "        if [[ $cur == -* ]]; then\n"
    "            _oci_rt_reply words \"$(_oci_rt_opts \"\")\"\n"
    "        else\n"
    "            _oci_rt_reply words \"$_oci_rt_commands\"\n"
    "        fi\n"
    "    elif [[ $cur == -* ]] && ((!rest)); then\n"
    "        _oci_rt_reply words \"$(_oci_rt_opts \"$cmd\")\"\n"
    "    elif ((n < ${#_oci_rt_pos[@]})); then\n"
    "        _oci_rt_reply \"${_oci_rt_pos[n]}\"\n"
    "    else\n"
    "        _oci_rt_reply \"$_oci_rt_rest\"\n"
    "    fi\n"
    "}\n"
    "complete -F _oci_rt oci-rt\n";

static void bash_write(FILE *f)
{
    fputs(bash_head, f);
    bash_values(f, "", cli_global_opts);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        bash_values(f, (*c)->name, (*c)->opts);
    fputs("    *) return 1 ;;\n    esac\n}\n\n", f);

    fputs("# _oci_rt_opts COMMAND: its options (COMMAND \"\": the global ones)\n"
          "_oci_rt_opts() {\n    case $1 in\n    \"\") echo \"",
          f);
    bash_longs(f, cli_global_opts);
    fputs("\" ;;\n", f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
        fprintf(f, "    %s) echo \"", (*c)->name);
        bash_longs(f, (*c)->opts);
        bash_longs(f, cli_help_opts);
        fputs("\" ;;\n", f);
    }
    fputs("    esac\n}\n\n", f);

    fputs("# _oci_rt_args COMMAND: what its positional arguments are\n"
          "_oci_rt_args() {\n    case $1 in\n",
          f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
        struct positionals p;
        cmd_positionals(*c, &p);
        fprintf(f, "    %s) _oci_rt_pos=(", (*c)->name);
        for (int i = 0; i < p.n; i++)
            fprintf(f, "%s%s", i ? " " : "", kind_names[p.kind[i]]);
        fprintf(f, ") _oci_rt_rest=%s _oci_rt_stop=%d ;;\n", kind_names[p.rest],
                (*c)->stop_at_first_arg);
    }
    fputs("    esac\n}\n\n_oci_rt_commands=\"", f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        fprintf(f, "%s%s", c == cli_commands ? "" : " ", (*c)->name);
    fputs("\"\n_oci_rt_signals=\"", f);
    signal_words(f);
    fputs("\"\n\n", f);
    fputs(bash_main, f);
}

/* ---- zsh ---- */

/* s inside a single-quoted _arguments description: quotes and brackets
 * escaped */
static void zsh_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else if (*s == '[' || *s == ']' || *s == '\\' || *s == ':')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

/* s as the description of a _describe "name:description" */
static void zsh_describe(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else if (*s == ':')
            fputs("\\:", f);
        else
            fputc(*s, f);
    }
}

static void zsh_action(FILE *f, enum comp_kind k, const char *words)
{
    switch (k) {
    case COMP_ID:
        fputs("_oci-rt_ids", f);
        break;
    case COMP_FILE:
        fputs("_files", f);
        break;
    case COMP_DIR:
        fputs("_files -/", f);
        break;
    case COMP_SIGNAL:
        fputs("(", f);
        signal_words(f);
        fputs(")", f);
        break;
    case COMP_COMMAND:
        fputs("_command_names -e", f);
        break;
    case COMP_WORDS:
        fprintf(f, "(%s)", words);
        break;
    case COMP_NONE:
        fputs(" ", f);
        break;
    }
}

static void zsh_opts(FILE *f, const struct cli_opt *o)
{
    for (; o && o->name; o++) {
        const char *arg = o->arg ? "=" : "";
        if (o->short_name)
            fprintf(f, " \\\n      {-%c%s,--%s%s}'[", o->short_name, o->arg ? "+" : "", o->name,
                    arg);
        else
            fprintf(f, " \\\n      '--%s%s[", o->name, arg);
        zsh_text(f, o->help);
        fputs("]", f);
        if (o->arg) {
            char words[256];
            enum comp_kind k = value_kind(o, words, sizeof(words));
            fputc(':', f);
            zsh_text(f, o->arg);
            fputc(':', f);
            zsh_action(f, k, words);
        }
        fputs("'", f);
    }
}

static void zsh_positionals(FILE *f, const struct cli_cmd *cmd)
{
    static const char *const what[] = {"argument", "container id", "file", "directory",
                                       "signal",   "command",      "value"};
    struct positionals p;
    cmd_positionals(cmd, &p);
    for (int i = 0; i < p.n; i++) {
        if (p.kind[i] == COMP_COMMAND) {
            fputs(" \\\n      '*:: :_normal'", f); /* the command and its arguments */
            return;
        }
        fprintf(f, " \\\n      '%s:%s:", p.optional[i] ? ":" : "", what[p.kind[i]]);
        zsh_action(f, p.kind[i], "");
        fputs("'", f);
    }
}

static const char zsh_head[] =
    "#compdef oci-rt\n"
    "# zsh completion for oci-rt(8): generated by oci-rt --generate-docs from the\n"
    "# option tables that print --help (do not edit)\n"
    "\n"
    "# the containers under the --root of the command line\n"
    "_oci-rt_ids() {\n"
    "  local -a ids\n"
    "  ids=(${(f)\"$(${~_oci_rt_bin} $_oci_rt_root list -q 2>/dev/null)\"})\n"
    "  _describe -t container-ids 'container id' ids\n"
    "}\n"
    "\n"
    "_oci-rt() {\n"
    "  local curcontext=$curcontext state state_descr line ret=1\n"
    "  typeset -A opt_args\n"
    "  local _oci_rt_bin=$words[1]\n"
    "  local -a _oci_rt_root\n"
    "  local -i i\n"
    "  for ((i = 2; i < CURRENT; i++)); do\n"
    "    case $words[i] in\n"
    "      (--root) _oci_rt_root=(--root ${~words[i+1]}) ;;\n"
    "      (--root=*) _oci_rt_root=(--root ${~words[i]#--root=}) ;;\n"
    "    esac\n"
    "  done\n"
    "  _arguments -C";

static void zsh_write(FILE *f)
{
    fputs(zsh_head, f);
    zsh_opts(f, cli_global_opts);
    fputs(" \\\n      '1: :->command' \\\n      '*:: :->argument' && ret=0\n"
          "  case $state in\n    (command)\n      local -a cmds\n      cmds=(",
          f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
        fprintf(f, "\n        '%s:", (*c)->name);
        zsh_describe(f, (*c)->summary);
        fputs("'", f);
    }
    fputs(")\n      _describe -t commands 'oci-rt command' cmds && ret=0\n      ;;\n"
          "    (argument)\n      curcontext=${curcontext%:*:*}:oci-rt-$words[1]:\n"
          "      case $words[1] in\n",
          f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
        fprintf(f, "        (%s)\n          _arguments -S%s", (*c)->name,
                (*c)->stop_at_first_arg ? " -A '-*'" : "");
        zsh_opts(f, (*c)->opts);
        zsh_opts(f, cli_help_opts);
        zsh_positionals(f, *c);
        fputs(" && ret=0\n          ;;\n", f);
    }
    fputs("      esac\n      ;;\n  esac\n  return ret\n}\n\n_oci-rt \"$@\"\n", f);
}

static int write_file(const char *dir, const char *name, void (*fn)(FILE *f))
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "we");
    if (!f)
        return cli_failf("%s: %s", path, strerror(errno)), -1;
    fn(f);
    bool bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return cli_failf("%s: write error", path), -1;
    return 0;
}

int cli_completion_write(const char *dir)
{
    if (write_file(dir, "oci-rt.bash", bash_write) < 0 || write_file(dir, "_oci-rt", zsh_write) < 0)
        return -1;
    return 0;
}
