/* What a runtime's command line says of the run: its command (create,
 * start, run, delete, ...), the container id and the state directory
 * (--root or the runtime's default), for the invocations of a profile.
 * runc, crun, youki, runsc and oci-rt share runc's command line. */
#include "config.h"
#include "ktrace_inv.h"
#include "ktrace_model.h"
#include "ktrace_path.h"
#include "util.h"

#include <string.h>

/* Options of runc-like command lines that take a value (global and of the
 * lifecycle commands), so that the container id is found after them. */
static const char *const value_opts[] = {
    "--root",
    "--log",
    "--log-format",
    "--log-level",
    "--criu",
    "--rootless",
    "--trace",
    "--cgroup-manager",
    "-b",
    "--bundle",
    "--pid-file",
    "--console-socket",
    "--pidfd-socket",
    "--preserve-fds",
    "-p",
    "--process",
    "--cwd",
    "-e",
    "--env",
    "-u",
    "--user",
    "-g",
    "--additional-gids",
    "-c",
    "--cap",
    "--apparmor",
    "--process-label",
    "--config",
    "-f",
    "--format",
    "--signal",
    "--interval",
    "--resources",
    "-r",
    "--image-path",
    "--work-path",
    "--parent-path",
    "--memory",
    "--cpu-quota",
    "--cpu-period",
    "--cpu-shares",
    "--pids-limit",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--regex",
    "--platform",
    "--network",
    NULL,
};

static const char *const id_commands[] = {
    "create", "start",  "run", "delete", "kill",       "state",   "exec", "pause",
    "resume", "update", "ps",  "events", "checkpoint", "restore", NULL,
};
static const char *const other_commands[] = {"list", "spec", "features", "help", "version",
                                             "boot", "do",   "wait",     NULL};

static bool in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s))
            return true;
    return false;
}

static const char *default_state_root(const char *exe)
{
    static const char *const roots[][2] = {
        {"runc", "/run/runc"},   {"crun", "/run/crun"},       {"oci-rt", "/run/oci-rt"},
        {"youki", "/run/youki"}, {"runsc", "/var/run/runsc"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(roots); i++)
        if (!strcmp(roots[i][0], exe))
            return roots[i][1];
    return NULL;
}

void kt_inv_parse(struct kt_invocation *inv, const char *argv, size_t len, const char *cwd)
{
    const char *words[64];
    size_t n = 0;
    for (size_t off = 0; off < len && n < ARRAY_SIZE(words);) {
        words[n++] = argv + off;
        off += strnlen(argv + off, len - off) + 1;
    }
    const char *exe = n ? strrchr(words[0], '/') : NULL;
    inv->exe = xstrdup(n ? (exe ? exe + 1 : words[0]) : "?");
    const char *root = NULL, *op = NULL, *id = NULL;
    for (size_t i = 1; i < n; i++) {
        const char *w = words[i];
        if (w[0] == '-') {
            const char *eq = strchr(w, '=');
            if (!strncmp(w, "--root", 6) && (w[6] == '=' || !w[6]))
                root = eq ? eq + 1 : (i + 1 < n ? words[i + 1] : NULL);
            if (!eq && in_list(value_opts, w))
                i++;
            continue;
        }
        if (!op) {
            if (!in_list(id_commands, w) && !in_list(other_commands, w))
                break; /* not a runtime's command line: named by its program */
            op = w;
            if (!in_list(id_commands, w))
                break;
        } else {
            id = w;
            break;
        }
    }
    inv->op = xstrdup(op ? op : inv->exe);
    inv->id = xstrdup(id ? id : "-");
    if (!root)
        root = default_state_root(inv->exe);
    if (root && root[0] != '/' && cwd)
        xasprintf(&inv->state, "%s/%s", cwd, root);
    else
        inv->state = root ? xstrdup(root) : NULL;
    if (inv->state)
        kt_path_normalize(inv->state);
}
