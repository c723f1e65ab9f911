/* config.json: the linux section, except linux.resources. */
#include "specs/spec_config.h"
#include "specs/json.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

const char *const spec_ns_type_names[SPEC_NS_TYPES] = {
    [SPEC_NS_MOUNT] = "mount",   [SPEC_NS_PID] = "pid",   [SPEC_NS_NETWORK] = "network",
    [SPEC_NS_UTS] = "uts",       [SPEC_NS_IPC] = "ipc",   [SPEC_NS_USER] = "user",
    [SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

/* The schema lists the four without an r; the recursive forms are what
 * runc and crun accept too, and what containerd and CRI-O write. */
const struct spec_propagation spec_propagations[] = {
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"rshared", MS_SHARED | MS_REC},
    {"rslave", MS_SLAVE | MS_REC},
    {"runbindable", MS_UNBINDABLE | MS_REC},
    {"shared", MS_SHARED},
    {"slave", MS_SLAVE},
    {"unbindable", MS_UNBINDABLE},
    {NULL, 0},
};

unsigned long spec_propagation_flags(const char *name)
{
    for (const struct spec_propagation *p = spec_propagations; name && p->name; p++)
        if (!strcmp(p->name, name))
            return p->flags;
    return 0;
}

static const char *const device_types[] = {"c", "b", "u", "p", NULL};

const char *const spec_seccomp_actions[] = {
    "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",      NULL,
};

const char *const spec_seccomp_archs[] = {
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",
    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64", NULL,
};

const char *const spec_seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

const char *const spec_seccomp_ops[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const mpol_modes[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",      NULL,
};

static const char *const mpol_flags[] = {
    "MPOL_F_NUMA_BALANCING",
    "MPOL_F_RELATIVE_NODES",
    "MPOL_F_STATIC_NODES",
    NULL,
};

static const char *const personality_domains[] = {"LINUX", "LINUX32", NULL};

/* ---- id mappings ---- */

static const struct json_field idmap_fields[] = {
    JSON_FR("containerID", JSON_U32, struct spec_idmap, container_id),
    JSON_FR("hostID", JSON_U32, struct spec_idmap, host_id),
    JSON_FR("size", JSON_U32, struct spec_idmap, size),
};

static int parse_idmap(const struct json_obj *o, void *item, void *ud)
{
    (void)ud;
    return json_fields(o, idmap_fields, JSON_ARRAY_LEN(idmap_fields), item);
}

int spec_parse_idmaps(const struct json_obj *o, const char *key, struct spec_idmaps *out)
{
    void *items;
    int r =
        json_get_objarray(o, key, sizeof(struct spec_idmap), &items, &out->n, parse_idmap, NULL);

    out->items = items;
    return r;
}

/* ---- namespaces ---- */

static int parse_namespace(const struct json_obj *o, void *item, void *ud)
{
    struct spec_namespace *ns = item;
    struct json_path tp = JSON_PATH_FIELD_INIT(o->path, "type");
    yajl_val t = json_get(o->v, "type");
    unsigned *seen = ud;
    char q[JSON_QUOTE_MAX];
    int i;

    if (!t)
        return json_error(o->cx, &tp, "required field missing");
    if (!YAJL_IS_STRING(t))
        return json_error(o->cx, &tp, "expected a string");
    for (i = 0; i < SPEC_NS_TYPES; i++)
        if (strcmp(t->u.string, spec_ns_type_names[i]) == 0)
            break;
    if (i == SPEC_NS_TYPES)
        return json_error(o->cx, &tp, "unknown namespace type %s", json_quote(q, t->u.string));
    if (*seen & (1u << i))
        return json_error(o->cx, o->path, "duplicate namespace type %s",
                          json_quote(q, t->u.string));
    *seen |= 1u << i;
    ns->type = (enum spec_ns_type)i;

    struct json_path pp = JSON_PATH_FIELD_INIT(o->path, "path");
    yajl_val p = json_get(o->v, "path");
    if (p && json_strdup(o->cx, &pp, p, &ns->path) < 0)
        return -1;
    if (ns->path && ns->path[0] != '/')
        return json_error(o->cx, &pp, "must be an absolute path");
    return 0;
}

/* ---- devices, network devices, time offsets ---- */

static const struct json_field device_fields[] = {
    JSON_FE("type", JSON_ENUM, JSON_REQ, struct spec_device, type, device_types, "device type"),
    JSON_FR("path", JSON_STR, struct spec_device, path),
    JSON_FH("fileMode", JSON_U32, struct spec_device, file_mode, has_file_mode),
    JSON_FH("uid", JSON_U32, struct spec_device, uid, has_uid),
    JSON_FH("gid", JSON_U32, struct spec_device, gid, has_gid),
};

/* major and minor: required unless the type is "p" (a FIFO) */
static const struct json_field device_num_fields[2][2] = {
    {
        JSON_FR("major", JSON_I64, struct spec_device, major),
        JSON_FR("minor", JSON_I64, struct spec_device, minor),
    },
    {
        JSON_F("major", JSON_I64, struct spec_device, major),
        JSON_F("minor", JSON_I64, struct spec_device, minor),
    },
};

static int parse_device(const struct json_obj *o, void *item, void *ud)
{
    struct spec_device *d = item;

    (void)ud;
    if (json_fields(o, device_fields, JSON_ARRAY_LEN(device_fields), d) < 0)
        return -1;
    return json_fields(o, device_num_fields[d->type[0] == 'p'], 2, d);
}

static const struct json_field net_device_fields[] = {
    JSON_F("name", JSON_STR, struct spec_net_device, name),
};

static int parse_net_device(const struct json_obj *o, void *item, void *ud)
{
    (void)ud;
    return json_fields(o, net_device_fields, JSON_ARRAY_LEN(net_device_fields), item);
}

static const struct json_field time_offset_fields[] = {
    JSON_F("secs", JSON_I64, struct spec_time_offset, secs),
    JSON_F("nanosecs", JSON_U32, struct spec_time_offset, nanosecs),
};

static int parse_time_offsets(const struct json_obj *o, struct spec_linux *l)
{
    static const char *const clocks[] = {"boottime", "monotonic"};
    struct spec_time_offset *dst[] = {&l->time_boottime, &l->time_monotonic};
    struct json_path tp, cp;
    struct json_obj to, co;
    int r = json_get_obj(o, "timeOffsets", false, &tp, &to);

    for (size_t i = 0; r > 0 && i < JSON_ARRAY_LEN(clocks); i++) {
        if ((r = json_get_obj(&to, clocks[i], false, &cp, &co)) < 0)
            return -1;
        dst[i]->present = r > 0;
        if (r > 0 && json_fields(&co, time_offset_fields, 2, dst[i]) < 0)
            return -1;
        r = 1;
    }
    return r;
}

/* ---- seccomp ---- */

static const struct json_field seccomp_arg_fields[] = {
    JSON_FR("index", JSON_U32, struct spec_seccomp_arg, index),
    JSON_FR("value", JSON_U64, struct spec_seccomp_arg, value),
    JSON_F("valueTwo", JSON_U64, struct spec_seccomp_arg, value_two),
    JSON_FE("op", JSON_ENUM, JSON_REQ, struct spec_seccomp_arg, op, spec_seccomp_ops,
            "seccomp operator"),
};

static int parse_seccomp_arg(const struct json_obj *o, void *item, void *ud)
{
    (void)ud;
    return json_fields(o, seccomp_arg_fields, JSON_ARRAY_LEN(seccomp_arg_fields), item);
}

static const struct json_field syscall_fields[] = {
    JSON_FR("names", JSON_STRV, struct spec_seccomp_syscall, names),
    JSON_FE("action", JSON_ENUM, JSON_REQ, struct spec_seccomp_syscall, action,
            spec_seccomp_actions, "seccomp action"),
    JSON_FH("errnoRet", JSON_U32, struct spec_seccomp_syscall, errno_ret, has_errno_ret),
};

static int parse_syscall(const struct json_obj *o, void *item, void *ud)
{
    struct spec_seccomp_syscall *s = item;
    void *items;
    int r;

    (void)ud;
    if (json_fields(o, syscall_fields, JSON_ARRAY_LEN(syscall_fields), s) < 0)
        return -1;
    if (s->names.n == 0) {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "names");
        return json_error(o->cx, &p, "at least one entry is required");
    }
    r = json_get_objarray(o, "args", sizeof(*s->args), &items, &s->n_args, parse_seccomp_arg, NULL);
    s->args = items;
    return r < 0 ? -1 : 0;
}

static const struct json_field seccomp_fields[] = {
    JSON_FE("defaultAction", JSON_ENUM, JSON_REQ, struct spec_seccomp, default_action,
            spec_seccomp_actions, "seccomp action"),
    JSON_FH("defaultErrnoRet", JSON_U32, struct spec_seccomp, default_errno_ret,
            has_default_errno_ret),
    JSON_FE("architectures", JSON_ENUMV, 0, struct spec_seccomp, architectures, spec_seccomp_archs,
            "seccomp architecture"),
    JSON_FE("flags", JSON_ENUMV, 0, struct spec_seccomp, flags, spec_seccomp_flags, "seccomp flag"),
    JSON_F("listenerPath", JSON_STR, struct spec_seccomp, listener_path),
    JSON_F("listenerMetadata", JSON_STR, struct spec_seccomp, listener_metadata),
};

static int parse_seccomp(const struct json_obj *o, struct spec_seccomp *s)
{
    void *items;
    int r;

    if (json_fields(o, seccomp_fields, JSON_ARRAY_LEN(seccomp_fields), s) < 0)
        return -1;
    if (s->listener_metadata && !s->listener_path) {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "listenerMetadata");
        return json_error(o->cx, &p, "requires listenerPath");
    }
    r = json_get_objarray(o, "syscalls", sizeof(*s->syscalls), &items, &s->n_syscalls,
                          parse_syscall, NULL);
    s->syscalls = items;
    return r < 0 ? -1 : 0;
}

