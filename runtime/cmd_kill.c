#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <signal.h>

static const struct cli_opt opts[] = {
    {"all", 'a', NULL, "signal every process of the container"},
    {"regex", 'r', NULL, "ID is a regular expression: every matching container"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    int sig = SIGTERM;
    if (a->argc > 1 && (sig = signal_parse(a->argv[1])) < 0)
        return cli_failf("kill: unknown signal \"%s\"", a->argv[1]);
    bool all = cli_flag(cmd, a, "all");
    if (!cli_flag(cmd, a, "regex")) {
        struct oci_err err = {0};
        return container_kill(G.root, a->argv[0], sig, all, &err) < 0 ? cli_fail(&err) : 0;
    }
    char **ids;
    int n = cli_match_ids(a->argv[0], &ids), rc = n < 0 ? 1 : 0;
    for (int i = 0; i < n; i++) {
        struct oci_err err = {0};
        if (container_kill(G.root, ids[i], sig, all, &err) < 0)
            rc = cli_fail(&err);
    }
    cli_free_ids(ids, n > 0 ? n : 0);
    return rc;
}

const struct cli_cmd cmd_kill = {
    .name = "kill",
    .fn = run,
    .summary = "send a signal (default TERM; by name or number) to a container",
    .usage = "[--all] ID [SIGNAL]",
    .opts = opts,
    .min_args = 1,
    .max_args = 2,
};
