/* trace: read a trace file and show it. */
#include "config.h"
#include "cli.h"
#include "trace_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt opts[] = {
    {"id", 0, "ID", "only the spans of container ID"},
    {"format", 0, "FORMAT", "table (default), json or chrome"},
    {"summary", 0, NULL, "per phase count, p50, p99 and max over all containers"},
    {NULL, 0, NULL, NULL},
};

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    const char *format = cli_get(cmd, a, "format");
    if (!format)
        format = "table";
    if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "chrome"))
        return cli_failf("trace --format %s: expected table, json or chrome", format);
    struct spec_spans spans;
    char *msg = NULL;
    if (spec_spans_load(a->argv[0], &spans, &msg) < 0) {
        int rc = cli_failf("trace: %s", msg ? msg : a->argv[0]);
        free(msg);
        return rc;
    }
    trace_filter_sort(&spans, cli_get(cmd, a, "id"));
    int r = 0;
    if (cli_flag(cmd, a, "summary"))
        trace_format_summary(stdout, &spans);
    else if (!strcmp(format, "json"))
        r = trace_format_json(stdout, &spans, &msg);
    else if (!strcmp(format, "chrome"))
        r = trace_format_chrome(stdout, &spans, &msg);
    else
        trace_format_table(stdout, &spans);
    spec_spans_free(&spans);
    if (r < 0) {
        fflush(stdout); /* what was written, before the error */
        r = cli_failf("trace %s: %s", a->argv[0], msg ? msg : "out of memory");
        free(msg);
    }
    return r;
}

const struct cli_cmd cmd_trace = {
    .name = "trace",
    .fn = run,
    .summary = "show a trace file written with --trace: waterfall, json, chrome or summary",
    .usage = "FILE [--id ID] [--format table|json|chrome] [--summary]",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
