#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt opts[] = {
    {"format", 'f', "FORMAT", "table or json"},
    {"quiet", 'q', NULL, "print the IDs only"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    const char *format = cli_get(cmd, a, "format");
    if (format && strcmp(format, "table") && strcmp(format, "json"))
        return cli_failf("list --format %s: expected table or json", format);
    struct oci_err err = {0};
    struct spec_state **list;
    size_t n;
    if (container_list(G.root, &list, &n, &err) < 0)
        return cli_fail(&err);
    int rc = 0;
    if (format && !strcmp(format, "json")) {
        char *msg = NULL;
        char *json = spec_state_list_json(list, n, NULL, &msg);
        rc = cli_print_json(json, msg, "list");
    } else if (cli_flag(cmd, a, "quiet")) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", list[i]->id);
    } else {
        printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
        for (size_t i = 0; i < n; i++)
            printf("%-20s %-8d %-10s %-40s %-31s %s\n", list[i]->id, list[i]->pid, list[i]->status,
                   list[i]->bundle ? list[i]->bundle : "", list[i]->created ? list[i]->created : "",
                   list[i]->owner_name);
    }
    for (size_t i = 0; i < n; i++)
        spec_state_free(list[i]);
    free(list);
    return rc;
}

const struct cli_cmd cmd_list = {
    .name = "list",
    .fn = run,
    .summary = "list the containers",
    .usage = "[--format table|json] [--quiet]",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
};
