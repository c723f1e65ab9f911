/* oci-rt: global options, then one command from the table. */
#include "config.h"
#include "cli.h"
#include "libcontainer/dynload.h"
#include "libcontainer/log.h"
#include "libcontainer/trace.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <unistd.h>

struct global_opts G = {.root = NULL, .log_format = "text", .cgroup_mode = (enum cg_mode) - 1};

const struct cli_cmd *const cli_commands[] = {
    &cmd_checkpoint, &cmd_create, &cmd_delete,  &cmd_events, &cmd_exec,    &cmd_features, &cmd_kill,
    &cmd_list,       &cmd_pause,  &cmd_profile, &cmd_ps,     &cmd_restore, &cmd_resume,   &cmd_run,
    &cmd_spec,       &cmd_start,  &cmd_state,   &cmd_trace,  &cmd_update,  NULL,
};

const struct cli_opt cli_global_opts[] = {
    {"root", 0, "DIR", "state directory (default /run/oci-rt, $XDG_RUNTIME_DIR/oci-rt rootless)"},
    {"log", 'l', "FILE", "append log lines to FILE (default: stderr only)"},
    {"log-format", 0, "FORMAT", "text or json"},
    {"log-level", 0, "LEVEL", "error, warn, info or debug"},
    {"debug", 0, NULL, "log debug lines"},
    {"trace", 0, "FILE", "append lifecycle trace spans to FILE (also $OCI_RT_TRACE)"},
    {"systemd-cgroup", 0, NULL, "manage cgroups with systemd (needs a running systemd)"},
    {"cgroup-manager", 0, "MANAGER", "cgroupfs, systemd or disabled"},
    {"rootless", 0, "true|false|auto", "accepted for compatibility; oci-rt detects it"},
    {"criu", 0, "PATH", "the criu binary for checkpoint and restore (default: criu on PATH)"},
    {"help", 'h', NULL, "show this help"},
    {"version", 'v', NULL, "print the version"},
    {NULL, 0, NULL, NULL},
};

const struct cli_opt cli_help_opts[] = {
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL},
};

const char cli_about[] =
    "oci-rt runs containers from OCI bundles (runtime-spec " SPEC_OCI_VERSION ").";

static void print_opts(FILE *f, const struct cli_opt *o)
{
    for (; o && o->name; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        fprintf(f, "  %-30s %s\n", left, o->help);
    }
}

static void usage_all(FILE *f)
{
    fprintf(f, "Usage: oci-rt [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n%s\n\nCommands:\n",
            cli_about);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
    fprintf(f, "\nGlobal options:\n");
    print_opts(f, cli_global_opts);
    fprintf(f, "\n'oci-rt COMMAND --help' describes a command.\n");
}

static void usage_cmd(FILE *f, const struct cli_cmd *cmd)
{
    fprintf(f, "Usage: oci-rt %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
    if (cmd->opts && cmd->opts->name) {
        fprintf(f, "\nOptions:\n");
        print_opts(f, cmd->opts);
    }
    print_opts(f, cli_help_opts);
}

static void print_version(void)
{
    const struct scmp_version *v = seccomp_version();
    printf("oci-rt version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", PACKAGE_VERSION,
           GIT_COMMIT, SPEC_OCI_VERSION, v->major, v->minor, v->micro);
}

/* getopt_long tables from a cli_opt list; idx maps getopt's val back. */
static int build_getopt(const struct cli_opt *opts, struct option *lo, char *shorts, bool plus)
{
    int n = 0, s = 0;
    if (plus)
        shorts[s++] = '+';
    shorts[s++] = ':';
    shorts[s++] = 'h';
    for (; opts && opts[n].name; n++) {
        lo[n] = (struct option){opts[n].name, opts[n].arg ? required_argument : no_argument, NULL,
                                1000 + n};
        if (opts[n].short_name) {
            shorts[s++] = opts[n].short_name;
            if (opts[n].arg)
                shorts[s++] = ':';
        }
    }
    lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    lo[n + 1] = (struct option){0, 0, 0, 0};
    shorts[s] = '\0';
    return n;
}

static int short_index(const struct cli_opt *opts, int c)
{
    for (int i = 0; opts && opts[i].name; i++)
        if (opts[i].short_name == c)
            return i;
    return -1;
}

/* Parse argv with opts into a; returns 0, or 1 after --help, or -1. */
static int parse_opts(const char *what, const struct cli_opt *opts, bool plus, int argc,
                      char **argv, struct cli_args *a)
{
    struct option lo[CLI_MAX_OPTS + 2];
    char shorts[2 * CLI_MAX_OPTS + 4];
    build_getopt(opts, lo, shorts, plus);
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        int idx = c >= 1000 ? c - 1000 : short_index(opts, c);
        if (c == 'h' && idx < 0)
            return 1;
        if (c == '?' || c == ':' || idx < 0) {
            const char *bad = argv[optind - 1];
            cli_failf("%s%s%s option %s", what ? what : "", what ? ": " : "",
                      c == ':' ? "missing value for" : "unknown", bad);
            return -1;
        }
        a->val[idx] = opts[idx].arg ? optarg : "";
        a->all[idx] = realloc(a->all[idx], (size_t)(a->n_all[idx] + 1) * sizeof(char *));
        if (!a->all[idx])
            abort();
        a->all[idx][a->n_all[idx]++] = a->val[idx];
    }
    a->argc = argc - optind;
    a->argv = argv + optind;
    return 0;
}

static void free_opts(struct cli_args *a)
{
    for (int i = 0; i < CLI_MAX_OPTS; i++)
        free(a->all[i]);
}

