/* exec: a new process in a running container. */
#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_opt opts[] = {
    {"process", 'p', "FILE", "the whole process spec from a process.json"},
    {"detach", 'd', NULL, "return once the process runs"},
    {"tty", 't', NULL, "give the process a terminal"},
    {"console-socket", 0, "PATH", "unix socket to send the terminal's master fd to"},
    {"pidfd-socket", 0, "PATH", "unix socket to send a pidfd of the process to"},
    {"pid-file", 0, "FILE", "write the process's pid to FILE"},
    {"cwd", 0, "DIR", "working directory in the container"},
    {"env", 'e', "KEY=VALUE", "set an environment variable (repeatable)"},
    {"user", 'u', "UID[:GID]", "run as this user"},
    {"additional-gids", 'g', "GID", "an additional group (repeatable)"},
    {"cap", 'c', "CAP",
     "add a capability to the bounding, effective and permitted sets (repeatable)"},
    {"no-new-privs", 0, NULL, "set no_new_privs"},
    {"preserve-fds", 0, "N", "pass N extra fds (from 3)"},
    {"process-label", 0, "LABEL", "SELinux label of the process"},
    {"apparmor", 0, "PROFILE", "AppArmor profile of the process"},
    {"cgroup", 0, "PATH", "a sub-cgroup of the container's to run in"},
    {"ignore-paused", 0, NULL, "exec even when the container is paused"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct exec_opts o = {0};
    o.root = G.root;
    o.id = a->argv[0];
    o.process_file = cli_get(cmd, a, "process");
    o.args = a->argv + 1;
    o.nargs = a->argc - 1;
    if (!o.process_file && o.nargs < 1)
        return cli_failf("exec: a command (or --process FILE) is required");
    o.detach = cli_flag(cmd, a, "detach");
    o.tty = cli_flag(cmd, a, "tty");
    o.no_new_privs = cli_flag(cmd, a, "no-new-privs");
    o.ignore_paused = cli_flag(cmd, a, "ignore-paused");
    o.console_socket = cli_get(cmd, a, "console-socket");
    o.pidfd_socket = cli_get(cmd, a, "pidfd-socket");
    o.pid_file = cli_get(cmd, a, "pid-file");
    o.cwd = cli_get(cmd, a, "cwd");
    o.user = cli_get(cmd, a, "user");
    o.process_label = cli_get(cmd, a, "process-label");
    o.apparmor = cli_get(cmd, a, "apparmor");
    o.cgroup = cli_get(cmd, a, "cgroup");
    o.env = cli_get_all(cmd, a, "env", &o.nenv);
    o.caps = cli_get_all(cmd, a, "cap", &o.ncaps);
    o.add_gids = cli_get_all(cmd, a, "additional-gids", &o.n_add_gids);
    const char *pf = cli_get(cmd, a, "preserve-fds");
    if (pf) {
        char *end;
        long n = strtol(pf, &end, 10);
        if (!*pf || *end || n < 0 || n > 65536)
            return cli_failf("exec --preserve-fds %s: expected a number of fds", pf);
        o.preserve_fds = (int)n;
    }
    struct oci_err err = {0};
    int code = 0;
    if (container_exec(&o, &code, &err) < 0) {
        cli_fail(&err);
        return code ? code : 1; /* 127/126: the program could not be exec'd */
    }
    return code;
}

const struct cli_cmd cmd_exec = {
    .name = "exec",
    .fn = run,
    .summary = "run a new process in a running container",
    .usage = "[OPTIONS] ID [COMMAND [ARGS...]] | [OPTIONS] --process FILE ID",
    .opts = opts,
    .min_args = 1,
    .max_args = -1,
    .stop_at_first_arg = true,
};
