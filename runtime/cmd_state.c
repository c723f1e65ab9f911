#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <stdio.h>
#include <stdlib.h>

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    (void)cmd;
    struct oci_err err = {0};
    struct spec_state *s;
    if (container_state(G.root, a->argv[0], &s, &err) < 0)
        return cli_fail(&err);
    char *json = spec_state_to_json(s, false, true, NULL);
    fputs(json, stdout);
    free(json);
    spec_state_free(s);
    return 0;
}

const struct cli_cmd cmd_state = {
    .name = "state",
    .fn = run,
    .summary = "print the state of a container (runtime-spec JSON)",
    .usage = "ID",
    .min_args = 1,
    .max_args = 1,
};
