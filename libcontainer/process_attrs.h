/* Process attributes beyond ids and capabilities: scheduler, I/O priority,
 * personality, NUMA memory policy, and the LSM labels (AppArmor, SELinux).
 * Decided and checked in the parent, applied by the init. */
#ifndef OCI_PROCATTR_H
#define OCI_PROCATTR_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "specs/spec_config.h"

struct sched_attr_v1 {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

#define PROCATTR_MAX_NODES 1024

struct process_attrs_plan {
    bool has_sched;
    struct sched_attr_v1 sched;
    bool has_ioprio;
    int ioprio;
    bool has_personality;
    unsigned long personality;
    bool has_mempolicy;
    int mempolicy_mode; /* mode | flags */
    unsigned long nodemask[PROCATTR_MAX_NODES / (8 * sizeof(unsigned long))];
    unsigned long maxnode;
    const char *apparmor;
    const char *selinux;
    int attr_fd; /* the init's /proc/self/attr/.../exec, opened before the pivot */
};

bool process_attrs_apparmor_enabled(void);
/* The memory policy mode (flags=false) or flag names (for `features`). */
size_t process_attrs_mempolicy_names(bool flags, const char **out, size_t max);
bool process_attrs_selinux_enabled(void);

/* Parse and check (errors name the field). */
int process_attrs_plan(const struct spec_config *c, const struct spec_process *p,
                       struct process_attrs_plan *out, struct oci_err *err);
/* Parse a CPU or node list ("0-3,7") into a bit mask. */
int process_attrs_parse_list(const char *s, unsigned long *mask, size_t bits);

/* In the init, while it still has its privileges. */
int process_attrs_apply(struct process_attrs_plan *p, struct oci_err *err);
/* Open the LSM attr file (before the pivot) and write the exec label
 * (right before execve). */
int process_attrs_open_label(struct process_attrs_plan *p, struct oci_err *err);
int process_attrs_set_exec_label(struct process_attrs_plan *p, struct oci_err *err);

#endif
