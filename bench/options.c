/* The command line of oci-bench: one table of options, which also makes
 * --help. --quick is a preset applied before the other options, so that an
 * explicit option wins wherever it stands. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"
#include "runtime/roff.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind { OPT_UINT, OPT_SIZE, OPT_SECONDS, OPT_STR, OPT_FLAG, OPT_FN };

struct opt {
    const char *name;
    int short_name;
    const char *arg;
    enum opt_kind kind;
    size_t off; /* the member of struct bench_opts */
    int (*fn)(struct bench_opts *o, const char *arg);
    const char *help;
};

#define O(m) offsetof(struct bench_opts, m)

static int opt_runtime(struct bench_opts *o, const char *arg);
static int opt_workload(struct bench_opts *o, const char *arg);
static int opt_engine(struct bench_opts *o, const char *arg);
static int opt_shim(struct bench_opts *o, const char *arg);
static int opt_rounds(struct bench_opts *o, const char *arg);
static int opt_payload(struct bench_opts *o, const char *arg);
static int opt_phase_rounds(struct bench_opts *o, const char *arg);
static int opt_help(struct bench_opts *o, const char *arg);
static int opt_version(struct bench_opts *o, const char *arg);
static int opt_nothing(struct bench_opts *o, const char *arg);

static const struct opt opts[] = {
    {"runtime", 'r', "NAME=COMMAND", OPT_FN, 0, opt_runtime,
     "a runtime to compare (repeatable); COMMAND is split like a shell does and may carry "
     "the runtime's global flags or a wrapper (env LD_PRELOAD=... crun). Default: oci-rt, "
     "runc, crun where installed, runsc when on PATH"},
    {"workload", 'w', "NAME", OPT_FN, 0, opt_workload,
     "lifecycle, cpu, memory, fileio, syscall, network or density (repeatable, or a comma "
     "list; default all)"},
    {"engine", 0, "ENGINE", OPT_FN, 0, opt_engine,
     "docker, podman or containerd: run through that engine (its daemon must be running)"},
    {"engine-cmd", 0, "COMMAND", OPT_STR, O(engine_cmd), NULL,
     "the engine's client command (default docker, podman, ctr), e.g. 'docker -H unix:///x'"},
    {"shim", 0, "[LABEL=]SHIM", OPT_FN, 0, opt_shim,
     "containerd: also compare this shim, e.g. io.containerd.kata.v2 (repeatable)"},
    {"baseline", 'b', "NAME", OPT_STR, O(baseline), NULL,
     "the runtime the others are divided by (default runc, else the first)"},
    {"rounds", 'n', "[WORKLOAD=]N", OPT_FN, 0, opt_rounds, "timed rounds (default 10)"},
    {"warmup", 0, "N", OPT_UINT, O(warmup), NULL, "untimed rounds first (default 1)"},
    {"quick", 0, NULL, OPT_FN, 0, opt_nothing,
     "small sizes and few rounds, for CI (other options still apply)"},
    {"containers", 0, "N", OPT_UINT, O(sz.containers), NULL, "density: containers (default 50)"},
    {"cpu-max-prime", 0, "N", OPT_UINT, O(sz.cpu_max_prime), NULL,
     "cpu: sysbench --cpu-max-prime (default 20000)"},
    {"cpu-events", 0, "N", OPT_UINT, O(sz.cpu_events), NULL,
     "cpu: events per round, a fixed amount of work (default 10000)"},
    {"memory-block-size", 0, "SIZE", OPT_SIZE, O(sz.mem_block), NULL,
     "memory: block size (default 1M)"},
    {"memory-total-size", 0, "SIZE", OPT_SIZE, O(sz.mem_total), NULL,
     "memory: total per round (default 100G)"},
    {"fileio-files", 0, "N", OPT_UINT, O(sz.fio_files), NULL, "fileio: files (default 128)"},
    {"fileio-file-size", 0, "SIZE", OPT_SIZE, O(sz.fio_file_size), NULL,
     "fileio: size of each file (default 16M)"},
    {"fileio-block-size", 0, "SIZE", OPT_SIZE, O(sz.fio_block), NULL,
     "fileio: block size (default 16K)"},
    {"fileio-time", 0, "SECONDS", OPT_UINT, O(sz.fio_time), NULL,
     "fileio: seconds per mode (default 5; 0: --fileio-events requests)"},
    {"fileio-events", 0, "N", OPT_UINT, O(sz.fio_events), NULL,
     "fileio: requests per mode when --fileio-time is 0"},
    {"syscall-time", 0, "SECONDS", OPT_SECONDS, O(sz.syscall_time), NULL,
     "syscall: seconds of the loop (default 10)"},
    {"network-time", 0, "SECONDS", OPT_UINT, O(sz.net_time), NULL,
     "network: seconds of iperf3 (default 10)"},
    {"payload", 0, "pause|busy", OPT_FN, 0, opt_payload,
     "lifecycle: what the created container runs until it is killed (default pause)"},
    {"json", 'j', "FILE", OPT_STR, O(json), NULL, "write the results as JSON"},
    {"html", 0, "FILE", OPT_STR, O(html), NULL, "write a self-contained HTML report"},
    {"svg", 0, "FILE", OPT_STR, O(svg), NULL, "write the bar chart alone, as one SVG file"},
    {"workdir", 0, "DIR", OPT_STR, O(workdir_parent), NULL,
     "where the run's rootfs, bundles and files go (default /var/tmp)"},
    {"keep", 0, NULL, OPT_FLAG, O(keep), NULL, "keep the work directory"},
    {"cgroup2-view", 0, NULL, OPT_FLAG, O(cgroup2_view), NULL,
     "direct mode: run everything in a private mount namespace whose /sys/fs/cgroup is a "
     "plain cgroup2 mount (crun refuses hybrid hosts)"},
    {"no-trace", 0, NULL, OPT_FLAG, O(no_trace), NULL,
     "do not pass --trace to oci-rt (no phase breakdown)"},
    {"phases", 0, NULL, OPT_FLAG, O(phases), NULL,
     "direct mode: also run every runtime's lifecycle commands under `oci-rt profile` (kernel "
     "tracing, BPF), in rounds of their own after the timed ones, and compare the runtimes "
     "phase by phase (p50 and max)"},
    {"phase-rounds", 0, "N", OPT_FN, 0, opt_phase_rounds,
     "--phases: profiled rounds (default: as many as the lifecycle's timed rounds)"},
    {"profiler", 0, "PATH", OPT_STR, O(profiler), NULL,
     "--phases: the oci-rt whose profile command is used (default: the oci-rt next to "
     "oci-bench, else on PATH)"},
    {"timeout", 0, "SECONDS", OPT_SECONDS, O(timeout), NULL,
     "limit of one runtime command beyond a workload's own time (default 60)"},
    {"quiet", 'q', NULL, OPT_FLAG, O(quiet), NULL, "no progress line"},
    {"help", 'h', NULL, OPT_FN, 0, opt_help, "show this help"},
    {"version", 'V', NULL, OPT_FN, 0, opt_version, "print the version"},
};

