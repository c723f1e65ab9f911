/* cgroup v1 resources: linux.resources written to the v1 controller files
 * with runc's semantics: a zero value means "not set", and values that the
 * kernel cross-checks (memory and memory+swap, CFS period and quota, RT
 * period and runtime) are written in an order it accepts. Each value is
 * one open/write/close; nothing is read back unless an order depends on it.
 * Every error names the config field and the file. */
#include "config.h"
#include "cgroup_fs.h"
#include "cgroup_v1_res.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ENOTSUPP_KERNEL 524 /* the kernel's ENOTSUPP, seen by some kmem writes */
#define CPU_SHARES_MIN 2
#define CPU_SHARES_MAX 262144 /* the kernel clamps silently outside these */

struct v1_apply {
    const struct cgroup *cg;
    const struct spec_resources *res;
    bool update;
    char dir[PATH_MAX_LEN]; /* the container's directory of the current controller */
};

static int fail(const struct v1_apply *a, const char *field, const char *file, int errnum,
                struct oci_err *err)
{
    if (errnum == ENOENT && access(a->dir, F_OK) == 0)
        return err_set(err, errnum, "linux.resources.%s: %s/%s: not supported by this kernel",
                       field, a->dir, file);
    return err_set(err, errnum, "linux.resources.%s: write %s/%s", field, a->dir, file);
}

/* Write "<value>\n" to a file of the current directory: 0 or -errno. */
static int vraw(const struct v1_apply *a, const char *file, const char *fmt, va_list ap)
{
    char val[512];
    int n = vsnprintf(val, sizeof(val) - 1, fmt, ap);
    if (n < 0 || (size_t)n >= sizeof(val) - 1)
        return -EINVAL;
    val[n] = '\n';
    val[n + 1] = '\0';
    return cg_v1_write(a->dir, file, val);
}

static int __attribute__((format(printf, 3, 4)))
raw(const struct v1_apply *a, const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vraw(a, file, fmt, ap);
    va_end(ap);
    return r;
}

/* Write, and on failure set err naming field and file. */
static int __attribute__((format(printf, 5, 6)))
put(const struct v1_apply *a, struct oci_err *err, const char *field, const char *file,
    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vraw(a, file, fmt, ap);
    va_end(ap);
    return r < 0 ? fail(a, field, file, -r, err) : 0;
}

/* A value the kernel may refuse (EINVAL) until its partner is written:
 * 1 when deferred, to be written again after the partner. A missing file
 * is fine when the value is 0 (the kernel's default). */
static int put_dep(const struct v1_apply *a, bool partner, const char *field, const char *file,
                   uint64_t v, struct oci_err *err)
{
    int r = raw(a, file, "%" PRIu64, v);
    if (r == 0 || (r == -ENOENT && v == 0))
        return 0;
    if (r == -EINVAL && partner)
        return 1;
    return fail(a, field, file, -r, err);
}

/* ---- memory ---- */

/* Kernel memory limits are gone or ignored in current kernels: warn. */
static int put_kmem(const struct v1_apply *a, const char *field, const char *file, int64_t v,
                    struct oci_err *err)
{
    if (v == 0)
        return 0;
    int r = raw(a, file, "%" PRId64, v);
    if (r == -ENOENT || r == -EOPNOTSUPP || r == -ENOTSUPP_KERNEL) {
        log_warn("linux.resources.%s: %s/%s: not supported by this kernel, ignored", field, a->dir,
                 file);
        return 0;
    }
    return r < 0 ? fail(a, field, file, -r, err) : 0;
}

