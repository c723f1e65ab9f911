/* cgroup v2 resources: linux.resources written to the container's v2
 * directory, converted from the spec's v1 values the way runc does, and
 * the "unified" map as is. Each resource is applied only when its
 * controller is enabled for the container (on a hybrid host the others go
 * to v1; on a unified host cgroups.c has already refused what is missing).
 * Statistics at the end: what `oci-rt events --stats` reports. */
#include "config.h"
#include "cgroup_bpf.h"
#include "cgroup_fs.h"
#include "cgroup_need.h"
#include "cgroup_v2_enable.h"
#include "cgroup_v2_res.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct v2ctx {
    struct cgroup *cg;
    int dfd; /* the container's directory */
    char dir[PATH_MAX_LEN];
    char controllers[512]; /* its cgroup.controllers */
    bool update;
    struct oci_err *err;
};

uint64_t cg2_cpu_weight(uint64_t shares)
{
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg2_io_weight(uint64_t w)
{
    if (w < 10)
        w = 10;
    if (w > 1000)
        w = 1000;
    return 1 + (w - 10) * 9999 / 990;
}

int cg2_swap_max(int64_t swap, int64_t limit, int64_t *out, struct oci_err *err)
{
    if (limit == -1 && swap == 0) { /* both unlimited, as on v1 */
        *out = -1;
        return 0;
    }
    if (swap == -1 || swap == 0) {
        *out = swap;
        return 0;
    }
    if (limit == 0 || limit == -1)
        return err_set(err, 0, "linux.resources.memory.swap: a swap limit needs a memory limit");
    if (limit < 0 || swap < limit)
        return err_set(err, 0,
                       "linux.resources.memory.swap: %" PRId64 " is below memory.limit %" PRId64
                       " (swap counts memory+swap)",
                       swap, limit);
    *out = swap - limit;
    return 0;
}

/* Write val to dfd/file; each line is its own write(2): the kernel takes
 * one entry (one device of io.max, ...) per write. 0 or -1 with errno. */
static int put_raw(int dfd, const char *file, const char *val)
{
    _cleanup_close_ int fd = openat(dfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (const char *p = val; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (n > 1 || *p != '\n') {
            ssize_t w = write(fd, p, n);
            if (w < 0)
                return -1;
            if ((size_t)w != n) {
                errno = EIO;
                return -1;
            }
        }
        p += n;
    }
    return 0;
}

static int put(struct v2ctx *c, const char *field, const char *file, const char *val)
{
    if (put_raw(c->dfd, file, val) == 0)
        return 0;
    return err_set(c->err, errno, "linux.resources.%s: write \"%s\" to %s/%s", field, val, c->dir,
                   file);
}

static bool has(const struct v2ctx *c, const char *ctrl)
{
    return cg2_word_in(c->controllers, ctrl);
}

/* -1 -> "max", else the number */
static const char *num(int64_t v, char buf[24])
{
    if (v == -1)
        return "max";
    snprintf(buf, 24, "%" PRId64, v);
    return buf;
}

/* The current value of a "N" or "max" file: -1 for max. */
static int read_limit(struct v2ctx *c, const char *file, int64_t *out)
{
    char buf[64];
    if (cg2_read(c->dfd, file, buf, sizeof(buf)) < 0)
        return err_set(c->err, errno, "cgroup: read %s/%s", c->dir, file);
    uint64_t v;
    buf[strcspn(buf, "\n")] = '\0';
    if (!strcmp(buf, "max"))
        *out = -1;
    else if (parse_u64(buf, &v) == 0)
        *out = (int64_t)v;
    else
        return err_set(c->err, 0, "cgroup: %s/%s: unexpected \"%s\"", c->dir, file, buf);
    return 0;
}

static void ignored_v1_memory(const struct spec_memory *m)
{
    static const char *const names[] = {"kernel", "kernelTCP", "swappiness", "disableOOMKiller",
                                        "useHierarchy"};
    bool set[] = {m->has_kernel, m->has_kernel_tcp, m->has_swappiness, m->has_disable_oom_killer,
                  m->has_use_hierarchy};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (set[i])
            log_debug("cgroup v2: linux.resources.memory.%s is cgroup v1 only: ignored", names[i]);
}

static int check_usage(struct v2ctx *c, int64_t limit)
{
    int64_t cur;
    if (read_limit(c, "memory.current", &cur) < 0)
        return -1;
    if (limit < cur)
        return err_set(c->err, 0,
                       "linux.resources.memory.limit: %" PRId64
                       " is below the current usage %" PRId64 " of %s",
                       limit, cur, c->dir);
    return 0;
}

static int apply_swap(struct v2ctx *c, const struct spec_memory *m, int64_t limit)
{
    int64_t swap = m->has_swap ? m->swap : 0, out;
    if (swap > 0 && limit == 0 && c->update && read_limit(c, "memory.max", &limit) < 0)
        return -1;
    if (cg2_swap_max(swap, limit, &out, c->err) < 0)
        return -1;
    char buf[24];
    const char *val = out == 0 && swap > 0 ? "0" : out == 0 ? NULL : num(out, buf);
    if (!val || put_raw(c->dfd, "memory.swap.max", val) == 0)
        return 0;
    if (errno == ENOENT && (out == -1 || out == 0)) { /* no swap accounting: nothing to lift */
        log_debug("cgroup v2: no memory.swap.max in %s: swap %s ignored", c->dir, val);
        return 0;
    }
    return err_set(c->err, errno, "linux.resources.memory.swap: write \"%s\" to %s/memory.swap.max",
                   val, c->dir);
}

static int apply_memory(struct v2ctx *c, const struct spec_memory *m)
{
    ignored_v1_memory(m);
    int64_t limit = m->has_limit ? m->limit : 0;
    int64_t low = m->has_reservation ? m->reservation : 0;
    if (limit < -1 || low < -1)
        return err_set(c->err, 0, "linux.resources.memory.%s: invalid value %" PRId64,
                       limit < -1 ? "limit" : "reservation", limit < -1 ? limit : low);
    if (c->update && limit > 0 && m->has_check_before_update && m->check_before_update &&
        check_usage(c, limit) < 0)
        return -1;
    if (apply_swap(c, m, limit) < 0)
        return -1;
    char buf[24];
    if (limit != 0 && put(c, "memory.limit", "memory.max", num(limit, buf)) < 0)
        return -1;
    if (low != 0 && put(c, "memory.reservation", "memory.low", num(low, buf)) < 0)
        return -1;
    return 0;
}

/* cpu.max "QUOTA PERIOD": quota <= 0 is "max"; a period alone keeps the
 * quota, a quota alone keeps the period (100000 at create). */
static int apply_cpu_max(struct v2ctx *c, const struct spec_cpu *p)
{
    bool q_set = p->has_quota && p->quota != 0, p_set = p->has_period && p->period != 0;
    if (!q_set && !p_set)
        return 0;
    char quota[24] = "max", val[64], cur[64];
    if (q_set && p->quota > 0)
        snprintf(quota, sizeof(quota), "%" PRId64, p->quota);
    if (!q_set && c->update) {
        if (cg2_read(c->dfd, "cpu.max", cur, sizeof(cur)) < 0)
            return err_set(c->err, errno, "cgroup: read %s/cpu.max", c->dir);
        snprintf(quota, sizeof(quota), "%.*s", (int)strcspn(cur, " \n"), cur);
    }
    if (p_set)
        snprintf(val, sizeof(val), "%s %" PRIu64, quota, p->period);
    else if (c->update)
        snprintf(val, sizeof(val), "%s", quota);
    else
        snprintf(val, sizeof(val), "%s 100000", quota);
    return put(c, q_set ? "cpu.quota" : "cpu.period", "cpu.max", val);
}

static int apply_cpu(struct v2ctx *c, const struct spec_cpu *p)
{
    if ((p->has_realtime_runtime && p->realtime_runtime != 0) ||
        (p->has_realtime_period && p->realtime_period != 0))
        return err_set(c->err, 0,
                       "linux.resources.cpu.%s: real-time CPU limits are not supported on "
                       "cgroup v2",
                       p->has_realtime_runtime && p->realtime_runtime ? "realtimeRuntime"
                                                                      : "realtimePeriod");
    char buf[32];
    if (p->has_shares && p->shares != 0) {
        snprintf(buf, sizeof(buf), "%" PRIu64, cg2_cpu_weight(p->shares));
        if (put(c, "cpu.shares", "cpu.weight", buf) < 0)
            return -1;
    }
    /* the burst may not exceed the quota: set it before a raised quota
     * and after a lowered one */
    snprintf(buf, sizeof(buf), "%" PRIu64, p->burst);
    bool burst_done = p->has_burst && put_raw(c->dfd, "cpu.max.burst", buf) == 0;
    if (apply_cpu_max(c, p) < 0)
        return -1;
    if (p->has_burst && !burst_done && put(c, "cpu.burst", "cpu.max.burst", buf) < 0)
        return -1;
    if (p->has_idle) {
        snprintf(buf, sizeof(buf), "%" PRId64, p->idle);
        if (put(c, "cpu.idle", "cpu.idle", buf) < 0)
            return -1;
    }
    return 0;
}

static int apply_cpuset(struct v2ctx *c, const struct spec_cpu *p)
{
    if (p->cpus && *p->cpus && put(c, "cpu.cpus", "cpuset.cpus", p->cpus) < 0)
        return -1;
    if (p->mems && *p->mems && put(c, "cpu.mems", "cpuset.mems", p->mems) < 0)
        return -1;
    return 0;
}

static int apply_pids(struct v2ctx *c, int64_t limit)
{
    char buf[24];
    return put(c, "pids.limit", "pids.max", limit < 0 ? "max" : num(limit, buf));
}

static void append(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *add;
    if (vasprintf(&add, fmt, ap) < 0)
        abort();
    va_end(ap);
    size_t old = *s ? strlen(*s) : 0;
    *s = xrealloc(*s, old + strlen(add) + 1);
    strcpy(*s + old, add);
    free(add);
}

/* io.max: one line per device with the limits of the four throttle lists. */
static char *io_max_lines(const struct spec_blkio *b)
{
    static const char *const keys[] = {"rbps", "wbps", "riops", "wiops"};
    const struct spec_blkio_throttle *lists[] = {b->throttle_read_bps, b->throttle_write_bps,
                                                 b->throttle_read_iops, b->throttle_write_iops};
    size_t counts[] = {b->n_throttle_read_bps, b->n_throttle_write_bps, b->n_throttle_read_iops,
                       b->n_throttle_write_iops};
    char *out = NULL;
    for (size_t l = 0; l < 4; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const struct spec_blkio_throttle *d = &lists[l][i];
            bool seen = false; /* the device's line was written with an earlier list */
            for (size_t pl = 0; pl < l && !seen; pl++)
                for (size_t j = 0; j < counts[pl] && !seen; j++)
                    seen = lists[pl][j].major == d->major && lists[pl][j].minor == d->minor;
            for (size_t j = 0; j < i && !seen; j++)
                seen = lists[l][j].major == d->major && lists[l][j].minor == d->minor;
            if (seen)
                continue;
            append(&out, "%" PRId64 ":%" PRId64, d->major, d->minor);
            for (size_t k = l; k < 4; k++) {
                for (size_t j = 0; j < counts[k]; j++) {
                    const struct spec_blkio_throttle *e = &lists[k][j];
                    if (e->major != d->major || e->minor != d->minor)
                        continue;
                    if (e->rate)
                        append(&out, " %s=%" PRIu64, keys[k], e->rate);
                    else /* 0 lifts the limit, as on v1 */
                        append(&out, " %s=max", keys[k]);
                    break;
                }
            }
            append(&out, "\n");
        }
    }
    return out;
}

static int apply_io(struct v2ctx *c, const struct spec_blkio *b)
{
    /* BFQ takes the blkio weights as they are; io.weight has its own scale */
    bool bfq = faccessat(c->dfd, "io.bfq.weight", F_OK, 0) == 0;
    const char *file = bfq ? "io.bfq.weight" : "io.weight";
    _cleanup_free_ char *w = NULL;
    if (b->has_weight && b->weight != 0)
        append(&w, "default %" PRIu64 "\n", bfq ? b->weight : cg2_io_weight(b->weight));
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct spec_blkio_weight_device *d = &b->weight_device[i];
        if (d->has_weight && d->weight != 0)
            append(&w, "%" PRId64 ":%" PRId64 " %" PRIu64 "\n", d->major, d->minor,
                   bfq ? d->weight : cg2_io_weight(d->weight));
        if (d->has_leaf_weight)
            log_debug("cgroup v2: linux.resources.blockIO.weightDevice leafWeight ignored");
    }
    if (b->has_leaf_weight)
        log_debug("cgroup v2: linux.resources.blockIO.leafWeight is cgroup v1 only: ignored");
    if (w && put(c, "blockIO.weight", file, w) < 0)
        return -1;
    _cleanup_free_ char *max = io_max_lines(b);
    if (max && put(c, "blockIO.throttle", "io.max", max) < 0)
        return -1;
    return 0;
}

