#include "config.h"
#include "cli.h"
#include "cmd_common.h"
#include "libcontainer/container.h"

static const struct cli_opt opts[] = {
    {"bundle", 'b', "DIR", "the bundle directory (default: the current directory)"},
    {"config", 'f', "FILE", "the config file (default: <bundle>/config.json)"},
    {"pid-file", 0, "FILE", "write the container process's pid to FILE"},
    {"console-socket", 0, "PATH", "unix socket to send the terminal's master fd to"},
    {"pidfd-socket", 0, "PATH", "unix socket to send a pidfd of the container's process to"},
    {"no-pivot", 0, NULL, "move the root with MS_MOVE + chroot instead of pivot_root"},
    {"no-new-keyring", 0, NULL, "keep the caller's session keyring"},
    {"preserve-fds", 0, "N", "pass N extra fds (from 3) to the container process"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct container_opts o;
    if (cmd_container_opts(cmd, a, &o) < 0)
        return 1;
    o.detach = true;
    struct oci_err err = {0};
    return container_create(&o, &err) < 0 ? cli_fail(&err) : 0;
}

const struct cli_cmd cmd_create = {
    .name = "create",
    .fn = run,
    .summary = "create a container: set it up, its process waits for start",
    .usage = "[OPTIONS] ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