/* ---- small objects ---- */

static const struct json_field intel_rdt_fields[] = {
    JSON_F("closID", JSON_STR, struct spec_intel_rdt, clos_id),
    JSON_F("schemata", JSON_STRV, struct spec_intel_rdt, schemata),
    JSON_F("l3CacheSchema", JSON_STR, struct spec_intel_rdt, l3_cache_schema),
    JSON_F("memBwSchema", JSON_STR, struct spec_intel_rdt, mem_bw_schema),
    JSON_F("enableMonitoring", JSON_BOOL, struct spec_intel_rdt, enable_monitoring),
};

static int parse_intel_rdt(const struct json_obj *o, struct spec_intel_rdt *rdt)
{
    const char *mb;
    char q[JSON_QUOTE_MAX];

    if (json_fields(o, intel_rdt_fields, JSON_ARRAY_LEN(intel_rdt_fields), rdt) < 0)
        return -1;
    mb = rdt->mem_bw_schema;
    if (mb && (strncmp(mb, "MB:", 3) != 0 || strchr(mb, '\n'))) { /* ^MB:[^\n]*$ */
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "memBwSchema");
        return json_error(o->cx, &p, "invalid schema %s", json_quote(q, mb));
    }
    return 0;
}

static const struct json_field personality_fields[] = {
    JSON_FE("domain", JSON_ENUM, JSON_REQ, struct spec_personality, domain, personality_domains,
            "personality domain"),
    JSON_F("flags", JSON_STRV, struct spec_personality, flags),
};

