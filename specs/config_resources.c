/* config.json: linux.resources (cgroup settings). */
#include "specs/spec_config.h"
#include "specs/json.h"

#include <stdlib.h>
#include <string.h>

static const char *const cgroup_device_types[] = {"a", "c", "b", NULL};

/* ---- devices ---- */

static const struct json_field device_cgroup_fields[] = {
    JSON_FR("allow", JSON_BOOL, struct spec_device_cgroup, allow),
    JSON_FE("type", JSON_ENUM, 0, struct spec_device_cgroup, type, cgroup_device_types,
            "device type"),
    JSON_FH("major", JSON_I64, struct spec_device_cgroup, major, has_major),
    JSON_FH("minor", JSON_I64, struct spec_device_cgroup, minor, has_minor),
    JSON_F("access", JSON_STR, struct spec_device_cgroup, access),
};

static int parse_device_cgroup(const struct json_obj *o, void *item, void *ud)
{
    struct spec_device_cgroup *d = item;
    char q[JSON_QUOTE_MAX];

    (void)ud;
    if (json_fields(o, device_cgroup_fields, JSON_ARRAY_LEN(device_cgroup_fields), d) < 0)
        return -1;
    if (d->access && d->access[strspn(d->access, "rwm")] != '\0') {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "access");
        return json_error(o->cx, &p, "invalid access %s", json_quote(q, d->access));
    }
    return 0;
}

/* ---- memory, cpu, pids ---- */

static const struct json_field memory_fields[] = {
    JSON_FH("limit", JSON_I64, struct spec_memory, limit, has_limit),
    JSON_FH("reservation", JSON_I64, struct spec_memory, reservation, has_reservation),
    JSON_FH("swap", JSON_I64, struct spec_memory, swap, has_swap),
    JSON_FH("kernel", JSON_I64, struct spec_memory, kernel, has_kernel),
    JSON_FH("kernelTCP", JSON_I64, struct spec_memory, kernel_tcp, has_kernel_tcp),
    JSON_FH("swappiness", JSON_U64, struct spec_memory, swappiness, has_swappiness),
    JSON_FH("disableOOMKiller", JSON_BOOL, struct spec_memory, disable_oom_killer,
            has_disable_oom_killer),
    JSON_FH("useHierarchy", JSON_BOOL, struct spec_memory, use_hierarchy, has_use_hierarchy),
    JSON_FH("checkBeforeUpdate", JSON_BOOL, struct spec_memory, check_before_update,
            has_check_before_update),
};

static const struct json_field cpu_fields[] = {
    JSON_FH("shares", JSON_U64, struct spec_cpu, shares, has_shares),
    JSON_FH("quota", JSON_I64, struct spec_cpu, quota, has_quota),
    JSON_FH("burst", JSON_U64, struct spec_cpu, burst, has_burst),
    JSON_FH("period", JSON_U64, struct spec_cpu, period, has_period),
    JSON_FH("realtimeRuntime", JSON_I64, struct spec_cpu, realtime_runtime, has_realtime_runtime),
    JSON_FH("realtimePeriod", JSON_U64, struct spec_cpu, realtime_period, has_realtime_period),
    JSON_F("cpus", JSON_STR, struct spec_cpu, cpus),
    JSON_F("mems", JSON_STR, struct spec_cpu, mems),
    JSON_FH("idle", JSON_I64, struct spec_cpu, idle, has_idle),
};

/* required, and has_pids_limit tells the struct that pids was given */
static const struct json_field pids_fields[] = {
    {"limit", JSON_I64, JSON_REQ, offsetof(struct spec_resources, pids_limit),
     offsetof(struct spec_resources, has_pids_limit), NULL, NULL},
};

/* ---- block IO ---- */

static const struct json_field weight_device_fields[] = {
    JSON_FR("major", JSON_I64, struct spec_blkio_weight_device, major),
    JSON_FR("minor", JSON_I64, struct spec_blkio_weight_device, minor),
    JSON_FH("weight", JSON_U16, struct spec_blkio_weight_device, weight, has_weight),
    JSON_FH("leafWeight", JSON_U16, struct spec_blkio_weight_device, leaf_weight, has_leaf_weight),
};