/* what --help and the man page say around the options */
static const char about[] =
    "Compares OCI runtimes side by side: container lifecycle, cpu, memory, file I/O,\n"
    "system calls, network and density, with p50 and worst case, oci-rt's own\n"
    "phases and (--phases) every runtime's phases read from the kernel. Needs root.\n";
static const char exit_status[] =
    "Exit status: 0 done, 1 error, 2 bad usage, 3 done but a runtime failed and was\n"
    "dropped, 130 interrupted (what was measured is still written).\n";

static void usage(FILE *f)
{
    fprintf(f, "Usage: oci-bench [OPTIONS]\n\n%s\nOptions:\n", about);
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
        char left[64];
        snprintf(left, sizeof(left), "%c%c%s --%s%s%s", opts[i].short_name ? '-' : ' ',
                 opts[i].short_name ? opts[i].short_name : ' ', opts[i].short_name ? "," : " ",
                 opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-34s ", left);
        /* wrap the help at 100 columns */
        const char *h = opts[i].help;
        size_t col = 37;
        while (*h) {
            const char *sp = strchr(h, ' ');
            size_t w = sp ? (size_t)(sp - h) : strlen(h);
            if (col + w > 100) {
                fprintf(f, "\n%37s", "");
                col = 37;
            }
            fprintf(f, "%s%.*s", col > 37 ? " " : "", (int)w, h);
            col += w + 1;
            h += w + (sp ? 1 : 0);
        }
        fputc('\n', f);
    }
    fprintf(f, "\n%s", exit_status);
}