static const struct json_field memory_policy_fields[] = {
    JSON_FE("mode", JSON_ENUM, JSON_REQ, struct spec_memory_policy, mode, mpol_modes,
            "memory policy mode"),
    JSON_F("nodes", JSON_STR, struct spec_memory_policy, nodes),
    JSON_FE("flags", JSON_ENUMV, 0, struct spec_memory_policy, flags, mpol_flags,
            "memory policy flag"),
};

static const struct json_field linux_fields[] = {
    JSON_F("cgroupsPath", JSON_STR, struct spec_linux, cgroups_path),
    JSON_F("rootfsPropagation", JSON_STR, struct spec_linux, rootfs_propagation),
    JSON_FH("maskedPaths", JSON_STRV, struct spec_linux, masked_paths, has_masked_paths),
    JSON_FH("readonlyPaths", JSON_STRV, struct spec_linux, readonly_paths, has_readonly_paths),
    JSON_F("mountLabel", JSON_STR, struct spec_linux, mount_label),
};

/* An optional object member parsed into a struct allocated on demand. The
 * struct is returned even when parsing it fails (*rc < 0), so that the
 * caller stores it and a partial result is freed with the rest. */
static void *parse_sub(const struct json_obj *o, const char *key, size_t size,
                       int (*fn)(const struct json_obj *, void *), int *rc)
{
    struct json_path sp;
    struct json_obj so;
    void *p;

    *rc = json_get_obj(o, key, false, &sp, &so);
    if (*rc <= 0)
        return NULL;
    if (!(p = calloc(1, size))) {
        *rc = json_error(o->cx, &sp, "out of memory");
        return NULL;
    }
    *rc = fn(&so, p) < 0 ? -1 : 1;
    return p;
}