static int apply_hugetlb(struct v2ctx *c, const struct spec_resources *r)
{
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
        char file[96], rsvd[96], val[24];
        snprintf(file, sizeof(file), "hugetlb.%s.max", h->page_size);
        snprintf(rsvd, sizeof(rsvd), "hugetlb.%s.rsvd.max", h->page_size);
        snprintf(val, sizeof(val), "%" PRIu64, h->limit);
        if (put_raw(c->dfd, file, val) < 0) {
            if (errno == ENOENT)
                return err_set(c->err, 0,
                               "linux.resources.hugepageLimits: page size \"%s\" is not "
                               "supported (no %s/%s)",
                               h->page_size, c->dir, file);
            return err_set(c->err, errno, "linux.resources.hugepageLimits: write %s to %s/%s", val,
                           c->dir, file);
        }
        if (faccessat(c->dfd, rsvd, F_OK, 0) == 0 && put(c, "hugepageLimits", rsvd, val) < 0)
            return -1;
    }
    return 0;
}

static int apply_rdma(struct v2ctx *c, const struct spec_resources *r)
{
    _cleanup_free_ char *lines = NULL;
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct spec_rdma *d = &r->rdma[i];
        if (!d->has_hca_handles && !d->has_hca_objects)
            continue;
        append(&lines, "%s", d->device);
        if (d->has_hca_handles)
            append(&lines, " hca_handle=%" PRIu32, d->hca_handles);
        if (d->has_hca_objects)
            append(&lines, " hca_object=%" PRIu32, d->hca_objects);
        append(&lines, "\n");
    }
    return lines ? put(c, "rdma", "rdma.max", lines) : 0;
}

