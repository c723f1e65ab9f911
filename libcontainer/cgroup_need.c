/* Which controllers the limits of a config ask for: one table, read by the
 * check that every asked controller exists (cgroups.c) and by the cgroup2
 * backend, which enables them down the path (cgroup_v2.c). */
#include "config.h"
#include "cgroup_backend.h"
#include "util.h"

#include <string.h>

size_t cg_needs(const struct spec_resources *r, struct cg_need *out, size_t max)
{
    if (!r)
        return 0;
    const struct spec_cpu *c = r->cpu;
    const struct cg_need all[] = {
        {r->memory != NULL, "memory", "memory", "memory"},
        {c && (c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_idle ||
               c->has_realtime_period || c->has_realtime_runtime),
         "cpu", "cpu", "cpu"},
        {c && ((c->cpus && *c->cpus) || (c->mems && *c->mems)), "cpu.cpus/mems", "cpuset",
         "cpuset"},
        {r->has_pids_limit && r->pids_limit != 0, "pids", "pids", "pids"},
        {r->block_io != NULL, "blockIO", "blkio", "io"},
        {r->n_hugepage_limits > 0, "hugepageLimits", "hugetlb", "hugetlb"},
        {r->network && r->network->has_class_id, "network.classID", "net_cls", NULL},
        {r->network && r->network->n_priorities, "network.priorities", "net_prio", NULL},
        {r->n_rdma > 0, "rdma", "rdma", "rdma"},
    };
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(all) && n < max; i++)
        if (all[i].asked)
            out[n++] = all[i];
    return n;
}

bool cg_unified_needs(const struct spec_resources *r, const char *v2_controller)
{
    size_t len = strlen(v2_controller);
    for (size_t i = 0; r && i < r->unified.n; i++) {
        const char *k = r->unified.items[i].key;
        if (!strncmp(k, v2_controller, len) && k[len] == '.')
            return true;
    }
    return false;
}
