#include "config.h"
#include "cli.h"
#include "libcontainer/features.h"

#include <stdio.h>
#include <stdlib.h>

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    (void)cmd;
    (void)a;
    struct spec_features f;
    features_fill(&f, PACKAGE_VERSION, GIT_COMMIT);
    char *msg = NULL;
    char *json = spec_features_json(&f, &msg);
    features_free(&f);
    return cli_print_json(json, msg, "features");
}

const struct cli_cmd cmd_features = {
    .name = "features",
    .fn = run,
    .summary = "print what this runtime supports (runtime-spec features JSON)",
    .usage = "",
    .min_args = 0,
    .max_args = 0,
};
