/* checkpoint: runc's command line over container_checkpoint (CRIU). */
#include "config.h"
#include "cli.h"
#include "cmd_common.h"
#include "libcontainer/criu.h"

#include <string.h>

static const struct cli_opt opts[] = {
    {"image-path", 0, "DIR", "where the images go (default: ./checkpoint)"},
    {"work-path", 0, "DIR", "criu's log and work files (default: the image path)"},
    {"parent-path", 0, "DIR", "the images of a pre-dump (relative to the image path)"},
    {"leave-running", 0, NULL, "leave the container running after the checkpoint"},
    {"tcp-established", 0, NULL, "checkpoint established TCP connections"},
    {"ext-unix-sk", 0, NULL, "allow unix sockets connected outside the container"},
    {"shell-job", 0, NULL, "the container was started from a shell (its session is outside)"},
    {"file-locks", 0, NULL, "checkpoint file locks"},
    {"pre-dump", 0, NULL, "only dump the memory (an iterative migration's first pass)"},
    {"manage-cgroups-mode", 0, "MODE", "cgroups: soft (default), full, strict or ignore"},
    {"auto-dedup", 0, NULL, "free the parent images' pages that are dumped again"},
    {NULL, 0, NULL, NULL},
};

int cmd_criu_opts(const struct cli_cmd *cmd, const struct cli_args *a, struct criu_opts *co)
{
    memset(co, 0, sizeof(*co));
    co->criu = G.criu;
    co->image_path = cli_get(cmd, a, "image-path");
    if (!co->image_path)
        co->image_path = "checkpoint";
    co->work_path = cli_get(cmd, a, "work-path");
    co->tcp_established = cli_flag(cmd, a, "tcp-established");
    co->ext_unix_sk = cli_flag(cmd, a, "ext-unix-sk");
    co->shell_job = cli_flag(cmd, a, "shell-job");
    co->file_locks = cli_flag(cmd, a, "file-locks");
    co->auto_dedup = cli_flag(cmd, a, "auto-dedup");
    const char *mode = cli_get(cmd, a, "manage-cgroups-mode");
    if (mode) {
        int m = criu_cgroup_mode_parse(mode);
        if (m < 0)
            return cli_failf("--manage-cgroups-mode %s: expected soft, full, strict or ignore",
                             mode),
                   -1;
        co->cgroup_mode = (enum criu_cgroup_mode)m;
    }
    return 0;
}

static int checkpoint(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct criu_opts co;
    if (cmd_criu_opts(cmd, a, &co) < 0)
        return 1;
    co.parent_path = cli_get(cmd, a, "parent-path");
    co.leave_running = cli_flag(cmd, a, "leave-running");
    co.pre_dump = cli_flag(cmd, a, "pre-dump");
    struct oci_err err = {0};
    if (container_checkpoint(G.root, a->argv[0], &co, &err) < 0)
        return cli_fail(&err);
    return 0;
}

const struct cli_cmd cmd_checkpoint = {
    .name = "checkpoint",
    .fn = checkpoint,
    .summary = "checkpoint a running container with CRIU (and stop it, unless --leave-running)",
    .usage = "[OPTIONS] ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
