/* update: runc's flags, or a linux.resources JSON (--resources FILE|-). */
#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"
#include "libcontainer/util.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt opts[] = {
    {"resources", 'r', "FILE", "linux.resources JSON from FILE, or - for stdin"},
    {"memory", 0, "BYTES", "memory limit (k, m, g suffixes; -1: none)"},
    {"memory-reservation", 0, "BYTES", "memory soft limit"},
    {"memory-swap", 0, "BYTES", "memory + swap limit (-1: unlimited swap)"},
    {"kernel-memory", 0, "BYTES", "kernel memory limit (cgroup v1, obsolete)"},
    {"kernel-memory-tcp", 0, "BYTES", "kernel TCP memory limit (cgroup v1, obsolete)"},
    {"cpu-shares", 0, "N", "relative CPU weight"},
    {"cpu-share", 0, "N", "the same (runc's spelling)"},
    {"cpu-quota", 0, "USEC", "CFS quota per period (-1: none)"},
    {"cpu-period", 0, "USEC", "CFS period"},
    {"cpu-rt-period", 0, "USEC", "realtime period"},
    {"cpu-rt-runtime", 0, "USEC", "realtime runtime per period"},
    {"cpu-idle", 0, "0|1", "SCHED_IDLE for the cgroup"},
    {"cpuset-cpus", 0, "LIST", "CPUs to run on (0-3,7)"},
    {"cpuset-mems", 0, "LIST", "memory nodes"},
    {"pids-limit", 0, "N", "maximum number of processes (-1: none)"},
    {"blkio-weight", 0, "N", "block I/O weight, 10 to 1000"},
    {"l3-cache-schema", 0, "S", "Intel RDT L3 cache schema"},
    {"mem-bw-schema", 0, "S", "Intel RDT memory bandwidth schema"},
    {NULL, 0, NULL, NULL},
};

/* "512m", "1G", "1048576", "-1" */
static int parse_size(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno)
        return -1;
    int shift = 0;
    switch (tolower((unsigned char)*end)) {
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    case 't':
        shift = 40;
        break;
    case '\0':
        break;
    default:
        return -1;
    }
    if (shift) {
        end++;
        if (tolower((unsigned char)*end) == 'b')
            end++;
    } else if (tolower((unsigned char)*end) == 'b') {
        end++;
    }
    if (*end || v < -1)
        return -1;
    *out = v < 0 ? v : (int64_t)((uint64_t)v << shift);
    return 0;
}

static int flag_i64(const struct cli_cmd *cmd, struct cli_args *a, const char *name, bool size,
                    bool *has, int64_t *out)
{
    const char *v = cli_get(cmd, a, name);
    if (!v)
        return 0;
    char *end;
    if (size ? parse_size(v, out) < 0 : (*out = strtoll(v, &end, 10), !*v || *end))
        return cli_failf("update --%s %s: expected %s", name, v,
                         size ? "a size in bytes" : "a number"),
               -1;
    if (has)
        *has = true;
    return 1;
}

static struct spec_resources *load_resources(const char *file)
{
    char *data = NULL;
    size_t len = 0;
    if (!strcmp(file, "-")) {
        FILE *f = open_memstream(&data, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
            fwrite(buf, 1, n, f);
        fclose(f);
    } else if (read_file_at(AT_FDCWD, file, &data, &len, 1 << 24) < 0) {
        cli_failf("update --resources %s: %s", file, strerror(errno));
        return NULL;
    }
    char *msg = NULL;
    struct spec_resources *r = spec_resources_parse(data, len, file, &msg);
    free(data);
    if (!r) {
        cli_failf("%s", msg ? msg : "resources: cannot parse");
        free(msg);
    }
    return r;
}

static int from_flags(const struct cli_cmd *cmd, struct cli_args *a, struct spec_resources *r)
{
    struct spec_memory m = {0};
    struct spec_cpu c = {0};
    int64_t v;
    bool has_mem = false, has_cpu = false, has_pids = false;
    int k = 0;
#define I64(name, size, hasf, field, any)                                                          \
    if ((k = flag_i64(cmd, a, name, size, &hasf, &v)) < 0)                                         \
        return -1;                                                                                 \
    if (k) {                                                                                       \
        field = v;                                                                                 \
        any = true;                                                                                \
    }
    I64("memory", true, m.has_limit, m.limit, has_mem);
    I64("memory-reservation", true, m.has_reservation, m.reservation, has_mem);
    I64("memory-swap", true, m.has_swap, m.swap, has_mem);
    I64("kernel-memory", true, m.has_kernel, m.kernel, has_mem);
    I64("kernel-memory-tcp", true, m.has_kernel_tcp, m.kernel_tcp, has_mem);
    I64("cpu-shares", false, c.has_shares, c.shares, has_cpu);
    I64("cpu-share", false, c.has_shares, c.shares, has_cpu);
    I64("cpu-quota", false, c.has_quota, c.quota, has_cpu);
    I64("cpu-period", false, c.has_period, c.period, has_cpu);
    I64("cpu-rt-period", false, c.has_realtime_period, c.realtime_period, has_cpu);
    I64("cpu-rt-runtime", false, c.has_realtime_runtime, c.realtime_runtime, has_cpu);
    I64("cpu-idle", false, c.has_idle, c.idle, has_cpu);
    I64("pids-limit", false, r->has_pids_limit, r->pids_limit, has_pids);
    (void)has_pids;
#undef I64
    if ((k = flag_i64(cmd, a, "blkio-weight", false, NULL, &v)) < 0)
        return -1;
    if (k) {
        if (!r->block_io)
            r->block_io = xzalloc(sizeof(*r->block_io));
        r->block_io->has_weight = true;
        r->block_io->weight = (uint16_t)v;
    }
    const char *cpus = cli_get(cmd, a, "cpuset-cpus"), *mems = cli_get(cmd, a, "cpuset-mems");
    if (cpus || mems)
        has_cpu = true;
    if (has_mem) {
        if (!r->memory)
            r->memory = xzalloc(sizeof(*r->memory));
        *r->memory = m;
    }
    if (has_cpu) {
        if (!r->cpu)
            r->cpu = xzalloc(sizeof(*r->cpu));
        free(r->cpu->cpus);
        free(r->cpu->mems);
        *r->cpu = c;
        r->cpu->cpus = cpus ? xstrdup(cpus) : NULL;
        r->cpu->mems = mems ? xstrdup(mems) : NULL;
    }
    if (cli_get(cmd, a, "l3-cache-schema") || cli_get(cmd, a, "mem-bw-schema"))
        return cli_failf("update: Intel RDT is not available on this host"), -1;
    return 0;
}

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    const char *file = cli_get(cmd, a, "resources");
    struct spec_resources *r = file ? load_resources(file) : xzalloc(sizeof(*r));
    if (!r)
        return 1;
    int rc = from_flags(cmd, a, r) < 0 ? 1 : 0;
    struct oci_err err = {0};
    if (rc == 0 && container_update(G.root, a->argv[0], r, &err) < 0)
        rc = cli_fail(&err);
    spec_resources_free(r);
    return rc;
}

const struct cli_cmd cmd_update = {
    .name = "update",
    .fn = run,
    .summary = "change the resource limits of a running container",
    .usage = "[--resources FILE|-] [--memory N] [--cpu-shares N] ... ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
