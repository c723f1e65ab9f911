/* events: runc's JSON lines, {"type":"stats",...} every interval and
 * {"type":"oom",...} as they happen. */
#include "config.h"
#include "cli.h"
#include "libcontainer/container.h"
#include "specs/json_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt opts[] = {
    {"stats", 0, NULL, "print the statistics once and exit"},
    {"interval", 0, "DURATION", "between statistics (default 5s; ms, s, m suffixes)"},
    {NULL, 0, NULL, NULL},
};

static void gen_blkio(struct json_gen *j, const char *key, const struct cgroup_blkio_entry *e,
                      size_t n)
{
    json_gen_key(j, key);
    json_gen_array_open(j);
    for (size_t i = 0; i < n; i++) {
        json_gen_map_open(j);
        json_gen_kv_uint(j, "major", e[i].major);
        json_gen_kv_uint(j, "minor", e[i].minor);
        json_gen_kv_str(j, "op", e[i].op);
        json_gen_kv_uint(j, "value", e[i].value);
        json_gen_map_close(j);
    }
    json_gen_array_close(j);
}

static void gen_usage(struct json_gen *j, const char *key, uint64_t usage, uint64_t max,
                      uint64_t limit, uint64_t failcnt)
{
    json_gen_key(j, key);
    json_gen_map_open(j);
    json_gen_kv_uint(j, "usage", usage);
    json_gen_kv_uint(j, "max", max);
    json_gen_kv_uint(j, "limit", limit);
    json_gen_kv_uint(j, "failcnt", failcnt);
    json_gen_map_close(j);
}

static void gen_cpu(struct json_gen *j, const struct cgroup_stats *st)
{
    json_gen_key(j, "cpu");
    json_gen_map_open(j);
    json_gen_key(j, "usage");
    json_gen_map_open(j);
    json_gen_kv_uint(j, "total", st->cpu.total);
    json_gen_key(j, "percpu");
    json_gen_array_open(j);
    for (size_t i = 0; i < st->cpu.n_percpu; i++)
        json_gen_uint(j, st->cpu.percpu[i]);
    json_gen_array_close(j);
    json_gen_kv_uint(j, "kernel", st->cpu.kernel);
    json_gen_kv_uint(j, "user", st->cpu.user);
    json_gen_map_close(j);
    json_gen_key(j, "throttling");
    json_gen_map_open(j);
    json_gen_kv_uint(j, "periods", st->cpu.periods);
    json_gen_kv_uint(j, "throttled_periods", st->cpu.throttled_periods);
    json_gen_kv_uint(j, "throttled_time", st->cpu.throttled_time);
    json_gen_map_close(j);
    json_gen_map_close(j);
}

static void gen_memory(struct json_gen *j, const struct cgroup_stats *st)
{
    json_gen_key(j, "memory");
    json_gen_map_open(j);
    json_gen_kv_uint(j, "cache", st->memory.cache);
    gen_usage(j, "usage", st->memory.usage, st->memory.max_usage, st->memory.limit,
              st->memory.failcnt);
    gen_usage(j, "swap", st->memory.swap_usage, st->memory.swap_max_usage, st->memory.swap_limit,
              st->memory.swap_failcnt);
    gen_usage(j, "kernel", st->memory.kernel_usage, 0, st->memory.kernel_limit, 0);
    json_gen_key(j, "raw");
    json_gen_map_open(j);
    for (size_t i = 0; i < st->memory.raw.n; i++) {
        json_gen_key(j, st->memory.raw.items[i].key);
        json_gen_number(j, st->memory.raw.items[i].value);
    }
    json_gen_map_close(j);
    json_gen_map_close(j);
}

static void gen_stats(struct json_gen *j, const struct cgroup_stats *st)
{
    json_gen_map_open(j);
    gen_cpu(j, st);
    gen_memory(j, st);
    json_gen_key(j, "pids");
    json_gen_map_open(j);
    json_gen_kv_uint(j, "current", st->pids.current);
    json_gen_kv_uint(j, "limit", st->pids.limit);
    json_gen_map_close(j);
    json_gen_key(j, "blkio");
    json_gen_map_open(j);
    gen_blkio(j, "ioServiceBytesRecursive", st->io_bytes, st->n_io_bytes);
    gen_blkio(j, "ioServicedRecursive", st->io_ops, st->n_io_ops);
    json_gen_map_close(j);
    json_gen_key(j, "hugetlb");
    json_gen_map_open(j);
    for (size_t i = 0; i < st->n_hugetlb; i++) {
        json_gen_key(j, st->hugetlb[i].size);
        json_gen_map_open(j);
        json_gen_kv_uint(j, "usage", st->hugetlb[i].usage);
        json_gen_kv_uint(j, "max", st->hugetlb[i].max);
        json_gen_kv_uint(j, "failcnt", st->hugetlb[i].failcnt);
        json_gen_map_close(j);
    }
    json_gen_map_close(j);
    json_gen_map_close(j);
}

struct emit_ctx {
    const char *id;
    int rc; /* 1 after a line could not be made */
};

/* One JSON line; a line that cannot be made stops the events. */
static int emit(enum container_event ev, const struct cgroup_stats *st, void *arg)
{
    struct emit_ctx *cx = arg;
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, JSON_GEN_NEWLINE);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "type", ev == CONTAINER_EVENT_OOM ? "oom" : "stats");
    json_gen_kv_str(&j, "id", cx->id);
    if (st) {
        json_gen_key(&j, "data");
        gen_stats(&j, st);
    }
    json_gen_map_close(&j);
    char *msg = NULL;
    char *line = json_gen_finish(&j, NULL, &msg);
    cx->rc = cli_print_json(line, msg, "events %s", cx->id);
    fflush(stdout);
    return cx->rc;
}

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    int interval = 5000;
    const char *iv = cli_get(cmd, a, "interval");
    if (iv && cli_parse_duration(iv, &interval) < 0)
        return cli_failf("events --interval %s: expected a duration like 500ms, 5s, 1m", iv);
    struct oci_err err = {0};
    struct emit_ctx cx = {.id = a->argv[0], .rc = 0};
    if (container_events(G.root, a->argv[0], interval, cli_flag(cmd, a, "stats"), emit, &cx, &err) <
        0)
        return cli_fail(&err);
    return cx.rc;
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
