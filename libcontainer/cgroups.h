/* Control groups: one backend per hierarchy layout behind an ops table.
 *
 *   unified  /sys/fs/cgroup is cgroup2 (every current distribution)
 *   hybrid   v1 controllers under /sys/fs/cgroup/<ctrl> plus a cgroup2 mount
 *            at /sys/fs/cgroup/unified (this machine, many enterprise nodes)
 *   legacy   v1 only
 *   disabled no cgroup at all (--cgroup-manager disabled)
 *
 * Only cgroups oci-rt created are written to or removed. */
#ifndef OCI_CGROUPS_H
#define OCI_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"

enum cg_mode { CG_DISABLED, CG_UNIFIED, CG_HYBRID, CG_LEGACY };
extern const char *const cg_mode_names[];

#define CG_DEFAULT_PARENT "/oci-rt"

struct cg_hier {
    char *mnt;         /* mount point, e.g. /sys/fs/cgroup/memory */
    char *controllers; /* "memory", "cpu,cpuacct", "name=systemd" */
};

struct cgroup {
    enum cg_mode mode;
    char *path;           /* the container's cgroup, "/oci-rt/<id>" */
    char *top;            /* the highest directory this container created: removed up to here */
    char *v2_mnt;         /* cgroup2 mount (unified: /sys/fs/cgroup, hybrid: .../unified) */
    int v2_fd;            /* O_PATH fd of the container's v2 directory, -1 when none */
    struct cg_hier *hier; /* v1 hierarchies */
    size_t n_hier;
    /* the device rules are left out of cgroup_create and applied by
     * cgroup_apply_devices once the init made its device nodes (as runc
     * does: a config may deny a device it also asks to be created); on v2
     * the eBPF filter's verification (~0.3 ms) then overlaps the rest of
     * the init's set-up */
    bool defer_devices;
    bool top_planned; /* cgroup_plan_top decided top */
    /* the systemd driver (cgroup_systemd.c): the transient scope holding
     * the container (its cgroup is top), NULL with the cgroupfs driver */
    char *unit;
    char *slice;
    char *delegate;     /* run.oci.delegate-cgroup: the processes' cgroup below path */
    bool delegate_late; /* the init moves there itself, after its cgroup namespace */
    bool unit_pending;  /* create: the scope is started once the init exists */
    const struct spec_resources *res; /* create: the resources, for the scope's properties */
};

/* Detect the layout (or take the forced one) and fill hierarchies. */
int cgroup_init(struct cgroup *cg, enum cg_mode mode, const char *path, const char *top,
                struct oci_err *err);
void cgroup_release(struct cgroup *cg);
/* _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1}: released at scope exit. */
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_release)))
/* cgroupsPath from the config (may be NULL/empty) -> the path to use. */
char *cgroup_resolve_path(const char *config_path, const char *id);
/* Decide the highest directory the container will own (cg->top), before
 * anything is made, so that it can be recorded first. */
void cgroup_plan_top(struct cgroup *cg);
/* The systemd driver: cgroupsPath "slice:prefix:name" (runc's format;
 * empty: system.slice, oci-rt-<id>.scope) and crun's annotations
 * (cgroup_systemd.h) name the scope and its cgroup; nothing is made until
 * cgroup_create and cgroup_enter. */
int cgroup_init_systemd(struct cgroup *cg, enum cg_mode mode, const char *cgroups_path,
                        const char *id, const struct spec_map *annotations, struct oci_err *err);
/* Move pid into the delegated cgroup (run.oci.delegate-cgroup), once it made
 * its cgroup namespace; nothing without one. */
int cgroup_enter_delegated(struct cgroup *cg, pid_t pid, struct oci_err *err);
/* The cgroup (below the mount) a new process of the container joins. */
char *cgroup_procs_path(const struct cgroup *cg);
/* Is the unified hierarchy the only one (cgroup v2 host)? */
bool cgroup_host_unified(void);
/* Create every directory; on failure nothing created is left. */
int cgroup_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err);
/* Parent side: put pid in the v2 hierarchy when clone3 did not. */
int cgroup_enter(struct cgroup *cg, pid_t pid, bool v2_done, struct oci_err *err);
/* Child side: move the calling (single-threaded) process into the v1
 * hierarchies. Writing "0" to a v1 "tasks" file moves the caller without
 * the global threadgroup lock, whose RCU grace period makes a write of a
 * pid to cgroup.procs cost ~10 ms. */
int cgroup_enter_self(struct cgroup *cg, struct oci_err *err);
/* The same, v2 included (the caller was not cloned into it). */
int cgroup_enter_self_all(struct cgroup *cg, struct oci_err *err);
/* Remove the directories, waiting briefly for exiting tasks. */
int cgroup_destroy(struct cgroup *cg, struct oci_err *err);
/* The pids in the container's cgroup and the cgroups below it (malloc'd
 * array). */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct oci_err *err);

