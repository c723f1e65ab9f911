/* The OCI runtime-spec data model (config.json, Linux), as plain C structs.
 *
 * Every Linux field of runtime-spec v1.3 has a place here, including the ones
 * a later stage acts on, so nothing in a config is silently dropped.
 * Arrays are a pointer plus a count; optional scalars carry a has_ flag.
 * specs/ depends on yajl and libc only.
 *
 * Out of memory is an error in specs/, never an abort: specs/ is the data
 * model any program may link (oci-rt, oci-bench, the fuzzer), so its caller
 * decides. Parsers fail with "out of memory" as their message (config.json
 * through json_ctx, state.json, trace lines); writers (spec_state_to_json,
 * spec_features_json, ...) return NULL. The one gap is inside yajl, whose
 * generator and lexer buffers do not check their allocations.
 * libcontainer/ aborts instead (libcontainer/error.h). */
#ifndef OCI_SPECS_SPEC_CONFIG_H
#define OCI_SPECS_SPEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A string -> string map kept in document order (annotations, sysctl, ...). */
struct spec_kv {
    char *key;
    char *value;
};

struct spec_map {
    struct spec_kv *items;
    size_t n;
};

struct spec_strv {
    char **items;
    size_t n;
};

struct spec_idmap {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

struct spec_idmaps {
    struct spec_idmap *items;
    size_t n;
};

/* ---- process ---- */

struct spec_rlimit {
    char *type; /* "RLIMIT_NOFILE" */
    uint64_t soft;
    uint64_t hard;
};

struct spec_caps {
    bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
    struct spec_strv bounding, effective, inheritable, permitted, ambient;
};

struct spec_user {
    uint32_t uid;
    uint32_t gid;
    bool has_umask;
    uint32_t umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
    char *username;
};

struct spec_scheduler {
    char *policy;
    int32_t nice;
    int32_t priority;
    struct spec_strv flags;
    uint64_t runtime;
    uint64_t deadline;
    uint64_t period;
};

struct spec_io_priority {
    char *class_; /* IOPRIO_CLASS_RT|BE|IDLE */
    int32_t priority;
};

struct spec_cpu_affinity {
    char *initial;
    char *final;
};

struct spec_process {
    bool terminal;
    bool has_console_size;
    uint64_t console_height;
    uint64_t console_width;
    char *cwd;
    struct spec_strv env;
    struct spec_strv args;
    char *command_line;
    struct spec_rlimit *rlimits;
    size_t n_rlimits;
    char *apparmor_profile;
    bool has_capabilities;
    struct spec_caps capabilities;
    bool no_new_privileges;
    bool has_oom_score_adj;
    int oom_score_adj;
    struct spec_scheduler *scheduler;
    char *selinux_label;
    struct spec_io_priority *io_priority;
    struct spec_cpu_affinity *exec_cpu_affinity;
    struct spec_user user;
};

/* ---- mounts, hooks ---- */

struct spec_mount {
    char *destination;
    char *source;
    char *type;
    struct spec_strv options;
    struct spec_idmaps uid_mappings;
    struct spec_idmaps gid_mappings;
};

struct spec_hook {
    char *path;
    struct spec_strv args;
    struct spec_strv env;
    bool has_timeout;
    int timeout; /* seconds, >= 1 */
};

enum spec_hook_kind {
    SPEC_HOOK_PRESTART,
    SPEC_HOOK_CREATE_RUNTIME,
    SPEC_HOOK_CREATE_CONTAINER,
    SPEC_HOOK_START_CONTAINER,
    SPEC_HOOK_POSTSTART,
    SPEC_HOOK_POSTSTOP,
    SPEC_HOOK_KINDS
};

struct spec_hooks {
    struct spec_hook *items[SPEC_HOOK_KINDS];
    size_t n[SPEC_HOOK_KINDS];
};

/* The JSON names of the hook kinds, indexed by enum spec_hook_kind. */
extern const char *const spec_hook_kind_names[SPEC_HOOK_KINDS];

/* ---- linux ---- */

enum spec_ns_type {
    SPEC_NS_MOUNT,
    SPEC_NS_PID,
    SPEC_NS_NETWORK,
    SPEC_NS_UTS,
    SPEC_NS_IPC,
    SPEC_NS_USER,
    SPEC_NS_CGROUP,
    SPEC_NS_TIME,
    SPEC_NS_TYPES
};

/* JSON names ("mount", "pid", ...) indexed by enum spec_ns_type. */
extern const char *const spec_ns_type_names[SPEC_NS_TYPES];
/* The names linux.seccomp accepts (NULL-terminated): actions, argument
 * operators, architectures, filter flags. */
extern const char *const spec_seccomp_actions[];
extern const char *const spec_seccomp_ops[];
extern const char *const spec_seccomp_archs[];
extern const char *const spec_seccomp_flags[];

/* Mount propagation: the names linux.rootfsPropagation takes, which are
 * also the propagation options of a mount, with their mount(2) flags. The
 * one table of them: specs/ validates with it, libcontainer/ (rootfs.c,
 * mounts.c) turns names into flags with it, so no name is accepted by one
 * side and unknown to the other. It lives here because specs/ may not
 * include libcontainer/, while libcontainer/ reads specs/ anyway; the
 * flags come from libc's <sys/mount.h>. Sorted by name; a NULL name ends
 * it. */
struct spec_propagation {
    const char *name;    /* "rshared" */
    unsigned long flags; /* MS_SHARED | MS_REC */
};
extern const struct spec_propagation spec_propagations[];
/* The flags of a propagation name; 0 for NULL or a name not in the table. */
unsigned long spec_propagation_flags(const char *name);

struct spec_namespace {
    enum spec_ns_type type;
    char *path; /* NULL: create a new namespace */
};

struct spec_time_offset {
    bool present;
    int64_t secs;
    uint32_t nanosecs;
};

struct spec_device {
    char *type; /* "c", "b", "u", "p" */
    char *path;
    bool has_file_mode;
    uint32_t file_mode;
    int64_t major;
    int64_t minor;
    bool has_uid, has_gid;
    uint32_t uid, gid;
};

struct spec_net_device {
    char *host_name; /* the map key */
    char *name;      /* name inside the container, NULL: keep */
};

struct spec_device_cgroup {
    bool allow;
    char *type; /* "a", "c", "b" or NULL (all) */
    bool has_major, has_minor;
    int64_t major, minor; /* absent: wildcard */
    char *access;         /* "rwm" subset or NULL (all) */
};

struct spec_memory {
    bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
    int64_t limit, reservation, swap, kernel, kernel_tcp;
    uint64_t swappiness;
    bool has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
    bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu {
    bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period,
        has_idle;
    uint64_t shares, period, burst, realtime_period;
    int64_t quota, realtime_runtime, idle;
    char *cpus;
    char *mems;
};

struct spec_blkio_weight_device {
    int64_t major, minor;
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
};

struct spec_blkio_throttle {
    int64_t major, minor;
    uint64_t rate;
};

struct spec_blkio {
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
    struct spec_blkio_weight_device *weight_device;
    size_t n_weight_device;
    struct spec_blkio_throttle *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
        *throttle_write_iops;
    size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;
};

struct spec_hugepage_limit {
    char *page_size; /* "2MB" */
    uint64_t limit;
};

struct spec_net_priority {
    char *name;
    uint32_t priority;
};

struct spec_network {
    bool has_class_id;
    uint32_t class_id;
    struct spec_net_priority *priorities;
    size_t n_priorities;
};

struct spec_rdma {
    char *device; /* the map key */
    bool has_hca_handles, has_hca_objects;
    uint32_t hca_handles, hca_objects;
};

struct spec_resources {
    struct spec_device_cgroup *devices;
    size_t n_devices;
    struct spec_memory *memory;
    struct spec_cpu *cpu;
    bool has_pids_limit;
    int64_t pids_limit;
    struct spec_blkio *block_io;
    struct spec_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    struct spec_network *network;
    struct spec_rdma *rdma;
    size_t n_rdma;
    struct spec_map unified;
};

struct spec_seccomp_arg {
    uint32_t index;
    uint64_t value;
    uint64_t value_two;
    char *op;
};

struct spec_seccomp_syscall {
    struct spec_strv names;
    char *action;
    bool has_errno_ret;
    uint32_t errno_ret;
    struct spec_seccomp_arg *args;
    size_t n_args;
};

struct spec_seccomp {
    char *default_action;
    bool has_default_errno_ret;
    uint32_t default_errno_ret;
    struct spec_strv architectures;
    struct spec_strv flags;
    char *listener_path;
    char *listener_metadata;
    struct spec_seccomp_syscall *syscalls;
    size_t n_syscalls;
};

struct spec_intel_rdt {
    char *clos_id;
    struct spec_strv schemata;
    char *l3_cache_schema;
    char *mem_bw_schema;
    bool enable_monitoring;
};

struct spec_memory_policy {
    char *mode;
    char *nodes;
    struct spec_strv flags;
};

struct spec_personality {
    char *domain; /* "LINUX" | "LINUX32" */
    struct spec_strv flags;
};

struct spec_linux {
    struct spec_namespace *namespaces;
    size_t n_namespaces;
    struct spec_idmaps uid_mappings;
    struct spec_idmaps gid_mappings;
    struct spec_time_offset time_boottime;
    struct spec_time_offset time_monotonic;
    struct spec_device *devices;
    size_t n_devices;
    struct spec_net_device *net_devices;
    size_t n_net_devices;
    char *cgroups_path;
    struct spec_resources *resources;
    struct spec_intel_rdt *intel_rdt;
    struct spec_map sysctl;
    struct spec_seccomp *seccomp;
    char *rootfs_propagation;
    bool has_masked_paths, has_readonly_paths;
    struct spec_strv masked_paths;
    struct spec_strv readonly_paths;
    char *mount_label;
    struct spec_personality *personality;
    struct spec_memory_policy *memory_policy;
};

struct spec_config {
    char *oci_version;
    char *root_path; /* as written: absolute, or relative to the bundle */
    bool root_readonly;
    char *hostname;
    char *domainname;
    struct spec_mount *mounts;
    size_t n_mounts;
    struct spec_process *process; /* NULL when absent */
    struct spec_hooks hooks;
    struct spec_map annotations;
    struct spec_linux *linux_; /* NULL when absent */
};

/* Parse a config.json document. On failure returns NULL and sets *errmsg to
 * one malloc'd line "<name>: <json.path>: <cause>", where name is what the
 * caller passes (normally "config.json"). */
/* Skip the members of unknown name while parsing (default true; the
 * tests turn it off to compare). */
extern bool spec_parse_prune;
struct spec_config *spec_config_parse(const char *data, size_t len, const char *name,
                                      char **errmsg);
/* The same without a copy of the document: data[len] must be '\0'. */
struct spec_config *spec_config_parse_nul(const char *data, size_t len, const char *name,
                                          char **errmsg);

/* Read and parse a file; errors name the file as given. */
struct spec_config *spec_config_load(const char *path, char **errmsg);

/* Parse a process object on its own (exec --process FILE). */
struct spec_process *spec_process_parse(const char *data, size_t len, const char *name,
                                        char **errmsg);

/* Parse a linux.resources object on its own (update --resources FILE). */
struct spec_resources *spec_resources_parse(const char *data, size_t len, const char *name,
                                            char **errmsg);
void spec_resources_free(struct spec_resources *r);

void spec_config_free(struct spec_config *c);
/* _cleanup_spec_config_ struct spec_config *c = NULL: freed at scope exit. */
static inline void spec_config_freep(struct spec_config **c)
{
    spec_config_free(*c);
}
#define _cleanup_spec_config_ __attribute__((cleanup(spec_config_freep)))
void spec_process_free(struct spec_process *p);

/* Helpers on the model. */
const struct spec_namespace *spec_config_namespace(const struct spec_config *c,
                                                   enum spec_ns_type t);
const char *spec_map_get(const struct spec_map *m, const char *key);

/* The ociVersion majors and minors this runtime accepts ("1.0.0" .. "1.3.x"). */
bool spec_version_supported(const char *version);

#define SPEC_OCI_VERSION "1.3.0"

#endif
