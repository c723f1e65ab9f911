/* restore: runc's command line over container_restore (CRIU). */
#include "config.h"
#include "cli.h"
#include "cmd_common.h"
#include "libcontainer/criu.h"

static const struct cli_opt opts[] = {
    {"image-path", 0, "DIR", "the checkpoint's images (default: ./checkpoint)"},
    {"work-path", 0, "DIR", "criu's log and work files (default: the image path)"},
    {"bundle", 'b', "DIR", "the bundle directory (default: the current directory)"},
    {"detach", 'd', NULL, "return once the container runs, instead of waiting for it"},
    {"pid-file", 0, "FILE", "write the restored process's pid to FILE"},
    {"console-socket", 0, "PATH", "unix socket to send the new terminal's master fd to"},
    {"tcp-established", 0, NULL, "restore established TCP connections"},
    {"ext-unix-sk", 0, NULL, "allow unix sockets connected outside the container"},
    {"shell-job", 0, NULL, "the container was started from a shell"},
    {"file-locks", 0, NULL, "restore file locks"},
    {"manage-cgroups-mode", 0, "MODE", "cgroups: soft (default), full, strict or ignore"},
    {"auto-dedup", 0, NULL, "accepted for runc compatibility (a dump option)"},
    {"no-subreaper", 0, NULL, "accepted for runc compatibility"},
    {"no-pivot", 0, NULL, "accepted for runc compatibility (criu restores the root)"},
    {"config", 'f', "FILE", "the config file (default: <bundle>/config.json)"},
    {"pidfd-socket", 0, "PATH", "unix socket to send a pidfd of the restored process to"},
    {"no-new-keyring", 0, NULL, "accepted for runc compatibility (criu restores the keyring)"},
    {"preserve-fds", 0, "N", "accepted for runc compatibility (criu restores the fds)"},
    {NULL, 0, NULL, NULL},
};

static int restore(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct criu_opts co;
    struct container_opts o;
    if (cmd_criu_opts(cmd, a, &co) < 0 || cmd_container_opts(cmd, a, &o) < 0)
        return 1;
    co.auto_dedup = false;
    o.detach = cli_flag(cmd, a, "detach");
    struct oci_err err = {0};
    int code = 0;
    if (container_restore(&o, &co, &code, &err) < 0)
        return cli_fail(&err);
    return code;
}

const struct cli_cmd cmd_restore = {
    .name = "restore",
    .fn = restore,
    .summary = "restore a container from a checkpoint (CRIU) with the bundle's config",
    .usage = "[OPTIONS] ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