/* ---- resources and operations (issue 4) ---- */

/* Apply linux.resources. update=false: at create, every field set in res;
 * update=true: `oci-rt update` on a running container. Each resource goes
 * to the hierarchy that has its controller (on a hybrid host: v1, or v2
 * for what is enabled there, e.g. hugetlb); a resource no hierarchy can
 * take is a clear error naming the field and the controller. Zero values
 * mean "not set", as in runc (memory.limit 0, cpu.shares 0, pids.limit 0). */
int cgroup_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
                 struct oci_err *err);
/* The device rules left out by defer_devices (with runc's defaults after
 * them); nothing when none were deferred. */
int cgroup_apply_devices(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err);
/* What cgroup_apply_devices will need and takes long to make (the v2
 * filter's load), made now: for a caller that would otherwise wait. */
void cgroup_preload_devices(struct cgroup *cg, const struct spec_resources *res);
/* Freeze (pause) or thaw (resume): cgroup.freeze on v2, freezer.state on
 * v1; returns once the kernel reports the new state. */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct oci_err *err);
/* 1 frozen, 0 not, -1 when there is no freezer. */
int cgroup_frozen(struct cgroup *cg);
/* A process of the container (pid) that someone else froze by moving it
 * into a v1 freezer cgroup of theirs cannot die: it is moved back into the
 * container's freezer cgroup, which thaws it (v2 kills frozen tasks, and a
 * foreign cgroup is never thawed or written). 1: moved, 0: not frozen
 * elsewhere, -1 with errno: the move was refused. */
int cgroup_reclaim(struct cgroup *cg, pid_t pid);
/* The one way to kill everything of a container: SIGKILL every process of
 * its cgroup tree until none is left (cgroup.kill where the kernel has it,
 * else each pid, the freezer held around the signals when forks outrun
 * them, and a process frozen elsewhere brought back: cgroup_reclaim). */
int cgroup_kill_all(struct cgroup *cg, struct oci_err *err);
/* Signal every process of the cgroup: SIGKILL is cgroup_kill_all, else
 * each pid, with the cgroup frozen around it so a fork cannot escape. */
int cgroup_signal_all(struct cgroup *cg, int sig, struct oci_err *err);

struct cgroup_blkio_entry {
    uint64_t major, minor;
    char op[16]; /* Read, Write, Sync, Async, Discard, Total */
    uint64_t value;
};

struct cgroup_hugetlb_entry {
    char size[16]; /* "2MB" */
    uint64_t usage, max, failcnt;
};

/* What `oci-rt events --stats` reports (runc's types.Stats). Fields a host
 * does not have stay 0; has_* say which groups were read. */
struct cgroup_stats {
    bool has_cpu, has_memory, has_pids, has_blkio, has_hugetlb;
    struct {
        uint64_t total, kernel, user; /* ns */
        uint64_t *percpu;
        size_t n_percpu;
        uint64_t periods, throttled_periods, throttled_time;
    } cpu;
    struct {
        uint64_t usage, max_usage, limit, failcnt;
        uint64_t swap_usage, swap_max_usage, swap_limit, swap_failcnt;
        uint64_t kernel_usage, kernel_limit;
        uint64_t cache;
        struct spec_map raw; /* memory.stat, key -> decimal value */
    } memory;
    struct {
        uint64_t current, limit; /* limit 0: max */
    } pids;
    struct cgroup_blkio_entry *io_bytes, *io_ops;
    size_t n_io_bytes, n_io_ops;
    struct cgroup_hugetlb_entry *hugetlb;
    size_t n_hugetlb;
};

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err);
void cgroup_stats_free(struct cgroup_stats *st);
/* The number of OOM kills so far (memory.events oom_kill on v2, the
 * oom_kill line of memory.oom_control on v1); -1 when unknown. */
int64_t cgroup_oom_kills(struct cgroup *cg);
/* An fd that becomes readable when the memory controller reports an
 * event (inotify on memory.events on v2, an eventfd registered on
 * memory.oom_control on v1); -1 with err when not available. */
/* *per_event: the fd counts OOM events itself (v1's eventfd: it fires as
 * the OOM starts, before oom_kill is counted); else the counter of
 * cgroup_oom_kills tells (v2). */
int cgroup_oom_watch(struct cgroup *cg, bool *per_event, struct oci_err *err);
/* Is a controller available for the container (v1 mounted, or enabled
 * in the v2 parent)? */
bool cgroup_has_controller(struct cgroup *cg, const char *name);

#endif
