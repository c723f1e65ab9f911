/* ps: the processes of a container, as pids (json) or as ps(1) lines. */
#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"
#include "specs/json_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt opts[] = {
    {"format", 'f', "FORMAT", "table (ps output, default) or json (pids)"},
    {NULL, 0, NULL, NULL},
};

static bool in(const pid_t *pids, size_t n, long pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* ps(1) with the given options (default -ef): the header, then the lines
 * whose PID column is one of the container's. */
static int ps_table(const pid_t *pids, size_t n, int argc, char **argv)
{
    char cmd[4096] = "ps";
    if (argc == 0)
        strcat(cmd, " -ef");
    for (int i = 0; i < argc; i++) {
        if (strspn(argv[i],
                   "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,=_:") !=
            strlen(argv[i]))
            return cli_failf("ps: option \"%s\" is not allowed", argv[i]);
        strncat(cmd, " ", sizeof(cmd) - strlen(cmd) - 1);
        strncat(cmd, argv[i], sizeof(cmd) - strlen(cmd) - 1);
    }
    FILE *p = popen(cmd, "re");
    if (!p)
        return cli_failf("ps: cannot run %s", cmd);
    char line[8192];
    int pid_col = -1;
    while (fgets(line, sizeof(line), p)) {
        char copy[8192];
        snprintf(copy, sizeof(copy), "%s", line);
        char *save = NULL;
        int col = 0;
        long pid = -1;
        for (char *t = strtok_r(copy, " \t\n", &save); t;
             t = strtok_r(NULL, " \t\n", &save), col++) {
            if (pid_col < 0 && !strcmp(t, "PID"))
                pid_col = col;
            else if (col == pid_col)
                pid = strtol(t, NULL, 10);
        }
        if (pid_col >= 0 && (pid < 0 || in(pids, n, pid)))
            fputs(line, stdout);
    }
    int st = pclose(p);
    if (pid_col < 0)
        return cli_failf("ps: no PID column in the output of %s", cmd);
    return st == 0 ? 0 : 1;
}

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    const char *format = cli_get(cmd, a, "format");
    if (format && strcmp(format, "table") && strcmp(format, "json"))
        return cli_failf("ps --format %s: expected table or json", format);
    struct oci_err err = {0};
    pid_t *pids;
    size_t n;
    if (container_pids(G.root, a->argv[0], &pids, &n, &err) < 0)
        return cli_fail(&err);
    int rc = 0;
    if (format && !strcmp(format, "json")) {
        struct json_gen j;
        json_gen_init(&j, NULL, NULL, JSON_GEN_NEWLINE);
        json_gen_array_open(&j);
        for (size_t i = 0; i < n; i++)
            json_gen_int(&j, pids[i]);
        json_gen_array_close(&j);
        char *msg = NULL;
        char *json = json_gen_finish(&j, NULL, &msg);
        rc = cli_print_json(json, msg, "ps %s", a->argv[0]);
    } else {
        rc = ps_table(pids, n, a->argc - 1, a->argv + 1);
    }
    free(pids);
    return rc;
}

const struct cli_cmd cmd_ps = {
    .name = "ps",
    .fn = run,
    .summary = "list the processes of a container",
    .usage = "[--format table|json] ID [-- PS OPTIONS]",
    .opts = opts,
    .min_args = 1,
    .max_args = -1,
};
