/* cgroup v1 statistics for `oci-rt events` (runc's types.Stats), read from
 * the v1 controller files. A file this kernel does not have leaves its
 * fields 0; a controller that is not mounted leaves its has_* false. */
#include "config.h"
#include "cgroup_fs.h"
#include "cgroup_v1_stats.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ENOENT: a file this kernel (or this cgroup) does not have. */
static int read_err(const char *dir, const char *file, struct oci_err *err)
{
    if (errno == ENOENT)
        return 0;
    return err_set(err, errno, "cgroup: read %s/%s", dir, file);
}

/* 1 when read, 0 when the file does not exist, -1 with err. */
static int read_u64(const char *dir, const char *file, uint64_t *v, struct oci_err *err)
{
    char buf[64];
    if (cg_v1_read(dir, file, buf, sizeof(buf)) < 0)
        return read_err(dir, file, err);
    if (parse_u64(buf, v) < 0)
        return err_set(err, 0, "cgroup: %s/%s: not a number: \"%s\"", dir, file, buf);
    return 1;
}

static int read_all(const char *dir, const char *file, char **out, struct oci_err *err)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    *out = NULL;
    if (read_file_at(AT_FDCWD, path, out, NULL, 1 << 20) < 0)
        return read_err(dir, file, err);
    return 1;
}

struct kv {
    const char *key;
    uint64_t *dst;
};

/* "key value" lines into the matching destinations. */
static void scan_kv(const char *buf, const struct kv *kv, size_t n)
{
    char key[64];
    uint64_t v;
    for (const char *line = buf; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (sscanf(line, "%63s %" SCNu64, key, &v) != 2)
            continue;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(key, kv[i].key))
                *kv[i].dst = v;
    }
}

/* ---- cpu ---- */

static int stats_cpuacct(const char *dir, struct cgroup_stats *st, struct oci_err *err)
{
    int r = read_u64(dir, "cpuacct.usage", &st->cpu.total, err);
    if (r <= 0)
        return r;
    st->has_cpu = true;
    _cleanup_free_ char *percpu = NULL, *stat = NULL;
    if ((r = read_all(dir, "cpuacct.usage_percpu", &percpu, err)) < 0)
        return -1;
    size_t cap = 0;
    for (char *p = percpu, *end; r > 0 && p; p = end) {
        uint64_t v = strtoull(p, &end, 10);
        if (end == p)
            break;
        if (st->cpu.n_percpu == cap) {
            cap = cap ? cap * 2 : 8;
            st->cpu.percpu = xrealloc(st->cpu.percpu, cap * sizeof(uint64_t));
        }
        st->cpu.percpu[st->cpu.n_percpu++] = v;
    }
    if ((r = read_all(dir, "cpuacct.stat", &stat, err)) <= 0)
        return r;
    /* USER_HZ ticks -> ns */
    uint64_t user = 0, sys = 0, ns_per_tick = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);
    const struct kv kv[] = {{"user", &user}, {"system", &sys}};
    scan_kv(stat, kv, ARRAY_SIZE(kv));
    st->cpu.user = user * ns_per_tick;
    st->cpu.kernel = sys * ns_per_tick;
    return 0;
}

static int stats_cpu(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    if (cg_v1_dir(cg, "cpuacct", dir, sizeof(dir)) && stats_cpuacct(dir, st, err) < 0)
        return -1;
    if (!cg_v1_dir(cg, "cpu", dir, sizeof(dir)))
        return 0;
    _cleanup_free_ char *stat = NULL;
    int r = read_all(dir, "cpu.stat", &stat, err);
    if (r <= 0)
        return r;
    const struct kv kv[] = {{"nr_periods", &st->cpu.periods},
                            {"nr_throttled", &st->cpu.throttled_periods},
                            {"throttled_time", &st->cpu.throttled_time}};
    scan_kv(stat, kv, ARRAY_SIZE(kv));
    return 0;
}

/* ---- memory ---- */

static void raw_add(struct spec_map *m, const char *key, size_t klen, const char *value,
                    size_t vlen)
{
    m->items = xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
    m->items[m->n].key = xstrndup(key, klen);
    m->items[m->n].value = xstrndup(value, vlen);
    m->n++;
}

/* memory.stat into raw; cache is total_cache (hierarchical) or cache */
static int stats_memory_stat(const char *dir, struct cgroup_stats *st, struct oci_err *err)
{
    _cleanup_free_ char *buf = NULL;
    int r = read_all(dir, "memory.stat", &buf, err);
    if (r <= 0)
        return r;
    bool total = false;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        size_t len = next ? (size_t)(next++ - line) : strlen(line);
        char *sp = memchr(line, ' ', len);
        if (!sp)
            continue;
        size_t klen = (size_t)(sp - line);
        raw_add(&st->memory.raw, line, klen, sp + 1, len - klen - 1);
        uint64_t v = strtoull(sp + 1, NULL, 10);
        if (klen == 11 && !strncmp(line, "total_cache", klen)) {
            st->memory.cache = v;
            total = true;
        } else if (klen == 5 && !strncmp(line, "cache", klen) && !total) {
            st->memory.cache = v;
        }
    }
    return 0;
}