static int parse_weight_device(const struct json_obj *o, void *item, void *ud)
{
    struct spec_blkio_weight_device *w = item;

    (void)ud;
    if (json_fields(o, weight_device_fields, JSON_ARRAY_LEN(weight_device_fields), w) < 0)
        return -1;
    if (!w->has_weight && !w->has_leaf_weight)
        return json_error(o->cx, o->path, "weight or leafWeight is required");
    return 0;
}

static const struct json_field throttle_fields[] = {
    JSON_FR("major", JSON_I64, struct spec_blkio_throttle, major),
    JSON_FR("minor", JSON_I64, struct spec_blkio_throttle, minor),
    JSON_FR("rate", JSON_U64, struct spec_blkio_throttle, rate),
};

static int parse_throttle(const struct json_obj *o, void *item, void *ud)
{
    (void)ud;
    return json_fields(o, throttle_fields, JSON_ARRAY_LEN(throttle_fields), item);
}

static const struct json_field blkio_fields[] = {
    JSON_FH("weight", JSON_U16, struct spec_blkio, weight, has_weight),
    JSON_FH("leafWeight", JSON_U16, struct spec_blkio, leaf_weight, has_leaf_weight),
};

static int parse_blkio(const struct json_obj *o, struct spec_blkio *b)
{
    static const char *const keys[] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
                                       "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
    struct spec_blkio_throttle **lists[] = {&b->throttle_read_bps, &b->throttle_write_bps,
                                            &b->throttle_read_iops, &b->throttle_write_iops};
    size_t *counts[] = {&b->n_throttle_read_bps, &b->n_throttle_write_bps, &b->n_throttle_read_iops,
                        &b->n_throttle_write_iops};
    void *items;
    int r;

    if (json_fields(o, blkio_fields, JSON_ARRAY_LEN(blkio_fields), b) < 0)
        return -1;
    r = json_get_objarray(o, "weightDevice", sizeof(*b->weight_device), &items, &b->n_weight_device,
                          parse_weight_device, NULL);
    b->weight_device = items;
    for (size_t i = 0; r >= 0 && i < JSON_ARRAY_LEN(keys); i++) {
        r = json_get_objarray(o, keys[i], sizeof(struct spec_blkio_throttle), &items, counts[i],
                              parse_throttle, NULL);
        *lists[i] = items;
    }
    return r < 0 ? -1 : 0;
}

/* ---- hugetlb, network, rdma ---- */

static const struct json_field hugepage_fields[] = {
    JSON_FR("pageSize", JSON_STR, struct spec_hugepage_limit, page_size),
    JSON_FR("limit", JSON_U64, struct spec_hugepage_limit, limit),
};

/* ^[1-9][0-9]*[KMG]B$ */
static bool page_size_ok(const char *s)
{
    size_t n = strspn(s, "0123456789");

    return n > 0 && s[0] != '0' && s[n] && strchr("KMG", s[n]) && s[n + 1] == 'B' && !s[n + 2];
}

static int parse_hugepage(const struct json_obj *o, void *item, void *ud)
{
    struct spec_hugepage_limit *h = item;
    char q[JSON_QUOTE_MAX];

    (void)ud;
    if (json_fields(o, hugepage_fields, JSON_ARRAY_LEN(hugepage_fields), h) < 0)
        return -1;
    if (!page_size_ok(h->page_size)) {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "pageSize");
        return json_error(o->cx, &p, "invalid page size %s", json_quote(q, h->page_size));
    }
    return 0;
}

static const struct json_field net_priority_fields[] = {
    JSON_FR("name", JSON_STR, struct spec_net_priority, name),
    JSON_FR("priority", JSON_U32, struct spec_net_priority, priority),
};

static int parse_net_priority(const struct json_obj *o, void *item, void *ud)
{
    (void)ud;
    return json_fields(o, net_priority_fields, JSON_ARRAY_LEN(net_priority_fields), item);
}