int bench_options_write_man(const char *path)
{
    FILE *f = fopen(path, "we");
    if (!f) {
        fprintf(stderr, "oci-bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    roff_header(f, "oci-bench", "oci-bench", "compare OCI runtimes side by side");
    fputs(".SH SYNOPSIS\n\\fBoci\\-bench\\fR [\\fIOPTIONS\\fR]\n.SH DESCRIPTION\n", f);
    roff_text(f, about);
    fputs(".SH OPTIONS\n", f);
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        roff_option(f, (char)opts[i].short_name, opts[i].name, opts[i].arg, opts[i].help);
    fputs(".SH EXIT STATUS\n", f);
    roff_text(f, exit_status + strlen("Exit status: "));
    fputs(".SH SEE ALSO\n.BR oci\\-rt (8)\n", f);
    bool bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "oci-bench: %s: write error\n", path);
        return -1;
    }
    return 0;
}

static int bad(const char *opt, const char *fmt, const char *arg)
{
    fprintf(stderr, "oci-bench: --%s: ", opt);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return -1;
}

static int parse_uint(const char *s, unsigned *out)
{
    uint64_t v;
    if (parse_u64(s, &v) < 0 || v > 1000000000u)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* 16K, 1M, 100G (powers of 1024), or bytes */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
    if (*end && (!u || (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))))
        return -1;
    for (const char *k = units; u && k <= u; k++)
        v *= 1024;
    *out = v;
    return v ? 0 : -1;
}

static int set_value(struct bench_opts *o, const struct opt *d, const char *arg)
{
    char *p = (char *)o + d->off;
    char *end;
    switch (d->kind) {
    case OPT_UINT:
        return parse_uint(arg, (unsigned *)p) < 0
                   ? bad(d->name, "expected a number, got \"%s\"", arg)
                   : 0;
    case OPT_SIZE:
        return parse_size(arg, (uint64_t *)p) < 0
                   ? bad(d->name, "expected a size such as 16K, 1M or 100G, got \"%s\"", arg)
                   : 0;
    case OPT_SECONDS:
        *(double *)p = strtod(arg, &end);
        return (*arg && !*end && *(double *)p > 0)
                   ? 0
                   : bad(d->name, "expected seconds (> 0), got \"%s\"", arg);
    case OPT_STR:
        free(*(char **)p);
        *(char **)p = xstrdup(arg);
        return 0;
    case OPT_FLAG:
        *(bool *)p = true;
        return 0;
    case OPT_FN:
        return d->fn(o, arg);
    }
    return -1;
}

static void append(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 2) * sizeof(**v));
    (*v)[(*n)++] = xstrdup(s);
    (*v)[*n] = NULL;
}

