/* oci-bench: parse, set up (the private cgroup2 view, the runtimes, the
 * rootfs, the engine), run the workloads, clean up everything the run made
 * (also after Ctrl-C) and write the reports (also the partial ones). */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static void on_stop(int sig)
{
    (void)sig;
    bench_stop = 1;
}

static void on_stop_cleaning(int sig)
{
    (void)sig;
    static const char msg[] = "\noci-bench: cleaning up, please wait\n";
    (void)!write(2, msg, sizeof(msg) - 1);
}

static void handle_signals(void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn; /* no SA_RESTART: a wait returns and looks at bench_stop */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

long bench_baseline(const struct bench *b)
{
    const char *want = b->o.baseline ? b->o.baseline : "runc";
    for (size_t i = 0; i < b->nrts; i++)
        if (!strcmp(b->rts[i].name, want))
            return (long)i;
    return b->o.baseline || b->nrts < 2 ? -1 : 0;
}

static const struct bench_driver *driver(enum bench_engine e)
{
    static const struct bench_driver *const drivers[] = {
        [BENCH_DIRECT] = &bench_driver_direct,
        [BENCH_DOCKER] = &bench_driver_docker,
        [BENCH_PODMAN] = &bench_driver_podman,
        [BENCH_CONTAINERD] = &bench_driver_containerd,
    };
    return drivers[e];
}

static void make_tag(struct bench *b)
{
    unsigned r = 0;
    if (getrandom(&r, sizeof(r), 0) != sizeof(r))
        r = (unsigned)getpid() * 2654435761u;
    xasprintf(&b->tag, "%05x", r & 0xfffff);
}

static int make_workdir(struct bench *b, struct oci_err *err)
{
    const char *parent = b->o.workdir_parent ? b->o.workdir_parent : "/var/tmp";
    xasprintf(&b->workdir, "%s/ocibench-%s.XXXXXX", parent, b->tag);
    if (!mkdtemp(b->workdir)) {
        int e = errno;
        free(b->workdir);
        b->workdir = NULL;
        return err_set(err, e, "--workdir %s", parent);
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* everything the run made, in reverse order */
static void cleanup(struct bench *b)
{
    handle_signals(on_stop_cleaning);
    b->interrupted = b->interrupted || bench_stop;
    bench_stop = 0;
    for (size_t i = 0; i < b->nrts; i++)
        bench_remove_all(b, &b->rts[i]);
    if (b->drv_data || b->o.engine == BENCH_DIRECT)
        b->drv->fini(b);
    char parent[64];
    snprintf(parent, sizeof(parent), "ocibench-%s", b->tag);
    bench_cgroups_remove(parent);
    if (b->workdir && !b->o.keep)
        nftw(b->workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    else if (b->workdir)
        bench_say(b, "oci-bench: kept %s", b->workdir);
}

static int set_up(struct bench *b, struct oci_err *err)
{
    if (b->o.cgroup2_view && bench_cgroup2_view(err) < 0)
        return -1;
    bench_env_collect(&b->env, b->o.cgroup2_view);
    if (make_workdir(b, err) < 0)
        return -1;
    bench_profile_check(b);
    if (bench_rootfs_build(b, err) < 0)
        return -1;
    if (b->drv->init(b, err) < 0)
        return -1;
    bench_metrics_init(b); /* the runtimes are known now (docker may have dropped some) */
    if (bench_stop)
        return err_set(err, EINTR, "interrupted");
    b->probed = true;
    if (bench_runtimes_probe(b) < 0 && !bench_stop)
        return err_set(err, 0, "no runtime could run a container");
    return 0;
}

static int write_reports(struct bench *b)
{
    struct oci_err err = {0};
    int rc = 0;
    bench_table_print(b);
    if (b->o.json && bench_json_write(b, b->o.json, &err) < 0) {
        fprintf(stderr, "oci-bench: %s\n", err.msg);
        err_clear(&err);
        rc = -1;
    }
    if (b->o.html && bench_html_write(b, b->o.html, &err) < 0) {
        fprintf(stderr, "oci-bench: %s\n", err.msg);
        err_clear(&err);
        rc = -1;
    }
    if (b->o.svg && bench_svg_write(b, b->o.svg, &err) < 0) {
        fprintf(stderr, "oci-bench: %s\n", err.msg);
        rc = -1;
    }
    return rc;
}

static int exit_status(const struct bench *b, bool setup_failed, int reports)
{
    if (b->interrupted)
        return 130;
    if (setup_failed || reports < 0)
        return 1;
    for (size_t i = 0; i < b->nrts; i++) {
        if (b->rts[i].failed)
            return 3;
        for (int w = 0; w < BENCH_NWL; w++)
            if (b->rts[i].wl_error[w])
                return 3;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct bench b = {0};
    struct oci_err err = {0};
    if (argc == 3 && !strcmp(argv[1], "--generate-man")) /* not an option: for make */
        return bench_options_write_man(argv[2]) < 0;
    if (bench_options_parse(argc, argv, &b.o) < 0)
        return 2;
    b.drv = driver(b.o.engine);
    b.t0 = bench_now();
    make_tag(&b);
    if (bench_runtimes_init(&b, &err) < 0 || bench_profile_init(&b, &err) < 0) {
        fprintf(stderr, "oci-bench: %s\n", err.msg);
        return 2;
    }
    if (geteuid() != 0) {
        fprintf(stderr,
                "oci-bench: needs root (it runs containers and makes network "
                "namespaces and cgroups%s)\n",
                b.o.phases ? "; --phases loads BPF programs through oci-rt profile" : "");
        return 1;
    }
    handle_signals(on_stop);
    bool failed = set_up(&b, &err) < 0;
    if (failed && !bench_stop)
        fprintf(stderr, "oci-bench: %s\n", err.msg);
    if (!failed)
        bench_run_workloads(&b);
    bench_progress(&b, true);
    if (bench_stop)
        fprintf(stderr, "oci-bench: interrupted: cleaning up, then writing what was measured\n");
    cleanup(&b);
    b.wall = bench_now() - b.t0;
    /* a run that measured nothing (bad set-up) has nothing to report */
    int reports = b.probed ? write_reports(&b) : 0;
    int status = exit_status(&b, failed, reports);
    bench_runtimes_free(&b);
    for (size_t i = 0; i < b.nmetrics; i++) {
        for (size_t k = 0; k < b.nrts; k++)
            bench_samples_free(&b.metrics[i].rt[k]);
        free(b.metrics[i].rt);
    }
    free(b.profiler);
    free(b.profile_error);
    return status;
}
