#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <stdlib.h>

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    (void)cmd;
    struct oci_err err = {0};
    const char *ns = getenv("NOTIFY_SOCKET");
    return container_start(G.root, a->argv[0], ns && *ns ? ns : NULL, &err) < 0 ? cli_fail(&err)
                                                                                : 0;
}

const struct cli_cmd cmd_start = {
    .name = "start",
    .fn = run,
    .summary = "start a created container: its process execs the user's program",
    .usage = "ID",
    .min_args = 1,
    .max_args = 1,
};