/* Keys are plain file names of the container's directory. */
static int check_unified(const struct spec_map *u, struct oci_err *err)
{
    for (size_t i = 0; i < u->n; i++) {
        const char *k = u->items[i].key;
        if (!*k || strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, ".."))
            return err_set(err, 0, "linux.resources.unified[\"%s\"]: not a cgroup file name", k);
    }
    return 0;
}

static int apply_unified(struct v2ctx *c, const struct spec_map *u)
{
    for (size_t i = 0; i < u->n; i++) {
        const char *k = u->items[i].key, *v = u->items[i].value;
        if (put_raw(c->dfd, k, v) == 0)
            continue;
        if (errno != ENOENT)
            return err_set(c->err, errno, "linux.resources.unified[\"%s\"]: write \"%s\" to %s/%s",
                           k, v, c->dir, k);
        size_t n = strcspn(k, ".");
        if (!strncmp(k, "cgroup.", 7) || !k[n])
            err_set(c->err, 0, "linux.resources.unified[\"%s\"]: no such file", k);
        else
            err_set(c->err, 0,
                    "linux.resources.unified[\"%s\"]: no such file (is the %.*s controller "
                    "enabled?)",
                    k, (int)n, k);
        c->err->errnum = ENOENT;
        return -1;
    }
    return 0;
}

