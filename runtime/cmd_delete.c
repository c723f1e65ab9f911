#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

static const struct cli_opt opts[] = {
    {"force", 'f', NULL, "kill a running container first"},
    {"regex", 'r', NULL, "ID is a regular expression: every matching container"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    bool force = cli_flag(cmd, a, "force");
    if (!cli_flag(cmd, a, "regex")) {
        struct oci_err err = {0};
        return container_delete(G.root, a->argv[0], force, &err) < 0 ? cli_fail(&err) : 0;
    }
    char **ids;
    int n = cli_match_ids(a->argv[0], &ids), rc = n < 0 ? 1 : 0;
    for (int i = 0; i < n; i++) {
        struct oci_err err = {0};
        if (container_delete(G.root, ids[i], force, &err) < 0)
            rc = cli_fail(&err);
    }
    cli_free_ids(ids, n > 0 ? n : 0);
    return rc;
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
