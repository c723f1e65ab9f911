#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <signal.h>

static const struct cli_opt opts[] = {
    {"all", 'a', NULL, "signal every process of the container"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    int sig = SIGTERM;
    if (a->argc > 1 && (sig = signal_parse(a->argv[1])) < 0)
        return cli_failf("kill: unknown signal \"%s\"", a->argv[1]);
    struct oci_err err = {0};
    if (container_kill(G.root, a->argv[0], sig, cli_flag(cmd, a, "all"), &err) < 0)
        return cli_fail(&err);
    return 0;
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