/* Whether a v1 devices hierarchy enforces the device rules (then v2 has
 * no filter of its own). */
static bool v1_devices(const struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n_hier; i++)
        if (strstr(cg->hier[i].controllers, "devices"))
            return true;
    return false;
}

void cg2_preload_devices(struct cgroup *cg, const struct spec_resources *res)
{
    if (v1_devices(cg) || geteuid() != 0)
        return; /* nothing to load (a hybrid host's v1 devices, rootless) */
    size_t n;
    _cleanup_free_ struct spec_device_cgroup *devs = cg_devices_with_defaults(res, &n);
    cgroup_bpf_devices_preload(devs, n);
}

/* The device filter, unless a v1 devices hierarchy enforces the rules. */
static int apply_devices(struct v2ctx *c, const struct spec_resources *r)
{
    if (v1_devices(c->cg)) {
        log_debug("cgroup v2: linux.resources.devices left to the v1 devices controller");
        return 0;
    }
    if (geteuid() != 0) { /* rootless cannot load BPF programs: runc ignores it too */
        struct oci_err e = {0};
        if (cgroup_bpf_devices_apply(c->dfd, r->devices, r->n_devices, &e) < 0)
            log_debug("cgroup v2: rootless: no device filter (%s)", e.msg);
        return 0;
    }
    if (cgroup_bpf_devices_apply(c->dfd, r->devices, r->n_devices, c->err) < 0)
        return err_wrap(c->err, "linux.resources.devices: %s", c->dir);
    return 0;
}