static int apply_globals(const struct cli_args *a)
{
    const struct cli_opt *o = cli_global_opts;
    for (int i = 0; o[i].name; i++) {
        const char *v = a->val[i];
        if (!v)
            continue;
        const char *n = o[i].name;
        if (!strcmp(n, "root"))
            G.root = v;
        else if (!strcmp(n, "log"))
            G.log_file = v;
        else if (!strcmp(n, "log-format")) {
            if (strcmp(v, "text") && strcmp(v, "json"))
                return cli_failf("--log-format %s: expected text or json", v);
            G.log_format = v;
        } else if (!strcmp(n, "log-level"))
            G.debug = G.debug || !strcmp(v, "debug");
        else if (!strcmp(n, "debug"))
            G.debug = true;
        else if (!strcmp(n, "trace"))
            G.trace_file = v;
        else if (!strcmp(n, "systemd-cgroup"))
            G.systemd_cgroup = true;
        else if (!strcmp(n, "criu"))
            G.criu = v;
        else if (!strcmp(n, "cgroup-manager")) {
            if (!strcmp(v, "disabled"))
                G.cgroup_mode = CG_DISABLED;
            else if (!strcmp(v, "systemd"))
                G.systemd_cgroup = true;
            else if (strcmp(v, "cgroupfs"))
                return cli_failf("--cgroup-manager %s: expected cgroupfs, systemd or disabled", v);
        }
    }
    return 0;
}

static const char *default_root(void)
{
    if (geteuid() == 0)
        return "/run/oci-rt";
    /* rootless: the user's runtime directory */
    static char buf[4096];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg)
        snprintf(buf, sizeof(buf), "%s/oci-rt", xdg);
    else
        snprintf(buf, sizeof(buf), "/run/user/%u/oci-rt", geteuid());
    return buf;
}

/* The static program hands these to oci-rt-dynamic (dynload.h) before it
 * does anything: profile (libbpf), features (it reports whether libsystemd
 * loads), and what starts a systemd unit (libsystemd; a later command on
 * such a container that may reach the bus hands itself over once it has
 * read the record: record_bus_ahead). */
static bool needs_shared_library(const char *cmd)
{
    if (oci_dl.open)
        return false;
    if (!strcmp(cmd, "profile") || !strcmp(cmd, "features"))
        return true;
    return G.systemd_cgroup &&
           (!strcmp(cmd, "create") || !strcmp(cmd, "run") || !strcmp(cmd, "restore"));
}

/* Everything main does; the option arrays it fills are freed by main. */
static int dispatch(int argc, char **argv, struct cli_args *gp, struct cli_args *ap)
{
    int r = parse_opts(NULL, cli_global_opts, true, argc, argv, gp);
    if (r != 0) {
        if (r > 0)
            usage_all(stdout);
        return r > 0 ? 0 : 1;
    }
    for (int i = 0; cli_global_opts[i].name; i++) {
        if (gp->val[i] && !strcmp(cli_global_opts[i].name, "help")) {
            usage_all(stdout);
            return 0;
        }
        if (gp->val[i] && !strcmp(cli_global_opts[i].name, "version")) {
            print_version();
            return 0;
        }
    }
    if (apply_globals(gp) != 0)
        return 1;
    if (!G.root)
        G.root = default_root();
    if (cli_log_setup() != 0)
        return 1;
    if (gp->argc < 1) {
        usage_all(stderr);
        return 1;
    }
    const char *name = gp->argv[0];
    const struct cli_cmd *cmd = NULL;
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        if (!strcmp((*c)->name, name))
            cmd = *c;
    if (!cmd)
        return cli_failf("unknown command \"%s\" (see oci-rt --help)", name);
    if (needs_shared_library(cmd->name)) {
        struct oci_err err = {0};
        oci_dl_need(cmd->name, &err); /* returns only when it cannot exec */
        return cli_fail(&err);
    }
    if (!G.trace_file) {
        const char *env = getenv("OCI_RT_TRACE");
        if (env && *env)
            G.trace_file = env;
    }
    if (G.trace_file)
        trace_init(G.trace_file, cmd->name, G.main_ns);
    r = parse_opts(cmd->name, cmd->opts, cmd->stop_at_first_arg, gp->argc, gp->argv, ap);
    if (r != 0) {
        if (r > 0)
            usage_cmd(stdout, cmd);
        return r > 0 ? 0 : 1;
    }
    if (ap->argc < cmd->min_args || (cmd->max_args >= 0 && ap->argc > cmd->max_args)) {
        usage_cmd(stderr, cmd);
        return 1;
    }
    if (ap->argc > 0)
        cli_set_id(ap->argv[0]);
    trace_add_("parse arguments", G.main_ns, trace_now(), 0);
    int rc = cmd->fn(cmd, ap);
    trace_flush(rc != 0);
    cli_log_close();
    return rc;
}

/* Whether this command will be traced, told without a system call. */
static bool trace_wanted(int argc, char **argv)
{
    const char *env = getenv("OCI_RT_TRACE");
    if (env && *env)
        return true;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--trace", 7) && (argv[i][7] == '\0' || argv[i][7] == '='))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    G.main_ns = trace_now();
    oci_dl_keep_argv(argv);
    if (trace_wanted(argc, argv))
        trace_mark_main_cpu();
    /* not an option of the table: make writes the man pages and the shell
     * completions from the tables with it at build time */
    if (argc == 3 && !strcmp(argv[1], "--generate-docs"))
        return cli_man_write(argv[2]) < 0 || cli_completion_write(argv[2]) < 0;
    struct cli_args ga = {0}, a = {0};
    int rc = dispatch(argc, argv, &ga, &a);
    free_opts(&a);
    free_opts(&ga);
    return rc;
}