static int put_swap(const struct v1_apply *a, int64_t swap, bool asked, struct oci_err *err)
{
    static const char file[] = "memory.memsw.limit_in_bytes";
    int r = raw(a, file, "%" PRId64, swap);
    if (r == -ENOENT && access(a->dir, F_OK) == 0) {
        if (asked)
            log_warn("linux.resources.memory.swap: %s/%s: no swap accounting in this kernel, "
                     "ignored",
                     a->dir, file);
        return 0;
    }
    return r < 0 ? fail(a, "memory.swap", file, -r, err) : 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
    char buf[32];
    if (cg_v1_read(dir, file, buf, sizeof(buf)) < 0)
        return -1;
    if (parse_u64(buf, v) < 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int check_usage(const struct v1_apply *a, int64_t limit, struct oci_err *err)
{
    uint64_t usage;
    if (read_u64(a->dir, "memory.usage_in_bytes", &usage) < 0)
        return err_set(err, errno,
                       "linux.resources.memory.checkBeforeUpdate: read %s/memory.usage_in_bytes",
                       a->dir);
    if ((uint64_t)limit < usage)
        return err_set(err, 0,
                       "linux.resources.memory.limit: %" PRId64
                       " is below the current usage of %" PRIu64
                       " bytes (%s/memory.usage_in_bytes, checkBeforeUpdate)",
                       limit, usage, a->dir);
    return 0;
}

/* memory.memsw (memory+swap) must stay >= memory.limit at every step:
 * write memsw first when it rises above the current limit, else after. */
static int put_limit_swap(const struct v1_apply *a, const struct spec_memory *m,
                          struct oci_err *err)
{
    static const char lfile[] = "memory.limit_in_bytes";
    int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
    bool asked = swap != 0;
    if (limit == -1 && swap == 0)
        swap = -1; /* unlimited memory: unlimited memory+swap too */
    if (limit > 0 && a->update && m->check_before_update && check_usage(a, limit, err) < 0)
        return -1;
    bool swap_first = false;
    if (limit != 0 && swap != 0) {
        uint64_t cur;
        if (read_u64(a->dir, lfile, &cur) < 0)
            return err_set(err, errno, "linux.resources.memory.limit: read %s/%s", a->dir, lfile);
        swap_first = swap == -1 || cur < (uint64_t)swap;
    }
    if (swap_first && put_swap(a, swap, asked, err) < 0)
        return -1;
    if (limit != 0 && put(a, err, "memory.limit", lfile, "%" PRId64, limit) < 0)
        return -1;
    if (!swap_first && swap != 0 && put_swap(a, swap, asked, err) < 0)
        return -1;
    return 0;
}

static int apply_memory(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_memory *m = a->res->memory;
    if (!m)
        return 0;
    if (m->has_use_hierarchy &&
        put(a, err, "memory.useHierarchy", "memory.use_hierarchy", "%d", m->use_hierarchy) < 0)
        return -1;
    if (m->has_kernel &&
        put_kmem(a, "memory.kernel", "memory.kmem.limit_in_bytes", m->kernel, err) < 0)
        return -1;
    if (m->has_kernel_tcp &&
        put_kmem(a, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, err) < 0)
        return -1;
    if (put_limit_swap(a, m, err) < 0)
        return -1;
    if (m->has_reservation && m->reservation != 0 &&
        put(a, err, "memory.reservation", "memory.soft_limit_in_bytes", "%" PRId64,
            m->reservation) < 0)
        return -1;
    if (m->has_disable_oom_killer && m->disable_oom_killer &&
        put(a, err, "memory.disableOOMKiller", "memory.oom_control", "1") < 0)
        return -1;
    /* -1 stored in a uint64 (Docker up to 18.x wrote its default swappiness
     * -1 as 18446744073709551615): not set, as runc reads it */
    if (!m->has_swappiness || m->swappiness == UINT64_MAX)
        return 0;
    if (m->swappiness > 100)
        return err_set(err, 0, "linux.resources.memory.swappiness: %" PRIu64 " is not in 0..100",
                       m->swappiness);
    return put(a, err, "memory.swappiness", "memory.swappiness", "%" PRIu64, m->swappiness);
}

/* ---- cpu, cpuset, pids ---- */

/* A realtime runtime fits only in its parent's: the ancestors oci-rt made
 * (cg->top down) get this container's share added, top first. */
static int grow_rt_parents(const struct v1_apply *a, int64_t runtime, struct oci_err *err)
{
    size_t dlen = strlen(a->dir), plen = strlen(a->cg->path), tlen = strlen(a->cg->top);
    if (tlen >= plen || dlen < plen)
        return 0;              /* only the container's own directory is ours */
    size_t base = dlen - plen; /* the hierarchy's mount point in dir */
    for (size_t end = base + tlen; end < dlen;
         end = (size_t)(strchr(a->dir + end + 1, '/') - a->dir)) {
        char dir[PATH_MAX_LEN];
        snprintf(dir, sizeof(dir), "%.*s", (int)end, a->dir);
        uint64_t cur = 0;
        read_u64(dir, "cpu.rt_runtime_us", &cur);
        char val[32];
        snprintf(val, sizeof(val), "%" PRId64, (int64_t)cur + runtime);
        int r = cg_v1_write(dir, "cpu.rt_runtime_us", val);
        if (r == -ENOENT)
            return 0; /* no realtime group scheduling: the container's write says so */
        if (r < 0)
            return err_set(err, -r,
                           "linux.resources.cpu.realtimeRuntime: give %s/cpu.rt_runtime_us %s "
                           "(its parent has not that much)",
                           dir, val);
        if (!strchr(a->dir + end + 1, '/'))
            break;
    }
    return 0;
}

static int put_rt(const struct v1_apply *a, const struct spec_cpu *c, struct oci_err *err)
{
    bool runtime = c->has_realtime_runtime && c->realtime_runtime != 0;
    if (runtime && !a->update && c->realtime_runtime > 0 &&
        grow_rt_parents(a, c->realtime_runtime, err) < 0)
        return -1;
    int period = 0;
    if (c->has_realtime_period && c->realtime_period != 0)
        period =
            put_dep(a, runtime, "cpu.realtimePeriod", "cpu.rt_period_us", c->realtime_period, err);
    if (period < 0)
        return -1;
    if (runtime && put(a, err, "cpu.realtimeRuntime", "cpu.rt_runtime_us", "%" PRId64,
                       c->realtime_runtime) < 0)
        return -1;
    if (period == 1 &&
        put(a, err, "cpu.realtimePeriod", "cpu.rt_period_us", "%" PRIu64, c->realtime_period) < 0)
        return -1;
    return 0;
}

static int apply_cpu(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_cpu *c = a->res->cpu;
    if (!c)
        return 0;
    if (c->has_shares && c->shares != 0) {
        if (c->shares < CPU_SHARES_MIN || c->shares > CPU_SHARES_MAX)
            return err_set(err, 0, "linux.resources.cpu.shares: %" PRIu64 " is not in %d..%d",
                           c->shares, CPU_SHARES_MIN, CPU_SHARES_MAX);
        if (put(a, err, "cpu.shares", "cpu.shares", "%" PRIu64, c->shares) < 0)
            return -1;
    }
    /* a shorter period or a larger burst can be refused against the old
     * quota: retried after the quota */
    bool quota = c->has_quota && c->quota != 0;
    int period = 0, burst = 0;
    if (c->has_period && c->period != 0)
        period = put_dep(a, quota, "cpu.period", "cpu.cfs_period_us", c->period, err);
    if (period >= 0 && c->has_burst)
        burst = put_dep(a, quota, "cpu.burst", "cpu.cfs_burst_us", c->burst, err);
    if (period < 0 || burst < 0)
        return -1;
    if (quota && put(a, err, "cpu.quota", "cpu.cfs_quota_us", "%" PRId64, c->quota) < 0)
        return -1;
    if (period == 1 && put(a, err, "cpu.period", "cpu.cfs_period_us", "%" PRIu64, c->period) < 0)
        return -1;
    if (burst == 1 && put(a, err, "cpu.burst", "cpu.cfs_burst_us", "%" PRIu64, c->burst) < 0)
        return -1;
    if (c->has_idle) {
        int r = raw(a, "cpu.idle", "%" PRId64, c->idle);
        if (r < 0 && !(r == -ENOENT && c->idle == 0))
            return fail(a, "cpu.idle", "cpu.idle", -r, err);
    }
    return put_rt(a, c, err);
}

static int apply_cpuset(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_cpu *c = a->res->cpu;
    if (!c)
        return 0;
    if (c->cpus && *c->cpus && put(a, err, "cpu.cpus", "cpuset.cpus", "%s", c->cpus) < 0)
        return -1;
    if (c->mems && *c->mems && put(a, err, "cpu.mems", "cpuset.mems", "%s", c->mems) < 0)
        return -1;
    return 0;
}

static int apply_pids(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_resources *r = a->res;
    if (!r->has_pids_limit || r->pids_limit == 0)
        return 0;
    if (r->pids_limit < 0)
        return put(a, err, "pids.limit", "pids.max", "max");
    return put(a, err, "pids.limit", "pids.max", "%" PRId64, r->pids_limit);
}

/* ---- blkio ---- */

static int put_weight_devices(const struct v1_apply *a, const struct spec_blkio *b,
                              const char *wdfile, struct oci_err *err)
{
    char field[64];
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct spec_blkio_weight_device *w = &b->weight_device[i];
        snprintf(field, sizeof(field), "blockIO.weightDevice[%zu]", i);
        if (w->has_weight && w->weight != 0 &&
            put(a, err, field, wdfile, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
                w->weight) < 0)
            return -1;
        if (w->has_leaf_weight && w->leaf_weight != 0 &&
            put(a, err, field, "blkio.leaf_weight_device", "%" PRId64 ":%" PRId64 " %u", w->major,
                w->minor, w->leaf_weight) < 0)
            return -1;
    }
    return 0;
}

static int put_throttles(const struct v1_apply *a, const struct spec_blkio *b, struct oci_err *err)
{
    const struct {
        const char *field, *file;
        const struct spec_blkio_throttle *t;
        size_t n;
    } lists[] = {
        {"throttleReadBpsDevice", "blkio.throttle.read_bps_device", b->throttle_read_bps,
         b->n_throttle_read_bps},
        {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", b->throttle_write_bps,
         b->n_throttle_write_bps},
        {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", b->throttle_read_iops,
         b->n_throttle_read_iops},
        {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", b->throttle_write_iops,
         b->n_throttle_write_iops},
    };
    char field[64];
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
        for (size_t i = 0; i < lists[l].n; i++) {
            const struct spec_blkio_throttle *t = &lists[l].t[i];
            snprintf(field, sizeof(field), "blockIO.%s[%zu]", lists[l].field, i);
            if (put(a, err, field, lists[l].file, "%" PRId64 ":%" PRId64 " %" PRIu64, t->major,
                    t->minor, t->rate) < 0)
                return -1;
        }
    }
    return 0;
}