/* One resource group, with its trace span. */
#define STEP(name, cond, call)                                                                     \
    do {                                                                                           \
        if (cond) {                                                                                \
            TRACE_BEGIN(span_, "cgroup v2 " name);                                                 \
            int r_ = (call);                                                                       \
            TRACE_END_RC(span_, r_);                                                               \
            if (r_ < 0)                                                                            \
                return -1;                                                                         \
        }                                                                                          \
    } while (0)

static int apply_all(struct v2ctx *c, const struct spec_resources *r)
{
    STEP("memory", r->memory && has(c, "memory"), apply_memory(c, r->memory));
    STEP("cpu", r->cpu && has(c, "cpu"), apply_cpu(c, r->cpu));
    STEP("cpuset", r->cpu && has(c, "cpuset"), apply_cpuset(c, r->cpu));
    STEP("pids", r->has_pids_limit && r->pids_limit != 0 && has(c, "pids"),
         apply_pids(c, r->pids_limit));
    STEP("io", r->block_io && has(c, "io"), apply_io(c, r->block_io));
    STEP("hugetlb", r->n_hugepage_limits && has(c, "hugetlb"), apply_hugetlb(c, r));
    STEP("rdma", r->n_rdma && has(c, "rdma"), apply_rdma(c, r));
    STEP("devices (ebpf)", r->n_devices, apply_devices(c, r));
    STEP("unified", r->unified.n, apply_unified(c, &r->unified)); /* last: it overrides */
    return 0;
}

