#include "config.h"
#include "cli.h"
#include "cmd_common.h"
#include "libcontainer/container.h"

static const struct cli_opt opts[] = {
    {"bundle", 'b', "DIR", "the bundle directory (default: the current directory)"},
    {"config", 'f', "FILE", "the config file (default: <bundle>/config.json)"},
    {"detach", 'd', NULL, "return once the container runs, instead of waiting for it"},
    {"pid-file", 0, "FILE", "write the container process's pid to FILE"},
    {"console-socket", 0, "PATH", "unix socket to send the terminal's master fd to"},
    {"pidfd-socket", 0, "PATH", "unix socket to send a pidfd of the container's process to"},
    {"no-pivot", 0, NULL, "move the root with MS_MOVE + chroot instead of pivot_root"},
    {"no-new-keyring", 0, NULL, "keep the caller's session keyring"},
    {"preserve-fds", 0, "N", "pass N extra fds (from 3) to the container process"},
    {"no-subreaper", 0, NULL, "accepted for runc compatibility"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct container_opts o;
    if (cmd_container_opts(cmd, a, &o) < 0)
        return 1;
    o.detach = cli_flag(cmd, a, "detach");
    struct oci_err err = {0};
    int code = 0;
    if (container_run(&o, cli_flag(cmd, a, "detach"), &code, &err) < 0) {
        cli_fail(&err);
        return code ? code : 1; /* 127/126: the program could not be exec'd */
    }
    return code;
}

const struct cli_cmd cmd_run = {
    .name = "run",
    .fn = run,
    .summary = "create and start a container; in the foreground, wait and exit with its status",
    .usage = "[OPTIONS] ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