static int parse_network(const struct json_obj *o, struct spec_network *n)
{
    static const struct json_field f =
        JSON_FH("classID", JSON_U32, struct spec_network, class_id, has_class_id);
    void *items;
    int r;

    if (json_field(o, &f, n) < 0)
        return -1;
    r = json_get_objarray(o, "priorities", sizeof(*n->priorities), &items, &n->n_priorities,
                          parse_net_priority, NULL);
    n->priorities = items;
    return r < 0 ? -1 : 0;
}

static const struct json_field rdma_fields[] = {
    JSON_FH("hcaHandles", JSON_U32, struct spec_rdma, hca_handles, has_hca_handles),
    JSON_FH("hcaObjects", JSON_U32, struct spec_rdma, hca_objects, has_hca_objects),
};

static int parse_rdma(const struct json_obj *o, void *item, void *ud)
{
    struct spec_rdma *r = item;

    (void)ud;
    if (json_fields(o, rdma_fields, JSON_ARRAY_LEN(rdma_fields), r) < 0)
        return -1;
    if (!r->has_hca_handles && !r->has_hca_objects)
        return json_error(o->cx, o->path, "hcaHandles or hcaObjects is required");
    return 0;
}

/* ---- resources ---- */

/* Allocate *dst (zeroed) for an object member; 1 with *sub set, 0 when absent. */
static int sub_alloc(const struct json_obj *o, const char *key, struct json_path *sp,
                     struct json_obj *sub, size_t size, void **dst)
{
    int r = json_get_obj(o, key, false, sp, sub);

    *dst = NULL;
    if (r <= 0)
        return r;
    if (!(*dst = calloc(1, size)))
        return json_error(o->cx, sp, "out of memory");
    return 1;
}

static int parse_resource_objs(const struct json_obj *o, struct spec_resources *res)
{
    struct json_path sp;
    struct json_obj so;
    void *p;
    int r;

    r = sub_alloc(o, "memory", &sp, &so, sizeof(*res->memory), &p);
    res->memory = p;
    if (r < 0 || (r > 0 && json_fields(&so, memory_fields, JSON_ARRAY_LEN(memory_fields), p) < 0))
        return -1;
    r = sub_alloc(o, "cpu", &sp, &so, sizeof(*res->cpu), &p);
    res->cpu = p;
    if (r < 0 || (r > 0 && json_fields(&so, cpu_fields, JSON_ARRAY_LEN(cpu_fields), p) < 0))
        return -1;
    r = sub_alloc(o, "blockIO", &sp, &so, sizeof(*res->block_io), &p);
    res->block_io = p;
    if (r < 0 || (r > 0 && parse_blkio(&so, p) < 0))
        return -1;
    r = sub_alloc(o, "network", &sp, &so, sizeof(*res->network), &p);
    res->network = p;
    if (r < 0 || (r > 0 && parse_network(&so, p) < 0))
        return -1;
    if ((r = json_get_obj(o, "pids", false, &sp, &so)) < 0)
        return -1;
    if (r > 0 && json_fields(&so, pids_fields, JSON_ARRAY_LEN(pids_fields), res) < 0)
        return -1;
    return 0;
}

int spec_parse_resources(const struct json_obj *o, struct spec_resources *res)
{
    void *items;
    int r;

    r = json_get_objarray(o, "devices", sizeof(*res->devices), &items, &res->n_devices,
                          parse_device_cgroup, NULL);
    res->devices = items;
    if (r < 0 || parse_resource_objs(o, res) < 0)
        return -1;
    r = json_get_objarray(o, "hugepageLimits", sizeof(*res->hugepage_limits), &items,
                          &res->n_hugepage_limits, parse_hugepage, NULL);
    res->hugepage_limits = items;
    if (r < 0)
        return -1;
    r = json_get_objmap(o, "rdma", sizeof(*res->rdma), offsetof(struct spec_rdma, device), &items,
                        &res->n_rdma, parse_rdma, NULL);
    res->rdma = items;
    if (r < 0)
        return -1;
    return json_get_map(o, "unified", &res->unified) < 0 ? -1 : 0;
}
