/* The density workload: N containers at once (default 50, each running the
 * "pause" payload), and the host memory they take: MemAvailable before and
 * after they run, and the sum of their cgroups' memory (memory.current on
 * cgroup v2, memory.usage_in_bytes on v1; the Pss of their processes where
 * the cgroup view has no memory controller). MemAvailable is the whole
 * machine's: anything else running moves it too. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct density {
    char **ids;
    size_t n;
    double start_ms;
};

static int start_all(struct bench *b, struct bench_runtime *rt, struct density *d,
                     struct oci_err *err)
{
    const char *args[] = {"/usr/bin/ocibench-helper", "pause", NULL};
    const struct bench_spec spec = {.args = args};
    for (unsigned k = 0; k < b->o.sz.containers; k++) {
        char *id = bench_new_id(b, rt, "d");
        d->ids[d->n++] = id;
        bench_live_add(rt, id);
        struct bench_call call = {.timeout = b->o.timeout};
        if (b->drv->op(b, rt, BENCH_OP_CREATE, id, &spec, &call, err) < 0)
            return -1;
        if (isfinite(call.ms))
            d->start_ms += call.ms;
        if (b->drv->op(b, rt, BENCH_OP_START, id, &spec, &call, err) < 0)
            return -1;
        d->start_ms += call.ms;
    }
    return 0;
}

static int cgroups_sum(struct bench *b, struct bench_runtime *rt, struct density *d, uint64_t *sum,
                       struct oci_err *err)
{
    *sum = 0;
    for (size_t k = 0; k < d->n; k++) {
        pid_t pid = 0;
        uint64_t bytes;
        const char *how;
        if (b->drv->pid(b, rt, d->ids[k], &pid, err) < 0)
            return -1;
        if (pid <= 0 || bench_cgroup_memory(pid, &bytes, &how) < 0)
            return err_set(err, 0, "container %s: no memory figure of its process %d", d->ids[k],
                           pid);
        *sum += bytes;
        if (!b->mem_how)
            bench_note(b, "density: a container's memory is its %s", how);
        b->mem_how = how;
    }
    return 0;
}

static int remove_all(struct bench *b, struct bench_runtime *rt, struct density *d,
                      struct oci_err *err)
{
    for (size_t k = 0; k < d->n; k++) {
        struct bench_call call = {.timeout = b->o.timeout};
        if (b->drv->op(b, rt, BENCH_OP_KILL, d->ids[k], NULL, &call, err) < 0 ||
            b->drv->wait_stopped(b, rt, d->ids[k], err) < 0 ||
            b->drv->op(b, rt, BENCH_OP_DELETE, d->ids[k], NULL, &call, err) < 0)
            return -1;
        bench_live_del(rt, d->ids[k]);
    }
    return 0;
}

static int measure(struct bench *b, struct bench_runtime *rt, struct density *d, bool record,
                   struct oci_err *err)
{
    double settle = b->o.quick ? 0.2 : 1.0;
    uint64_t before, after, cg;
    if (!bench_sleep(settle) || bench_meminfo_available(&before) < 0)
        return err_set(err, EINTR, "MemAvailable");
    if (start_all(b, rt, d, err) < 0)
        return -1;
    if (!bench_sleep(settle) || bench_meminfo_available(&after) < 0)
        return err_set(err, EINTR, "MemAvailable");
    if (cgroups_sum(b, rt, d, &cg, err) < 0)
        return -1;
    if (record) {
        size_t i = bench_rt_index(b, rt);
        bench_record(b, BENCH_WL_DENSITY, "host_memory", i,
                     ((double)before - (double)after) / 1024.0);
        bench_record(b, BENCH_WL_DENSITY, "cgroup_memory", i, (double)cg / (1 << 20));
        bench_record(b, BENCH_WL_DENSITY, "start_all", i, d->start_ms);
    }
    return 0;
}

int bench_wl_density(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    struct density d = {.ids = xzalloc(b->o.sz.containers * sizeof(char *))};
    int rc = measure(b, rt, &d, record, err);
    if (rc == 0)
        rc = remove_all(b, rt, &d, err);
    for (size_t k = 0; k < d.n; k++)
        free(d.ids[k]);
    free(d.ids);
    return rc;
}
