#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

static const struct cli_opt opts[] = {
    {"force", 'f', NULL, "kill a running container first"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    struct oci_err err = {0};
    if (container_delete(G.root, a->argv[0], cli_flag(cmd, a, "force"), &err) < 0)
        return cli_fail(&err);
    return 0;
}

const struct cli_cmd cmd_delete = {
    .name = "delete",
    .fn = run,
    .summary = "delete a container and every trace of it",
    .usage = "[--force] ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