static int apply_blkio(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_blkio *b = a->res->block_io;
    if (!b)
        return 0;
    /* CFQ has blkio.weight; with BFQ the files are blkio.bfq.* */
    bool bfq = false;
    if ((b->has_weight && b->weight) || b->n_weight_device) {
        char path[PATH_MAX_LEN + 16];
        snprintf(path, sizeof(path), "%s/blkio.weight", a->dir);
        bfq = access(path, F_OK) < 0;
    }
    if (b->has_weight && b->weight != 0 &&
        put(a, err, "blockIO.weight", bfq ? "blkio.bfq.weight" : "blkio.weight", "%u", b->weight) <
            0)
        return -1;
    if (b->has_leaf_weight && b->leaf_weight != 0 &&
        put(a, err, "blockIO.leafWeight", "blkio.leaf_weight", "%u", b->leaf_weight) < 0)
        return -1;
    if (put_weight_devices(a, b, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device", err) < 0)
        return -1;
    return put_throttles(a, b, err);
}

/* ---- hugetlb, network, rdma, devices ---- */

/* The reservation limit (kernel >= 5.7) follows the usage limit. */
static int apply_hugetlb(struct v1_apply *a, struct oci_err *err)
{
    bool rsvd = true;
    char field[64], file[96];
    for (size_t i = 0; i < a->res->n_hugepage_limits; i++) {
        const struct spec_hugepage_limit *h = &a->res->hugepage_limits[i];
        snprintf(field, sizeof(field), "hugepageLimits[%zu]", i);
        snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", h->page_size);
        if (put(a, err, field, file, "%" PRIu64, h->limit) < 0)
            return -1;
        if (!rsvd)
            continue;
        snprintf(file, sizeof(file), "hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
        int r = raw(a, file, "%" PRIu64, h->limit);
        if (r == -ENOENT)
            rsvd = false;
        else if (r < 0)
            return fail(a, field, file, -r, err);
    }
    return 0;
}

static int apply_net_cls(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_network *n = a->res->network;
    if (!n || !n->has_class_id || n->class_id == 0)
        return 0;
    return put(a, err, "network.classID", "net_cls.classid", "%u", n->class_id);
}

static int apply_net_prio(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_network *n = a->res->network;
    char field[64];
    for (size_t i = 0; n && i < n->n_priorities; i++) {
        snprintf(field, sizeof(field), "network.priorities[%zu]", i);
        if (put(a, err, field, "net_prio.ifpriomap", "%s %u", n->priorities[i].name,
                n->priorities[i].priority) < 0)
            return -1;
    }
    return 0;
}

static int apply_rdma(struct v1_apply *a, struct oci_err *err)
{
    char field[128], handles[32], objects[32];
    for (size_t i = 0; i < a->res->n_rdma; i++) {
        const struct spec_rdma *r = &a->res->rdma[i];
        snprintf(field, sizeof(field), "rdma.%s", r->device);
        snprintf(handles, sizeof(handles), " hca_handle=%u", r->hca_handles);
        snprintf(objects, sizeof(objects), " hca_object=%u", r->hca_objects);
        if (put(a, err, field, "rdma.max", "%s%s%s", r->device, r->has_hca_handles ? handles : "",
                r->has_hca_objects ? objects : "") < 0)
            return -1;
    }
    return 0;
}

/* Deny everything, then each rule in order: "<type> <major>:<minor> <access>". */
static int apply_devices(struct v1_apply *a, struct oci_err *err)
{
    const struct spec_resources *r = a->res;
    if (r->n_devices == 0)
        return 0;
    if (put(a, err, "devices", "devices.deny", "a") < 0)
        return -1;
    char field[32], major[24], minor[24];
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct spec_device_cgroup *d = &r->devices[i];
        snprintf(field, sizeof(field), "devices[%zu]", i);
        snprintf(major, sizeof(major), "%" PRId64, d->major);
        snprintf(minor, sizeof(minor), "%" PRId64, d->minor);
        if (put(a, err, field, d->allow ? "devices.allow" : "devices.deny", "%s %s:%s %s",
                d->type ? d->type : "a", d->has_major && d->major >= 0 ? major : "*",
                d->has_minor && d->minor >= 0 ? minor : "*",
                d->access && *d->access ? d->access : "rwm") < 0)
            return -1;
    }
    return 0;
}

/* runc's order of the v1 controllers */
static const struct {
    const char *ctrl;
    int (*apply)(struct v1_apply *a, struct oci_err *err);
} appliers[] = {
    {"cpuset", apply_cpuset},   {"devices", apply_devices}, {"memory", apply_memory},
    {"cpu", apply_cpu},         {"pids", apply_pids},       {"blkio", apply_blkio},
    {"hugetlb", apply_hugetlb}, {"net_cls", apply_net_cls}, {"net_prio", apply_net_prio},
    {"rdma", apply_rdma},
};

/* Only the controllers mounted as v1: the others are the v2 backend's, and
 * cgroup_apply already refused a resource that no hierarchy can take. */
int cg_v1_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
                struct oci_err *err)
{
    struct v1_apply a = {.cg = cg, .res = res, .update = update};
    for (size_t i = 0; i < ARRAY_SIZE(appliers); i++) {
        if (!cg_v1_dir(cg, appliers[i].ctrl, a.dir, sizeof(a.dir)))
            continue;
        TRACE_BEGINF(span, "cgroup v1 %s", appliers[i].ctrl);
        int rc = appliers[i].apply(&a, err);
        TRACE_END_RC(span, rc);
        if (rc < 0)
            return -1;
    }
    return 0;
}