static int opt_runtime(struct bench_opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return bad("runtime", "expected NAME=COMMAND, got \"%s\"", arg);
    for (const char *c = arg; c < eq; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
            return bad("runtime", "a NAME is made of letters, digits, '.', '_' and '-': \"%s\"",
                       arg);
    append(&o->rt_specs, &o->nrt_specs, arg);
    return 0;
}

static int opt_workload(struct bench_opts *o, const char *arg)
{
    static bool first = true;
    _cleanup_free_ char *copy = xstrdup(arg);
    char *save = NULL;
    if (first) /* the first --workload replaces the default (all) */
        memset(o->wl, 0, sizeof(o->wl));
    first = false;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int i = bench_wl_lookup(w);
        if (i < 0) {
            fprintf(stderr,
                    "oci-bench: unknown workload \"%s\" (lifecycle, cpu, memory, fileio, "
                    "syscall, network, density)\n",
                    w);
            return -1;
        }
        o->wl[i] = true;
    }
    return 0;
}

static int opt_engine(struct bench_opts *o, const char *arg)
{
    static const char *const names[] = {"docker", "podman", "containerd"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (!strcmp(arg, names[i])) {
            o->engine = (enum bench_engine)(BENCH_DOCKER + i);
            return 0;
        }
    return bad("engine", "unknown engine \"%s\" (docker, podman, containerd)", arg);
}

static int opt_shim(struct bench_opts *o, const char *arg)
{
    append(&o->shims, &o->nshims, arg);
    return 0;
}

static int opt_rounds(struct bench_opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    unsigned n;
    if (parse_uint(eq ? eq + 1 : arg, &n) < 0 || n == 0)
        return bad("rounds", "expected [WORKLOAD=]N with N >= 1, got \"%s\"", arg);
    if (!eq) {
        for (int i = 0; i < BENCH_NWL; i++)
            o->rounds[i] = n;
        return 0;
    }
    _cleanup_free_ char *name = xstrndup(arg, (size_t)(eq - arg));
    int i = bench_wl_lookup(name);
    if (i < 0)
        return bad("rounds", "unknown workload \"%s\"", name);
    o->rounds[i] = n;
    return 0;
}

static int opt_phase_rounds(struct bench_opts *o, const char *arg)
{
    if (parse_uint(arg, &o->phase_rounds) < 0 || o->phase_rounds == 0)
        return bad("phase-rounds", "expected N >= 1, got \"%s\"", arg);
    return 0;
}

static int opt_payload(struct bench_opts *o, const char *arg)
{
    if (strcmp(arg, "pause") && strcmp(arg, "busy"))
        return bad("payload", "expected pause or busy, got \"%s\"", arg);
    free(o->payload);
    o->payload = xstrdup(arg);
    return 0;
}

static int opt_help(struct bench_opts *o, const char *arg)
{
    (void)o, (void)arg;
    usage(stdout);
    exit(0);
}

static int opt_version(struct bench_opts *o, const char *arg)
{
    (void)o, (void)arg;
    printf("oci-bench (oci-rt) %s\ncommit: %s\n", PACKAGE_VERSION, GIT_COMMIT);
    exit(0);
}

static int opt_nothing(struct bench_opts *o, const char *arg)
{
    (void)o, (void)arg;
    return 0;
}

static void defaults(struct bench_opts *o)
{
    for (int i = 0; i < BENCH_NWL; i++) {
        o->wl[i] = true;
        o->rounds[i] = 10;
    }
    o->warmup = 1;
    o->sz = (struct bench_sizes){.containers = 50,
                                 .cpu_max_prime = 20000,
                                 .cpu_events = 10000,
                                 .mem_block = 1 << 20,
                                 .mem_total = 100ULL << 30,
                                 .fio_files = 128,
                                 .fio_file_size = 16 << 20,
                                 .fio_block = 16 << 10,
                                 .fio_time = 5,
                                 .fio_events = 0,
                                 .syscall_time = 10,
                                 .net_time = 10};
    o->payload = xstrdup("pause");
    o->timeout = 60;
}

/* small enough for CI: a few seconds per workload and runtime */
static void quick(struct bench_opts *o)
{
    o->quick = true;
    for (int i = 0; i < BENCH_NWL; i++)
        o->rounds[i] = 2;
    o->rounds[BENCH_WL_LIFECYCLE] = 5;
    o->sz = (struct bench_sizes){.containers = 3,
                                 .cpu_max_prime = 2000,
                                 .cpu_events = 200,
                                 .mem_block = 1 << 20,
                                 .mem_total = 1ULL << 30,
                                 .fio_files = 4,
                                 .fio_file_size = 4 << 20,
                                 .fio_block = 16 << 10,
                                 .fio_time = 0,
                                 .fio_events = 256,
                                 .syscall_time = 0.2,
                                 .net_time = 1};
}

static int check(struct bench_opts *o)
{
    if (o->cgroup2_view && o->engine != BENCH_DIRECT) {
        fprintf(stderr, "oci-bench: --cgroup2-view: direct mode only (an engine's daemon "
                        "creates the cgroups in its own view)\n");
        return -1;
    }
    if (!o->phases && (o->profiler || o->phase_rounds)) {
        fprintf(stderr, "oci-bench: --%s: only with --phases\n",
                o->profiler ? "profiler" : "phase-rounds");
        return -1;
    }
    if (o->phases && o->engine != BENCH_DIRECT) {
        fprintf(stderr, "oci-bench: --phases: direct mode only (an engine's daemon runs the "
                        "runtime, not oci-bench)\n");
        return -1;
    }
    if (o->phases && !o->wl[BENCH_WL_LIFECYCLE]) {
        fprintf(stderr, "oci-bench: --phases: profiles the lifecycle workload, which is not "
                        "selected (-w lifecycle)\n");
        return -1;
    }
    if (o->nshims && o->engine != BENCH_CONTAINERD) {
        fprintf(stderr, "oci-bench: --shim: only with --engine containerd\n");
        return -1;
    }
    if (o->sz.fio_time == 0 && o->sz.fio_events == 0) {
        fprintf(stderr, "oci-bench: --fileio-time 0 needs --fileio-events N\n");
        return -1;
    }
    if (o->sz.containers == 0) {
        fprintf(stderr, "oci-bench: --containers: expected at least 1\n");
        return -1;
    }
    return 0;
}

int bench_options_parse(int argc, char **argv, struct bench_opts *o)
{
    struct option lo[ARRAY_SIZE(opts) + 1];
    char shorts[ARRAY_SIZE(opts) * 2 + 2] = ":";
    memset(lo, 0, sizeof(lo));
    memset(o, 0, sizeof(*o));
    defaults(o);
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
        lo[i] = (struct option){opts[i].name, opts[i].arg ? required_argument : no_argument, NULL,
                                opts[i].short_name ? opts[i].short_name : 256 + (int)i};
        if (opts[i].short_name) {
            char s[3] = {(char)opts[i].short_name, opts[i].arg ? ':' : '\0', '\0'};
            strcat(shorts, s);
        }
    }
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--quick"))
            quick(o);
    int c, idx;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
        if (c == '?' || c == ':') {
            fprintf(stderr, "oci-bench: %s option %s (oci-bench --help lists them)\n",
                    c == '?' ? "unknown" : "missing the value of", argv[optind - 1]);
            return -1;
        }
        for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
            if (c == (opts[i].short_name ? opts[i].short_name : 256 + (int)i)) {
                if (set_value(o, &opts[i], optarg) < 0)
                    return -1;
                break;
            }
    }
    if (optind < argc) {
        fprintf(stderr, "oci-bench: unexpected argument \"%s\" (oci-bench --help)\n", argv[optind]);
        return -1;
    }
    return check(o);
}

void bench_options_free(struct bench_opts *o)
{
    for (size_t i = 0; i < o->nrt_specs; i++)
        free(o->rt_specs[i]);
    for (size_t i = 0; i < o->nshims; i++)
        free(o->shims[i]);
    free(o->rt_specs);
    free(o->shims);
    free(o->engine_cmd);
    free(o->baseline);
    free(o->payload);
    free(o->json);
    free(o->html);
    free(o->svg);
    free(o->workdir_parent);
    free(o->profiler);
    memset(o, 0, sizeof(*o));
}
