#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

static int pause_fn(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct oci_err err = {0};
    bool pause = cmd->name[0] == 'p';
    return container_pause(G.root, a->argv[0], pause, &err) < 0 ? cli_fail(&err) : 0;
}

const struct cli_cmd cmd_pause = {
    .name = "pause",
    .fn = pause_fn,
    .summary = "freeze every process of a container",
    .usage = "ID",
    .min_args = 1,
    .max_args = 1,
};

const struct cli_cmd cmd_resume = {
    .name = "resume",
    .fn = pause_fn,
    .summary = "thaw a paused container",
    .usage = "ID",
    .min_args = 1,
    .max_args = 1,
};
