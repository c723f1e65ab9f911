/* profile: the phase waterfall of any runtime (or any command), read from
 * the kernel: `oci-rt profile -- runc run -b B id` runs the command under
 * kernel tracing of its whole process tree; `oci-rt profile --exe PATH`
 * traces every run of PATH on the node (the runtime an engine calls). The
 * rows are trace spans, printed by the formatter of `oci-rt trace`. */
#include "config.h"
#include "cli.h"
#include "trace_format.h"

#include "libcontainer/ktrace.h"
#include "libcontainer/ktrace_rules.h"
#include "libcontainer/ktrace_phases.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const struct cli_opt opts[] = {
    {"format", 0, "FORMAT", "table (default), json (trace spans, one per line) or chrome"},
    {"out", 'o', "FILE", "write the waterfall to FILE instead of stdout"},
    {"exe", 0, "PATH", "trace every run of the program PATH node-wide, not a COMMAND"},
    {"duration", 0, "DURATION", "with --exe: stop after DURATION (default: at Ctrl-C)"},
    {"rules", 0, NULL, "print the rules that name the phases, and exit"},
    {NULL, 0, NULL, NULL},
};

static const char *const class_names[] = {
    [KC_OTHER] = "other",  [KC_PHASE] = "phase", [KC_WAIT] = "wait (idle)",
    [KC_NEUTRAL] = "none", [KC_PREP] = "next",   [KC_FINAL] = "final exec",
};

static int print_rules(void)
{
    printf("%-28s %-11s %s\n", "phase", "kind", "kernel events (first match wins)");
    for (size_t i = 0; kt_rules_doc(i); i++) {
        const struct kt_rule_doc *d = kt_rules_doc(i);
        const char *phase = d->phase            ? d->phase
                            : d->cls == KC_PREP ? "(the phase that follows)"
                                                : "(none: continues the phase)";
        printf("%-28s %-11s %s\n", phase, class_names[d->cls], d->kernel);
    }
    printf("%-28s %-11s %s\n", "other", "other", "any other recorded system call");
    return 0;
}

struct profile_args {
    const char *format, *out, *exe;
    int duration_ms;
    char **argv;
};

static int check_args(const struct cli_cmd *cmd, struct cli_args *a, struct profile_args *p)
{
    *p = (struct profile_args){.format = cli_get(cmd, a, "format"),
                               .out = cli_get(cmd, a, "out"),
                               .exe = cli_get(cmd, a, "exe")};
    if (!p->format)
        p->format = "table";
    if (strcmp(p->format, "table") && strcmp(p->format, "json") && strcmp(p->format, "chrome"))
        return cli_failf("profile --format %s: expected table, json or chrome", p->format);
    const char *d = cli_get(cmd, a, "duration");
    if (d && !p->exe)
        return cli_failf("profile --duration: only with --exe (a COMMAND ends when it exits)");
    if (d && (cli_parse_duration(d, &p->duration_ms) < 0 || p->duration_ms <= 0))
        return cli_failf("profile --duration %s: expected a duration like 500ms, 30s, 2m", d);
    if (p->exe && a->argc > 0)
        return cli_failf("profile: --exe and a COMMAND exclude each other");
    if (!p->exe && a->argc == 0)
        return cli_failf("profile: a COMMAND to run (oci-rt profile -- COMMAND...) or --exe PATH "
                         "is needed");
    p->argv = a->argv;
    return 0;
}

/* 0, or -1 when a JSON format fails (the error is printed). */
static int print_spans(FILE *f, const char *format, struct spec_spans *spans)
{
    char *msg = NULL;
    int r = 0;
    trace_filter_sort(spans, NULL);
    if (!strcmp(format, "json"))
        r = trace_format_json(f, spans, &msg);
    else if (!strcmp(format, "chrome"))
        r = trace_format_chrome(f, spans, &msg);
    else
        trace_format_table(f, spans);
    if (r < 0) {
        cli_failf("profile: %s", msg ? msg : "out of memory");
        free(msg);
    }
    return r;
}

static int exit_code(const struct profile_args *p, const struct ktrace_end *end)
{
    if (p->exe || end->status < 0)
        return end->signal && !p->exe ? 128 + end->signal : 0;
    if (WIFEXITED(end->status))
        return WEXITSTATUS(end->status);
    return 128 + WTERMSIG(end->status);
}

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    if (cli_flag(cmd, a, "rules"))
        return print_rules();
    struct profile_args p;
    if (check_args(cmd, a, &p) != 0)
        return 1;
    static uint32_t sysconf[KT_MAX_SYSCALL];
    ktrace_sysconf(sysconf, KT_MAX_SYSCALL);
    struct ktrace_opts o = {.sysconf = sysconf, .n_sysconf = KT_MAX_SYSCALL, .exe = p.exe};
    struct oci_err err = {0};
    struct ktrace *t;
    if (ktrace_open(&o, &t, &err) < 0)
        return cli_fail(&err);
    FILE *f = p.out ? fopen(p.out, "we") : stdout;
    if (!f) {
        ktrace_close(t);
        return cli_failf("profile --out %s: %s", p.out, strerror(errno));
    }
    struct ktrace_end end;
    int rc;
    if (p.exe) {
        fprintf(stderr, "oci-rt: profiling every run of %s", p.exe);
        if (p.duration_ms)
            fprintf(stderr, " for %.3g s", p.duration_ms / 1000.0);
        fprintf(stderr, " (Ctrl-C to stop)\n");
        rc = ktrace_run_for(t, p.duration_ms, &end, &err);
    } else {
        rc = ktrace_run_command(t, p.argv, &end, &err);
    }
    struct spec_spans spans = {0};
    if (rc == 0)
        ktrace_spans(t, &end, &spans);
    uint64_t lost = ktrace_lost(t);
    ktrace_close(t);
    if (rc < 0) {
        if (f != stdout)
            fclose(f);
        return cli_fail(&err);
    }
    if (lost)
        fprintf(stderr, "oci-rt: warning: the kernel dropped %llu records (ring buffer full)\n",
                (unsigned long long)lost);
    if (p.exe && spans.n == 0)
        fprintf(stderr, "oci-rt: no run of %s was seen\n", p.exe);
    int printed = print_spans(f, p.format, &spans);
    spec_spans_free(&spans);
    if (f != stdout && fclose(f) != 0)
        return cli_failf("profile --out %s: %s", p.out, strerror(errno));
    return printed < 0 ? 1 : exit_code(&p, &end);
}

const struct cli_cmd cmd_profile = {
    .name = "profile",
    .fn = run,
    .summary = "the phase waterfall of any runtime, read from the kernel (needs root)",
    .usage = "[--format table|json|chrome] [--out FILE] -- COMMAND...\n"
             "       oci-rt profile --exe PATH [--duration 30s] [--format F] [--out FILE]\n"
             "       oci-rt profile --rules",
    .opts = opts,
    .min_args = 0,
    .max_args = -1,
    .stop_at_first_arg = true,
};
