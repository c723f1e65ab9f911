/* events: runc's JSON lines, {"type":"stats",...} every interval and
 * {"type":"oom",...} as they happen. */
#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static const struct cli_opt opts[] = {
    {"stats", 0, NULL, "print the statistics once and exit"},
    {"interval", 0, "DURATION", "between statistics (default 5s; ms, s, m suffixes)"},
    {NULL, 0, NULL, NULL},
};

#define S(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))
#define KU(g, k, v) (S(g, k), yajl_gen_integer(g, (long long)(v)))

static void gen_blkio(yajl_gen g, const char *key, const struct cgroup_blkio_entry *e, size_t n)
{
    S(g, key);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        KU(g, "major", e[i].major);
        KU(g, "minor", e[i].minor);
        S(g, "op");
        S(g, e[i].op);
        KU(g, "value", e[i].value);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void gen_usage(yajl_gen g, const char *key, uint64_t usage, uint64_t max, uint64_t limit,
                      uint64_t failcnt)
{
    S(g, key);
    yajl_gen_map_open(g);
    KU(g, "usage", usage);
    KU(g, "max", max);
    KU(g, "limit", limit);
    KU(g, "failcnt", failcnt);
    yajl_gen_map_close(g);
}

static void gen_stats(yajl_gen g, const struct cgroup_stats *st)
{
    yajl_gen_map_open(g);
    S(g, "cpu");
    yajl_gen_map_open(g);
    S(g, "usage");
    yajl_gen_map_open(g);
    KU(g, "total", st->cpu.total);
    S(g, "percpu");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < st->cpu.n_percpu; i++)
        yajl_gen_integer(g, (long long)st->cpu.percpu[i]);
    yajl_gen_array_close(g);
    KU(g, "kernel", st->cpu.kernel);
    KU(g, "user", st->cpu.user);
    yajl_gen_map_close(g);
    S(g, "throttling");
    yajl_gen_map_open(g);
    KU(g, "periods", st->cpu.periods);
    KU(g, "throttled_periods", st->cpu.throttled_periods);
    KU(g, "throttled_time", st->cpu.throttled_time);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    S(g, "memory");
    yajl_gen_map_open(g);
    KU(g, "cache", st->memory.cache);
    gen_usage(g, "usage", st->memory.usage, st->memory.max_usage, st->memory.limit,
              st->memory.failcnt);
    gen_usage(g, "swap", st->memory.swap_usage, st->memory.swap_max_usage, st->memory.swap_limit,
              st->memory.swap_failcnt);
    gen_usage(g, "kernel", st->memory.kernel_usage, 0, st->memory.kernel_limit, 0);
    S(g, "raw");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < st->memory.raw.n; i++) {
        S(g, st->memory.raw.items[i].key);
        yajl_gen_number(g, st->memory.raw.items[i].value, strlen(st->memory.raw.items[i].value));
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    S(g, "pids");
    yajl_gen_map_open(g);
    KU(g, "current", st->pids.current);
    KU(g, "limit", st->pids.limit);
    yajl_gen_map_close(g);
    S(g, "blkio");
    yajl_gen_map_open(g);
    gen_blkio(g, "ioServiceBytesRecursive", st->io_bytes, st->n_io_bytes);
    gen_blkio(g, "ioServicedRecursive", st->io_ops, st->n_io_ops);
    yajl_gen_map_close(g);
    S(g, "hugetlb");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < st->n_hugetlb; i++) {
        S(g, st->hugetlb[i].size);
        yajl_gen_map_open(g);
        KU(g, "usage", st->hugetlb[i].usage);
        KU(g, "max", st->hugetlb[i].max);
        KU(g, "failcnt", st->hugetlb[i].failcnt);
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static int emit(enum container_event ev, const struct cgroup_stats *st, void *arg)
{
    const char *id = arg;
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    S(g, "type");
    S(g, ev == CONTAINER_EVENT_OOM ? "oom" : "stats");
    S(g, "id");
    S(g, id);
    if (st) {
        S(g, "data");
        gen_stats(g, st);
    }
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    putchar('\n');
    fflush(stdout);
    yajl_gen_free(g);
    return 0;
}

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    int interval = 5000;
    const char *iv = cli_get(cmd, a, "interval");
    if (iv && cli_parse_duration(iv, &interval) < 0)
        return cli_failf("events --interval %s: expected a duration like 500ms, 5s, 1m", iv);
    struct oci_err err = {0};
    if (container_events(G.root, a->argv[0], interval, cli_flag(cmd, a, "stats"), emit, a->argv[0],
                         &err) < 0)
        return cli_fail(&err);
    return 0;
}

const struct cli_cmd cmd_events = {
    .name = "events",
    .fn = run,
    .summary = "container statistics and OOM events as JSON lines (runc's format)",
    .usage = "[--stats] [--interval DURATION] ID",
    .opts = opts,
    .min_args = 1,
    .max_args = 1,
};