static int stats_memory(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    char dir[PATH_MAX_LEN];
    if (!cg_v1_dir(cg, "memory", dir, sizeof(dir)))
        return 0;
    const struct {
        const char *file;
        uint64_t *dst;
    } files[] = {
        {"memory.usage_in_bytes", &st->memory.usage},
        {"memory.max_usage_in_bytes", &st->memory.max_usage},
        {"memory.limit_in_bytes", &st->memory.limit},
        {"memory.failcnt", &st->memory.failcnt},
        {"memory.memsw.usage_in_bytes", &st->memory.swap_usage},
        {"memory.memsw.max_usage_in_bytes", &st->memory.swap_max_usage},
        {"memory.memsw.limit_in_bytes", &st->memory.swap_limit},
        {"memory.memsw.failcnt", &st->memory.swap_failcnt},
        {"memory.kmem.usage_in_bytes", &st->memory.kernel_usage},
        {"memory.kmem.limit_in_bytes", &st->memory.kernel_limit},
    };
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        int r = read_u64(dir, files[i].file, files[i].dst, err);
        if (r < 0)
            return -1;
        if (r == 0 && i == 0)
            return 0; /* no such cgroup */
    }
    st->has_memory = true;
    return stats_memory_stat(dir, st, err);
}

/* ---- pids ---- */

static int stats_pids(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    char dir[PATH_MAX_LEN], max[32];
    if (!cg_v1_dir(cg, "pids", dir, sizeof(dir)))
        return 0;
    int r = read_u64(dir, "pids.current", &st->pids.current, err);
    if (r <= 0)
        return r;
    st->has_pids = true;
    if (cg_v1_read(dir, "pids.max", max, sizeof(max)) < 0)
        return read_err(dir, "pids.max", err);
    if (strcmp(max, "max") != 0 && parse_u64(max, &st->pids.limit) < 0)
        return err_set(err, 0, "cgroup: %s/pids.max: not a number: \"%s\"", dir, max);
    return 0;
}

/* ---- blkio ---- */

/* "MAJ:MIN Op value" lines ("Total N" skipped). */
static void parse_blkio(const char *buf, struct cgroup_blkio_entry **out, size_t *n)
{
    size_t cap = 0;
    for (const char *line = buf; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        struct cgroup_blkio_entry e = {0};
        if (sscanf(line, "%" SCNu64 ":%" SCNu64 " %15s %" SCNu64, &e.major, &e.minor, e.op,
                   &e.value) != 4)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = e;
    }
}

/* BFQ's recursive counters when it has any, else the throttle layer's
 * (which sees every IO), as runc does. */
static int stats_blkio(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    static const char *const groups[][2] = {
        {"blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive"},
        {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive"},
    };
    char dir[PATH_MAX_LEN];
    if (!cg_v1_dir(cg, "blkio", dir, sizeof(dir)))
        return 0;
    for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
        _cleanup_free_ char *bytes = NULL, *ops = NULL;
        int r = read_all(dir, groups[g][0], &bytes, err);
        if (r < 0 || (r > 0 && (r = read_all(dir, groups[g][1], &ops, err)) < 0))
            return -1;
        if (r == 0)
            continue;
        st->has_blkio = true;
        parse_blkio(bytes, &st->io_bytes, &st->n_io_bytes);
        parse_blkio(ops, &st->io_ops, &st->n_io_ops);
        if (st->n_io_bytes || st->n_io_ops)
            return 0;
    }
    return 0;
}

/* ---- hugetlb ---- */

/* The kernel's name of a page size: 2048 kB -> "2MB", 1048576 kB -> "1GB" */
static void hugetlb_name(uint64_t kb, char *out, size_t size)
{
    if (kb >= 1024 * 1024)
        snprintf(out, size, "%" PRIu64 "GB", kb >> 20);
    else if (kb >= 1024)
        snprintf(out, size, "%" PRIu64 "MB", kb >> 10);
    else
        snprintf(out, size, "%" PRIu64 "KB", kb);
}

static int stats_hugetlb_size(const char *dir, const char *size, struct cgroup_stats *st,
                              struct oci_err *err)
{
    struct cgroup_hugetlb_entry e = {0};
    const struct {
        const char *what;
        uint64_t *dst;
    } files[] = {
        {"usage_in_bytes", &e.usage}, {"max_usage_in_bytes", &e.max}, {"failcnt", &e.failcnt}};
    char file[96];
    snprintf(e.size, sizeof(e.size), "%s", size);
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        snprintf(file, sizeof(file), "hugetlb.%s.%s", size, files[i].what);
        int r = read_u64(dir, file, files[i].dst, err);
        if (r < 0)
            return -1;
        if (r == 0 && i == 0)
            return 0;
    }
    st->hugetlb = xrealloc(st->hugetlb, (st->n_hugetlb + 1) * sizeof(*st->hugetlb));
    st->hugetlb[st->n_hugetlb++] = e;
    st->has_hugetlb = true;
    return 0;
}

static int stats_hugetlb(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    char dir[PATH_MAX_LEN], size[16];
    if (!cg_v1_dir(cg, "hugetlb", dir, sizeof(dir)))
        return 0;
    DIR *d = opendir("/sys/kernel/mm/hugepages");
    if (!d)
        return 0;
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        uint64_t kb;
        if (sscanf(de->d_name, "hugepages-%" SCNu64 "kB", &kb) != 1)
            continue;
        hugetlb_name(kb, size, sizeof(size));
        rc = stats_hugetlb_size(dir, size, st, err);
    }
    closedir(d);
    return rc;
}

int cg_v1_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err)
{
    static int (*const readers[])(struct cgroup *, struct cgroup_stats *, struct oci_err *) = {
        stats_cpu, stats_memory, stats_pids, stats_blkio, stats_hugetlb,
    };
    for (size_t i = 0; i < ARRAY_SIZE(readers); i++)
        if (readers[i](cg, st, err) < 0)
            return -1;
    return 0;
}
