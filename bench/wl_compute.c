/* The workloads that run one program in a container and read its score:
 * cpu and memory (sysbench, a fixed amount of work per round, so that the
 * time is the figure and its max the worst case) and syscall (the loop of
 * ocibench-helper, scored in loops per second as UnixBench does). */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <stdio.h>
#include <string.h>

/* A program's output in a container; what it printed is in *out. */
static int run_program(struct bench *b, struct bench_runtime *rt, const char *const *args,
                       char **out, struct oci_err *err)
{
    const struct bench_spec spec = {.args = args};
    return bench_run_capture(b, rt, "w", &spec, b->o.timeout * 10, out, err);
}

static int need(const char *out, const char *key, double *v, const char *prog, struct oci_err *err)
{
    if (bench_find_number(out, key, v))
        return 0;
    return err_set(err, 0, "%s printed no \"%s\"", prog, key);
}

int bench_wl_cpu(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    char prime[32], events[32];
    snprintf(prime, sizeof(prime), "--cpu-max-prime=%u", b->o.sz.cpu_max_prime);
    snprintf(events, sizeof(events), "--events=%u", b->o.sz.cpu_events);
    const char *args[] = {"/usr/bin/sysbench", "cpu",         prime, events,
                          "--time=0",          "--threads=1", "run", NULL};
    _cleanup_free_ char *out = NULL;
    double total, max;
    if (run_program(b, rt, args, &out, err) < 0 ||
        need(out, "total time:", &total, "sysbench cpu", err) < 0 ||
        need(out, "max:", &max, "sysbench cpu", err) < 0)
        return -1;
    if (record) {
        size_t i = bench_rt_index(b, rt);
        bench_record(b, BENCH_WL_CPU, "time", i, total * 1000);
        bench_record(b, BENCH_WL_CPU, "event_max", i, max);
    }
    return 0;
}

int bench_wl_memory(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    char block[48] = "--memory-block-size=", total_sz[48] = "--memory-total-size=";
    bench_size_arg(b->o.sz.mem_block, block + strlen(block), sizeof(block) - strlen(block));
    bench_size_arg(b->o.sz.mem_total, total_sz + strlen(total_sz),
                   sizeof(total_sz) - strlen(total_sz));
    const char *args[] = {"/usr/bin/sysbench", "memory",      block, total_sz,
                          "--time=0",          "--threads=1", "run", NULL};
    _cleanup_free_ char *out = NULL;
    double total, mibs;
    if (run_program(b, rt, args, &out, err) < 0 ||
        need(out, "total time:", &total, "sysbench memory", err) < 0 ||
        need(out, "MiB transferred", &mibs, "sysbench memory", err) < 0)
        return -1;
    if (record) {
        size_t i = bench_rt_index(b, rt);
        bench_record(b, BENCH_WL_MEMORY, "time", i, total * 1000);
        bench_record(b, BENCH_WL_MEMORY, "throughput", i, mibs);
    }
    return 0;
}

int bench_wl_syscall(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    char secs[32];
    snprintf(secs, sizeof(secs), "%g", b->o.sz.syscall_time);
    const char *args[] = {"/usr/bin/ocibench-helper", "syscall", secs, NULL};
    _cleanup_free_ char *out = NULL;
    double lps;
    if (run_program(b, rt, args, &out, err) < 0 ||
        need(out, "lps", &lps, "ocibench-helper syscall", err) < 0)
        return -1;
    if (record)
        bench_record(b, BENCH_WL_SYSCALL, "lps", bench_rt_index(b, rt), lps);
    return 0;
}
