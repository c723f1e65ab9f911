#include "config.h"
#include "cmd_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_container_opts(const struct cli_cmd *cmd, const struct cli_args *a,
                       struct container_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->root = G.root;
    o->id = a->argv[0];
    o->bundle = cli_get(cmd, a, "bundle");
    o->config_file = cli_get(cmd, a, "config");
    o->pid_file = cli_get(cmd, a, "pid-file");
    o->console_socket = cli_get(cmd, a, "console-socket");
    o->pidfd_socket = cli_get(cmd, a, "pidfd-socket");
    const char *ns = getenv("NOTIFY_SOCKET");
    o->notify_socket = ns && *ns ? ns : NULL;
    /* socket activation (systemd's LISTEN_FDS for this process) */
    const char *lf = getenv("LISTEN_FDS"), *lp = getenv("LISTEN_PID");
    if (lf && (!lp || atoi(lp) == getpid()))
        o->listen_fds = atoi(lf) > 0 ? atoi(lf) : 0;
    o->no_pivot = cli_flag(cmd, a, "no-pivot");
    o->no_new_keyring = cli_flag(cmd, a, "no-new-keyring");
    o->systemd_cgroup = G.systemd_cgroup;
    o->cgroup_mode = G.cgroup_mode;
    const char *pf = cli_get(cmd, a, "preserve-fds");
    if (pf) {
        char *end;
        long n = strtol(pf, &end, 10);
        if (!*pf || *end || n < 0 || n > 65536)
            return cli_failf("--preserve-fds %s: expected a number of fds", pf), -1;
        o->preserve_fds = (int)n;
    }
    return 0;
}
