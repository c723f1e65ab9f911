/* Which controllers the limits of a config ask for: one table, read by the
 * check that every asked controller exists (cgroups.c) and by the cgroup2
 * backend, which enables them down the path (cgroup_v2_enable.c); and the
 * device rules every container gets. */
#include "config.h"
#include "cgroup_need.h"
#include "util.h"

#include <string.h>

/* An object that sets nothing writes no file, and like runc and crun it
 * needs no controller: Docker sends "memory": {"disableOOMKiller": false},
 * "cpu": {"shares": 0} and "blockIO": {"weight": 0} with every container
 * (a zero share or weight is "not set" when the limits are applied too). */
static bool memory_asked(const struct spec_memory *m)
{
    return m && (m->has_limit || m->has_reservation || m->has_swap || m->has_kernel ||
                 m->has_kernel_tcp || m->has_swappiness ||
                 (m->has_disable_oom_killer && m->disable_oom_killer));
}

static bool blkio_asked(const struct spec_blkio *b)
{
    return b && ((b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) ||
                 b->n_weight_device || b->n_throttle_read_bps || b->n_throttle_write_bps ||
                 b->n_throttle_read_iops || b->n_throttle_write_iops);
}

size_t cg_needs(const struct spec_resources *r, struct cg_need *out, size_t max)
{
    if (!r)
        return 0;
    const struct spec_cpu *c = r->cpu;
    const struct cg_need all[] = {
        {memory_asked(r->memory), "memory", "memory", "memory"},
        {c && ((c->has_shares && c->shares) || c->has_quota || c->has_period || c->has_burst ||
               c->has_idle || c->has_realtime_period || c->has_realtime_runtime),
         "cpu", "cpu", "cpu"},
        {c && ((c->cpus && *c->cpus) || (c->mems && *c->mems)), "cpu.cpus/mems", "cpuset",
         "cpuset"},
        {r->has_pids_limit && r->pids_limit != 0, "pids", "pids", "pids"},
        {blkio_asked(r->block_io), "blockIO", "blkio", "io"},
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

/* The devices every container may use whatever its rules say, appended
 * after them as runc does: mknod of any node, and the default nodes. */
static const struct spec_device_cgroup default_devices[] = {
    {true, "c", false, false, 0, 0, "m"},    {true, "b", false, false, 0, 0, "m"},
    {true, "c", true, true, 1, 3, "rwm"},    {true, "c", true, true, 1, 8, "rwm"},
    {true, "c", true, true, 1, 7, "rwm"},    {true, "c", true, true, 5, 0, "rwm"},
    {true, "c", true, true, 1, 5, "rwm"},    {true, "c", true, true, 1, 9, "rwm"},
    {true, "c", true, false, 136, 0, "rwm"}, {true, "c", true, true, 5, 2, "rwm"},
    {true, "c", true, true, 10, 200, "rwm"},
};

struct spec_device_cgroup *cg_devices_with_defaults(const struct spec_resources *res, size_t *n)
{
    size_t own = res ? res->n_devices : 0;
    *n = own + ARRAY_SIZE(default_devices);
    struct spec_device_cgroup *devs = xmalloc(*n * sizeof(*devs));
    if (own)
        memcpy(devs, res->devices, own * sizeof(*devs));
    memcpy(devs + own, default_devices, sizeof(default_devices));
    return devs;
}