static int personality_fn(const struct json_obj *o, void *p)
{
    return json_fields(o, personality_fields, JSON_ARRAY_LEN(personality_fields), p);
}

static int memory_policy_fn(const struct json_obj *o, void *p)
{
    return json_fields(o, memory_policy_fields, JSON_ARRAY_LEN(memory_policy_fields), p);
}

static int seccomp_fn(const struct json_obj *o, void *p)
{
    return parse_seccomp(o, p);
}

static int intel_rdt_fn(const struct json_obj *o, void *p)
{
    return parse_intel_rdt(o, p);
}

static int resources_fn(const struct json_obj *o, void *p)
{
    return spec_parse_resources(o, p);
}

/* The optional sub-objects, each into its own allocation. */
static int parse_linux_subs(const struct json_obj *o, struct spec_linux *l)
{
    int r;

    l->resources = parse_sub(o, "resources", sizeof(*l->resources), resources_fn, &r);
    if (r < 0)
        return -1;
    l->intel_rdt = parse_sub(o, "intelRdt", sizeof(*l->intel_rdt), intel_rdt_fn, &r);
    if (r < 0)
        return -1;
    l->seccomp = parse_sub(o, "seccomp", sizeof(*l->seccomp), seccomp_fn, &r);
    if (r < 0)
        return -1;
    l->personality = parse_sub(o, "personality", sizeof(*l->personality), personality_fn, &r);
    if (r < 0)
        return -1;
    l->memory_policy =
        parse_sub(o, "memoryPolicy", sizeof(*l->memory_policy), memory_policy_fn, &r);
    return r < 0 ? -1 : 0;
}

/* rootfsPropagation: a name of spec_propagations (the field is read as a
 * string by linux_fields). */
static int check_rootfs_propagation(const struct json_obj *o, const struct spec_linux *l)
{
    if (!l->rootfs_propagation || spec_propagation_flags(l->rootfs_propagation))
        return 0;
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, "rootfsPropagation");
    char q[JSON_QUOTE_MAX];
    return json_error(o->cx, &p, "unknown rootfs propagation %s",
                      json_quote(q, l->rootfs_propagation));
}

int spec_parse_linux(const struct json_obj *o, struct spec_linux *l)
{
    unsigned seen = 0;
    void *items;
    int r;

    r = json_get_objarray(o, "namespaces", sizeof(*l->namespaces), &items, &l->n_namespaces,
                          parse_namespace, &seen);
    l->namespaces = items;
    if (r < 0)
        return -1;
    if (spec_parse_idmaps(o, "uidMappings", &l->uid_mappings) < 0 ||
        spec_parse_idmaps(o, "gidMappings", &l->gid_mappings) < 0 || parse_time_offsets(o, l) < 0)
        return -1;
    r = json_get_objarray(o, "devices", sizeof(*l->devices), &items, &l->n_devices, parse_device,
                          NULL);
    l->devices = items;
    if (r < 0)
        return -1;
    r = json_get_objmap(o, "netDevices", sizeof(*l->net_devices),
                        offsetof(struct spec_net_device, host_name), &items, &l->n_net_devices,
                        parse_net_device, NULL);
    l->net_devices = items;
    if (r < 0)
        return -1;
    if (json_fields(o, linux_fields, JSON_ARRAY_LEN(linux_fields), l) < 0 ||
        check_rootfs_propagation(o, l) < 0 || json_get_map(o, "sysctl", &l->sysctl) < 0)
        return -1;
    return parse_linux_subs(o, l);
}
