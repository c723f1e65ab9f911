#include "config.h"
#include "process_attrs.h"
#include "procfs.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct name_val {
    const char *name;
    unsigned long val;
};

static int lookup(const struct name_val *t, size_t n, const char *name, unsigned long *out)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name)) {
            *out = t[i].val;
            return 0;
        }
    return -1;
}

static const struct name_val sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
static const struct name_val sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
static const struct name_val ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3}};
static const struct name_val personality_flags[] = {
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT}, {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},         {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},         {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},   {"SHORT_INODE", SHORT_INODE},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},       {"UNAME26", UNAME26},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
};
static const struct name_val mpol_modes[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
static const struct name_val mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
};

size_t process_attrs_mempolicy_names(bool flags, const char **out, size_t max)
{
    const struct name_val *t = flags ? mpol_flags : mpol_modes;
    size_t n = flags ? ARRAY_SIZE(mpol_flags) : ARRAY_SIZE(mpol_modes);
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = t[i].name;
    return n < max ? n : max;
}

bool process_attrs_apparmor_enabled(void)
{
    char *v = NULL;
    bool on =
        read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", &v, NULL, 64) == 0 &&
        v[0] == 'Y';
    free(v);
    return on;
}

bool process_attrs_selinux_enabled(void)
{
    return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int process_attrs_parse_list(const char *s, unsigned long *mask, size_t bits)
{
    const size_t w = 8 * sizeof(unsigned long);
    memset(mask, 0, bits / 8);
    for (const char *p = s; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (end == p)
            return -1;
        if (*end == '-') {
            p = end + 1;
            b = strtoul(p, &end, 10);
            if (end == p || b < a)
                return -1;
        }
        if (b >= bits)
            return -1;
        for (unsigned long i = a; i <= b; i++)
            mask[i / w] |= 1ul << (i % w);
        p = end;
    }
    return 0;
}

static int plan_sched(const struct spec_scheduler *s, struct process_attrs_plan *out,
                      struct oci_err *err)
{
    unsigned long v;
    if (lookup(sched_policies, ARRAY_SIZE(sched_policies), s->policy, &v) < 0)
        return err_set(err, 0, "process.scheduler.policy: unknown policy \"%s\"", s->policy);
    out->has_sched = true;
    out->sched.size = sizeof(out->sched);
    out->sched.sched_policy = (uint32_t)v;
    out->sched.sched_nice = s->nice;
    out->sched.sched_priority = (uint32_t)s->priority;
    out->sched.sched_runtime = s->runtime;
    out->sched.sched_deadline = s->deadline;
    out->sched.sched_period = s->period;
    for (size_t i = 0; i < s->flags.n; i++) {
        if (lookup(sched_flags, ARRAY_SIZE(sched_flags), s->flags.items[i], &v) < 0)
            return err_set(err, 0, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i,
                           s->flags.items[i]);
        out->sched.sched_flags |= v;
    }
    return 0;
}

static int plan_personality(const struct spec_personality *p, struct process_attrs_plan *out,
                            struct oci_err *err)
{
    out->has_personality = true;
    out->personality = p->domain && !strcmp(p->domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
    for (size_t i = 0; i < p->flags.n; i++) {
        unsigned long v;
        if (lookup(personality_flags, ARRAY_SIZE(personality_flags), p->flags.items[i], &v) < 0)
            return err_set(err, 0, "linux.personality.flags[%zu]: unknown flag \"%s\"", i,
                           p->flags.items[i]);
        out->personality |= v;
    }
    return 0;
}

static int plan_mempolicy(const struct spec_memory_policy *m, struct process_attrs_plan *out,
                          struct oci_err *err)
{
    unsigned long v;
    if (!m->mode || lookup(mpol_modes, ARRAY_SIZE(mpol_modes), m->mode, &v) < 0)
        return err_set(err, 0, "linux.memoryPolicy.mode: unknown mode \"%s\"",
                       m->mode ? m->mode : "");
    out->has_mempolicy = true;
    out->mempolicy_mode = (int)v;
    for (size_t i = 0; i < m->flags.n; i++) {
        if (lookup(mpol_flags, ARRAY_SIZE(mpol_flags), m->flags.items[i], &v) < 0)
            return err_set(err, 0, "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"", i,
                           m->flags.items[i]);
        out->mempolicy_mode |= (int)v;
    }
    if (m->nodes && *m->nodes) {
        if (process_attrs_parse_list(m->nodes, out->nodemask, PROCATTR_MAX_NODES) < 0)
            return err_set(err, 0, "linux.memoryPolicy.nodes \"%s\": not a node list", m->nodes);
        out->maxnode = PROCATTR_MAX_NODES;
    }
    return 0;
}

int process_attrs_plan(const struct spec_config *c, const struct spec_process *p,
                       struct process_attrs_plan *out, struct oci_err *err)
{
    memset(out, 0, sizeof(*out));
    out->attr_fd = -1;
    if (p->scheduler && plan_sched(p->scheduler, out, err) < 0)
        return -1;
    if (p->io_priority) {
        unsigned long cls;
        if (lookup(ioprio_classes, ARRAY_SIZE(ioprio_classes), p->io_priority->class_, &cls) < 0)
            return err_set(err, 0, "process.ioPriority.class: unknown class \"%s\"",
                           p->io_priority->class_);
        if (p->io_priority->priority < 0 || p->io_priority->priority > 7)
            return err_set(err, 0, "process.ioPriority.priority %d: must be 0 to 7",
                           p->io_priority->priority);
        out->has_ioprio = true;
        out->ioprio = (int)(cls << 13) | p->io_priority->priority;
    }
    const struct spec_linux *l = c->linux_;
    if (l && l->personality && plan_personality(l->personality, out, err) < 0)
        return -1;
    if (l && l->memory_policy && plan_mempolicy(l->memory_policy, out, err) < 0)
        return -1;
    if (p->apparmor_profile && *p->apparmor_profile) {
        if (!process_attrs_apparmor_enabled())
            return err_set(err, 0,
                           "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
                           p->apparmor_profile);
        out->apparmor = p->apparmor_profile;
    }
    if (p->selinux_label && *p->selinux_label) {
        if (!process_attrs_selinux_enabled())
            return err_set(err, 0,
                           "process.selinuxLabel \"%s\": SELinux is not enabled on this host",
                           p->selinux_label);
        out->selinux = p->selinux_label;
    }
    if (l && l->mount_label && *l->mount_label && !process_attrs_selinux_enabled())
        return err_set(err, 0, "linux.mountLabel \"%s\": SELinux is not enabled on this host",
                       l->mount_label);
    return 0;
}

int process_attrs_apply(struct process_attrs_plan *p, struct oci_err *err)
{
    if (p->has_sched && syscall(SYS_sched_setattr, 0, &p->sched, 0) < 0) {
        bool rt = p->sched.sched_policy == 1 || p->sched.sched_policy == 2;
        if (rt && errno == EPERM)
            return err_set(err, errno,
                           "process.scheduler: a realtime policy needs realtime runtime in the "
                           "container's cgroup (linux.resources.cpu.realtimeRuntime)");
        return err_set(err, errno, "process.scheduler: sched_setattr");
    }
    if (p->has_ioprio && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p->ioprio) < 0)
        return err_set(err, errno, "process.ioPriority: ioprio_set");
    if (p->has_mempolicy && syscall(SYS_set_mempolicy, p->mempolicy_mode,
                                    p->maxnode ? p->nodemask : NULL, p->maxnode) < 0)
        return err_set(err, errno, "linux.memoryPolicy: set_mempolicy");
    if (p->has_personality && personality(p->personality) < 0)
        return err_set(err, errno, "linux.personality");
    return 0;
}

int process_attrs_open_label(struct process_attrs_plan *p, struct oci_err *err)
{
    if (!p->apparmor && !p->selinux)
        return 0;
    /* the LSM's own file first (AppArmor's since 5.1), then the shared one;
     * through the runtime's procfs: no mount can stand in for it */
    if (!p->selinux) {
        struct oci_err e = {0};
        p->attr_fd = procfs_open(PROCFS_THREAD_SELF, 0, "attr/apparmor/exec", O_WRONLY, &e);
        if (p->attr_fd >= 0)
            return 0;
        if (e.errnum != ENOENT) {
            err_copy(err, &e);
            return err_wrap(err, "process.apparmorProfile");
        }
    }
    p->attr_fd = procfs_open(PROCFS_THREAD_SELF, 0, "attr/exec", O_WRONLY, err);
    return p->attr_fd < 0 ? -1 : 0;
}

int process_attrs_set_exec_label(struct process_attrs_plan *p, struct oci_err *err)
{
    if (p->attr_fd < 0)
        return 0;
    char buf[4200];
    int n = p->selinux ? snprintf(buf, sizeof(buf), "%s", p->selinux)
                       : snprintf(buf, sizeof(buf), "exec %s", p->apparmor);
    if (write(p->attr_fd, buf, (size_t)n) != n)
        return err_set(err, errno, "%s \"%s\": set the exec label",
                       p->selinux ? "process.selinuxLabel" : "process.apparmorProfile",
                       p->selinux ? p->selinux : p->apparmor);
    close(p->attr_fd);
    p->attr_fd = -1;
    return 0;
}
