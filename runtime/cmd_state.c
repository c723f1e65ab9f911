#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"
#include "specs/json_gen.h"

#include <stdio.h>
#include <stdlib.h>

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    (void)cmd;
    struct oci_err err = {0};
    struct spec_state *s;
    if (container_state(G.root, a->argv[0], &s, &err) < 0)
        return cli_fail(&err);
    struct json_gen j;
    json_gen_init(&j, "  ", NULL, JSON_GEN_NEWLINE);
    spec_state_gen(&j, s, SPEC_STATE_SHOW);
    char *msg = NULL;
    char *json = json_gen_finish(&j, NULL, &msg);
    int rc = cli_print_json(json, msg, "state %s", a->argv[0]);
    spec_state_free(s);
    return rc;
}

const struct cli_cmd cmd_state = {
    .name = "state",
    .fn = run,
    .summary = "print the state of a container (runtime-spec JSON)",
    .usage = "ID",
    .min_args = 1,
    .max_args = 1,
};