int cg2_apply(struct cgroup *cg, const struct spec_resources *res, bool update, struct oci_err *err)
{
    if (check_unified(&res->unified, err) < 0)
        return -1;
    if (update && cg2_enable_controllers(cg, res, err) < 0)
        return -1;
    struct v2ctx c = {.cg = cg, .update = update, .err = err};
    cg2_dir(cg, c.dir, sizeof(c.dir));
    _cleanup_close_ int dfd = open(c.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return err_set(err, errno, "cgroup: open %s", c.dir);
    c.dfd = dfd;
    if (cg2_read(dfd, "cgroup.controllers", c.controllers, sizeof(c.controllers)) < 0)
        return err_set(err, errno, "cgroup: read %s/cgroup.controllers", c.dir);
    return apply_all(&c, res);
}

/* ---- statistics ---- */

static bool read_u64(int dfd, const char *file, uint64_t *out)
{
    char buf[64];
    if (cg2_read(dfd, file, buf, sizeof(buf)) < 0)
        return false;
    buf[strcspn(buf, "\n")] = '\0';
    if (!strcmp(buf, "max")) {
        *out = 0; /* no limit */
        return true;
    }
    return parse_u64(buf, out) == 0;
}

static bool read_keyed(int dfd, const char *file, const char *key, uint64_t *out)
{
    char buf[4096];
    return cg2_read(dfd, file, buf, sizeof(buf)) == 0 && cg2_keyed(buf, key, out);
}

static void stats_cpu(int dfd, struct cgroup_stats *st)
{
    char buf[4096];
    if (cg2_read(dfd, "cpu.stat", buf, sizeof(buf)) < 0)
        return;
    struct {
        const char *key;
        uint64_t *out;
        uint64_t scale;
    } f[] = {
        {"usage_usec", &st->cpu.total, 1000},
        {"user_usec", &st->cpu.user, 1000},
        {"system_usec", &st->cpu.kernel, 1000},
        {"nr_periods", &st->cpu.periods, 1},
        {"nr_throttled", &st->cpu.throttled_periods, 1},
        {"throttled_usec", &st->cpu.throttled_time, 1000},
    };
    for (size_t i = 0; i < ARRAY_SIZE(f); i++)
        if (cg2_keyed(buf, f[i].key, f[i].out))
            *f[i].out *= f[i].scale;
    st->has_cpu = true;
}

/* memory.stat into raw; cache is "file", kernel_usage "kernel" (6.x) */
static void stats_memory_stat(int dfd, struct cgroup_stats *st)
{
    _cleanup_free_ char *data = NULL;
    if (read_file_at(dfd, "memory.stat", &data, NULL, 1 << 16) < 0)
        return;
    for (char *line = data, *next; *line; line = next) {
        next = line + strcspn(line, "\n");
        if (*next)
            *next++ = '\0';
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        struct spec_map *m = &st->memory.raw;
        m->items = xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
        m->items[m->n].key = xstrdup(line);
        m->items[m->n++].value = xstrdup(sp + 1);
        uint64_t v;
        if (parse_u64(sp + 1, &v) == 0 && !strcmp(line, "file"))
            st->memory.cache = v;
        else if (parse_u64(sp + 1, &v) == 0 && !strcmp(line, "kernel"))
            st->memory.kernel_usage = v;
    }
}

static void stats_memory(int dfd, struct cgroup_stats *st)
{
    if (!read_u64(dfd, "memory.current", &st->memory.usage))
        return;
    st->has_memory = true;
    read_u64(dfd, "memory.peak", &st->memory.max_usage);
    read_u64(dfd, "memory.max", &st->memory.limit);
    read_keyed(dfd, "memory.events", "max", &st->memory.failcnt);
    read_u64(dfd, "memory.swap.current", &st->memory.swap_usage);
    read_u64(dfd, "memory.swap.peak", &st->memory.swap_max_usage);
    read_u64(dfd, "memory.swap.max", &st->memory.swap_limit);
    read_keyed(dfd, "memory.swap.events", "max", &st->memory.swap_failcnt);
    stats_memory_stat(dfd, st);
}

static void stats_pids(int dfd, struct cgroup_stats *st)
{
    if (!read_u64(dfd, "pids.current", &st->pids.current))
        return;
    st->has_pids = true;
    read_u64(dfd, "pids.max", &st->pids.limit);
}

static void add_io(struct cgroup_blkio_entry **v, size_t *n, uint64_t maj, uint64_t min,
                   const char *op, uint64_t value)
{
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    struct cgroup_blkio_entry *e = &(*v)[(*n)++];
    e->major = maj;
    e->minor = min;
    snprintf(e->op, sizeof(e->op), "%s", op);
    e->value = value;
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" */
static void stats_io(int dfd, struct cgroup_stats *st)
{
    static const struct {
        const char *key, *op;
        bool bytes;
    } keys[] = {{"rbytes", "Read", true}, {"wbytes", "Write", true}, {"dbytes", "Discard", true},
                {"rios", "Read", false},  {"wios", "Write", false},  {"dios", "Discard", false}};
    _cleanup_free_ char *data = NULL;
    if (read_file_at(dfd, "io.stat", &data, NULL, 1 << 20) < 0)
        return;
    st->has_blkio = true;
    for (char *line = data, *next; *line; line = next) {
        next = line + strcspn(line, "\n");
        if (*next)
            *next++ = '\0';
        unsigned long long maj, min;
        int off;
        if (sscanf(line, "%llu:%llu%n", &maj, &min, &off) != 2)
            continue;
        char *save = NULL;
        for (char *t = strtok_r(line + off, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
            char *eq = strchr(t, '=');
            uint64_t v;
            if (!eq || parse_u64(eq + 1, &v) < 0)
                continue;
            *eq = '\0';
            for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
                if (strcmp(t, keys[k].key) != 0)
                    continue;
                if (keys[k].bytes)
                    add_io(&st->io_bytes, &st->n_io_bytes, maj, min, keys[k].op, v);
                else
                    add_io(&st->io_ops, &st->n_io_ops, maj, min, keys[k].op, v);
            }
        }
    }
}

/* hugetlb.<size>.current / .max / .events "max" for each page size */
static void stats_hugetlb(int dfd, struct cgroup_stats *st)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        const char *size = e->d_name + 8;
        size_t len = strlen(e->d_name), sl = strcspn(size, ".");
        if (strncmp(e->d_name, "hugetlb.", 8) != 0 || len < 16 ||
            strcmp(e->d_name + len - 8, ".current") != 0 || size + sl != e->d_name + len - 8 ||
            sl >= sizeof(st->hugetlb->size))
            continue;
        st->hugetlb = xrealloc(st->hugetlb, (st->n_hugetlb + 1) * sizeof(*st->hugetlb));
        struct cgroup_hugetlb_entry *h = &st->hugetlb[st->n_hugetlb++];
        memset(h, 0, sizeof(*h));
        memcpy(h->size, size, sl);
        char file[300];
        read_u64(dfd, e->d_name, &h->usage);
        snprintf(file, sizeof(file), "hugetlb.%s.max", h->size);
        read_u64(dfd, file, &h->max);
        snprintf(file, sizeof(file), "hugetlb.%s.events", h->size);
        read_keyed(dfd, file, "max", &h->failcnt);
        st->has_hugetlb = true;
    }
    closedir(d);
}

/* What the v1 backend already filled (hybrid host) is kept. */
int cg2_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    cg2_dir(cg, dir, sizeof(dir));
    _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return err_set(err, errno, "cgroup: open %s", dir);
    if (!st->has_cpu)
        stats_cpu(dfd, st);
    if (!st->has_memory)
        stats_memory(dfd, st);
    if (!st->has_pids)
        stats_pids(dfd, st);
    if (!st->has_blkio)
        stats_io(dfd, st);
    if (!st->has_hugetlb)
        stats_hugetlb(dfd, st);
    return 0;
}
