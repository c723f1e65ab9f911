/* The rules table of `oci-rt profile`: which lifecycle phase a kernel event
 * belongs to. Tried in order, the first match wins; a recorded call that
 * matches none is "other". Phase names are oci-rt's own (see `oci-rt trace`)
 * where they mean the same thing, so a runtime's profile lines up with
 * oci-rt's spans. `oci-rt profile --rules` prints this table; README.md
 * shows it. */
#include "config.h"
#include "ktrace_model.h"
#include "ktrace_path.h"
#include "ktrace_rules.h"
#include "util.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define K(k) (1ull << (k))

/* Where an event's path (or fd) is. */
enum {
    W_CGROUP = 1 << 0,   /* under /sys/fs/cgroup */
    W_STATE = 1 << 1,    /* the runtime's state directory (its --root, or the id) */
    W_CONFIG = 1 << 2,   /* a config.json */
    W_LOADER = 1 << 3,   /* ld.so's files, shared libraries, locale data */
    W_ROOTFS = 1 << 4,   /* in the container's root */
    W_PIPE = 1 << 5,     /* an fd of a pipe */
    W_SOCKET = 1 << 6,   /* an fd of a socket */
    W_MEMFD = 1 << 7,    /* an fd of a memfd */
    W_PROCINFO = 1 << 8, /* /proc/PID/{mountinfo,cgroup,status,stat,fd,ns,...} read */
    W_IDMAP = 1 << 9,    /* /proc/PID/{uid_map,gid_map,setgroups} */
    W_SYSCTL = 1 << 10,  /* /proc/sys */
};

struct ctx {
    const struct kt_model *m;
    const struct kt_process *p;
    const struct kt_invocation *inv;
    const struct kt_event *e;
    const char *path;   /* the host path of the call's path or fd */
    const char *vpath;  /* the path as the process sees it (in its root) */
    const char *cpath;  /* the path in the container's root (NULL: outside it) */
    const char *rootfs; /* the container's root, host path */
    const char *base;   /* last component of path */
    unsigned where;
};

struct rule {
    const char *phase; /* %t target in the container, %n namespaces, %o the command */
    enum kt_class cls;
    uint64_t kinds;
    unsigned where;                    /* any of these, 0: anywhere */
    const char *pattern;               /* fnmatch on the basename, '|' between choices */
    bool (*when)(const struct ctx *c); /* NULL: always */
    const char *kernel;
};

/* ---- conditions ---- */

static bool when_pivoted(const struct ctx *c)
{
    return c->e->pivoted;
}

static bool when_slept(const struct ctx *c)
{
    return c->e->slept;
}

static bool when_fifo_wait(const struct ctx *c)
{
    return c->e->slept && c->e->mark == KM_FIFO;
}

static bool when_one_thread(const struct ctx *c)
{
    return !c->e->threaded;
}

static bool when_write(const struct ctx *c)
{
    const struct kt_event *e = c->e;
    switch (e->sc->kind) {
    case KS_WRITE:
    case KS_COPY:
    case KS_RENAME:
    case KS_CHATTR:
    case KS_SYMLINK:
        return true;
    case KS_OPEN: {
        if (e->sc->nr == SYS_openat2)
            return false; /* flags in user memory: runtimes use it to resolve, not to write */
        uint64_t fl = e->sc->path[0] == 0 ? e->args[1] : e->args[2];
        return (fl & O_ACCMODE) != O_RDONLY || (fl & (O_CREAT | O_TRUNC));
    }
    default:
        return false;
    }
}

static bool when_read(const struct ctx *c)
{
    return !when_write(c);
}

static uint64_t clone_flags(const struct kt_event *e)
{
    if (e->sc->nr == SYS_clone3)
        return e->aux;
    return e->sc->nr == SYS_clone ? e->args[0] : 0;
}

#define NS_FLAGS                                                                                   \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |     \
     CLONE_NEWCGROUP | 0x80 /* CLONE_NEWTIME */)

static bool when_new_ns(const struct ctx *c)
{
    return clone_flags(c->e) & NS_FLAGS;
}

static bool when_thread(const struct ctx *c)
{
    return clone_flags(c->e) & CLONE_THREAD;
}

static bool when_bpf_cgroup(const struct ctx *c)
{
    uint64_t cmd = c->e->args[0];
    if (cmd == BPF_PROG_LOAD)
        return (uint32_t)c->e->aux == BPF_PROG_TYPE_CGROUP_DEVICE;
    return cmd == BPF_PROG_ATTACH || cmd == BPF_PROG_DETACH || cmd == BPF_LINK_CREATE ||
           cmd == BPF_PROG_QUERY;
}

static const char *mount_src(const struct kt_event *e)
{
    return e->sc->kind == KS_MOUNT ? e->str[1] : "";
}

static bool when_rootfs_prepare(const struct ctx *c)
{
    return !c->e->pivoted && c->path &&
           (!strcmp(c->path, "/") || (c->rootfs && !strcmp(c->path, c->rootfs)));
}

static bool when_root_ro(const struct ctx *c)
{
    uint64_t fl = c->e->args[3];
    return c->e->pivoted && c->vpath && !strcmp(c->vpath, "/") && (fl & MS_REMOUNT) &&
           (fl & MS_RDONLY);
}

/* /dev/null bound over a path, a read-only tmpfs over a directory, a path
 * bound onto itself (marked by the model), and later calls on such paths. */
static bool when_masked(const struct ctx *c)
{
    return c->e->mark == KM_MASKED;
}

static bool when_bincopy(const struct ctx *c)
{
    return c->e->mark == KM_BINCOPY;
}

static bool when_dev_bind(const struct ctx *c)
{
    return (c->e->args[3] & MS_BIND) && !strncmp(mount_src(c->e), "/dev/", 5) && c->cpath &&
           !strncmp(c->cpath, "/dev/", 5);
}

static bool when_in_dev(const struct ctx *c)
{
    return c->cpath && !strncmp(c->cpath, "/dev/", 5);
}

static bool when_prctl_caps(const struct ctx *c)
{
    uint64_t op = c->e->args[0];
    return op == PR_CAPBSET_DROP || op == PR_SET_SECUREBITS || op == PR_SET_KEEPCAPS ||
           (op == PR_CAP_AMBIENT && c->e->args[1] != PR_CAP_AMBIENT_IS_SET);
}

static bool when_prctl_seccomp(const struct ctx *c)
{
    return c->e->args[0] == PR_SET_SECCOMP && c->e->ret >= 0;
}

/* A filter loaded, not a probe of what the kernel supports. */
static bool when_seccomp_filter(const struct ctx *c)
{
    return c->e->args[0] == 1 /* SECCOMP_SET_MODE_FILTER */ && c->e->ret >= 0;
}

/* Reading an attribute, naming the process or a mapping: bookkeeping. */
static bool when_prctl_query(const struct ctx *c)
{
    static const uint64_t q[] = {PR_GET_PDEATHSIG,    PR_GET_DUMPABLE,   PR_GET_KEEPCAPS,
                                 PR_GET_NAME,         PR_SET_NAME,       PR_GET_SECCOMP,
                                 PR_CAPBSET_READ,     PR_GET_SECUREBITS, PR_GET_CHILD_SUBREAPER,
                                 PR_GET_NO_NEW_PRIVS, 0x53564d41 /* PR_SET_VMA */};
    for (size_t i = 0; i < ARRAY_SIZE(q); i++)
        if (c->e->args[0] == q[i])
            return true;
    return c->e->args[0] == PR_CAP_AMBIENT && c->e->args[1] == PR_CAP_AMBIENT_IS_SET;
}

static bool when_rlimit_set(const struct ctx *c)
{
    return c->e->sc->nr != SYS_prlimit64 || c->e->args[2] != 0;
}

/* A signal to another process (a runtime's kill); the Go runtime's
 * preemption signals to its own threads are not. */
static bool when_signal(const struct ctx *c)
{
    const struct kt_event *e = c->e;
    switch (e->sc->nr) {
    case SYS_kill:
        return e->args[1] != 0 && (pid_t)e->args[0] != e->pid;
    case SYS_tgkill:
    case SYS_tkill:
        return false; /* to a thread: the Go runtime preempting its own */
    default:
        return e->args[1] != 0;
    }
}

/* The call's path (a rename's new name) is the container's state
 * directory itself, not a file in it. */
static bool when_state_dir_itself(const struct ctx *c)
{
    return c->inv && c->inv->id && !strcmp(c->base, c->inv->id);
}

static bool when_op_create(const struct ctx *c)
{
    return c->inv && (!strcmp(c->inv->op, "create") || !strcmp(c->inv->op, "run"));
}

static bool when_mount_target(const struct ctx *c)
{
    return c->e->sc->nr == SYS_move_mount || c->e->sc->nr == SYS_mount_setattr;
}

/* A change of propagation only (no file system, no bind, no remount). */
static bool when_propagation(const struct ctx *c)
{
    uint64_t fl = c->e->args[3];
    return c->e->sc->kind == KS_MOUNT &&
           (fl & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) &&
           !(fl & (MS_BIND | MS_REMOUNT | MS_MOVE));
}

static bool when_pivoted_propagation(const struct ctx *c)
{
    return c->e->pivoted && when_propagation(c);
}

static bool when_setattr_root(const struct ctx *c)
{
    return c->e->pivoted && c->e->sc->nr == SYS_mount_setattr && c->vpath && !strcmp(c->vpath, "/");
}

static bool when_prepare_propagation(const struct ctx *c)
{
    return !c->e->pivoted && when_propagation(c);
}

/* The process that pivots (or chroots) into the container's root. */
static bool when_sets_up_root(const struct ctx *c)
{
    return c->p->rootfs != NULL;
}

/* ---- the table ---- */

#define PATHK                                                                                      \
    (K(KS_OPEN) | K(KS_READ) | K(KS_WRITE) | K(KS_STAT) | K(KS_MKDIR) | K(KS_GETDENTS) |           \
     K(KS_CHATTR) | K(KS_FLOCK) | K(KS_COPY) | K(KS_RENAME) | K(KS_UNLINK) | K(KS_RMDIR) |         \
     K(KS_SYMLINK) | K(KS_MKNOD))
#define FILEK (K(KS_OPEN) | K(KS_READ) | K(KS_STAT))
#define IOK (K(KS_READ) | K(KS_WRITE))

static const struct rule rules[] = {
    /* programs */
    {"execve", KC_FINAL, K(KS_EXEC), 0, NULL, when_pivoted,
     "execve of a process that did pivot_root or chroot (or whose parent did): the container's "
     "program; the process's later time is \"container process\""},
    {"exec and dynamic loading", KC_PHASE, K(KS_EXEC), 0, NULL, NULL, "any other execve"},
    /* waiting for the other side: the time in the call, shown as idle */
    {"wait on fifo (idle)", KC_WAIT, K(KS_OPEN), 0, NULL, when_fifo_wait,
     "an open that slept, of a fifo made by mknod in the trace (runc's exec.fifo)"},
    {"wait on pipe (idle)", KC_WAIT, IOK, W_PIPE, NULL, when_slept,
     "a read or write on a pipe that slept"},
    {"wait on socket (idle)", KC_WAIT, IOK | K(KS_SOCKET), W_SOCKET, NULL, when_slept,
     "a read, recvmsg, write, sendmsg or accept on a socket that slept"},
    {"wait for events (idle)", KC_WAIT, K(KS_POLL), 0, NULL, NULL,
     "poll, ppoll, select, epoll_wait, epoll_pwait that slept"},
    {"wait for child (idle)", KC_WAIT, K(KS_WAIT), 0, NULL, NULL, "wait4 or waitid that slept"},
    {"wait for lock (idle)", KC_WAIT, K(KS_FLOCK), 0, NULL, when_slept, "a flock that slept"},
    {"wait for a signal (idle)", KC_WAIT, K(KS_SIGWAIT), 0, NULL, NULL,
     "pause, rt_sigsuspend, rt_sigtimedwait that slept"},
    {"sleep (idle)", KC_WAIT, K(KS_SLEEP), 0, NULL, when_one_thread,
     "nanosleep, clock_nanosleep of a process without threads"},
    {NULL, KC_NEUTRAL, K(KS_SLEEP), 0, NULL, NULL,
     "nanosleep of a thread (the Go runtime's monitor): no phase"},
    {NULL, KC_NEUTRAL, IOK, W_PIPE | W_SOCKET, NULL, NULL,
     "reads and writes on pipes and sockets that did not sleep (messages)"},
    /* files */
    {"exec and dynamic loading", KC_PHASE, FILEK, W_LOADER, NULL, NULL,
     "open, read, stat of ld.so.cache, shared libraries, locale data, the Go runtime's "
     "transparent_hugepage size"},
    {"config parse", KC_PHASE, FILEK, W_CONFIG, NULL, NULL,
     "open, read, stat of a config.json (reads by its fd)"},
    {"exec stub memfd", KC_PHASE, K(KS_MEMFD), 0, NULL, NULL, "memfd_create"},
    {"exec stub memfd", KC_PHASE, K(KS_WRITE) | K(KS_COPY) | K(KS_FCNTL), W_MEMFD, NULL, NULL,
     "write, sendfile, copy_file_range, fcntl (seals) on a memfd"},
    {"runtime binary copy", KC_PHASE, PATHK | K(KS_MOUNT) | K(KS_UMOUNT), 0, NULL, when_bincopy,
     "a bind mount of /proc/self/exe (a runtime's read-only copy of itself, CVE-2019-5736), "
     "and later calls on its target"},
    /* cgroups */
    {"cgroup devices", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_CGROUP, "devices.allow|devices.deny",
     NULL, "open, write of devices.allow, devices.deny"},
    {"cgroup devices", KC_PHASE, K(KS_BPF), 0, NULL, when_bpf_cgroup,
     "bpf(BPF_PROG_LOAD) of a cgroup device program; bpf(BPF_PROG_ATTACH, BPF_PROG_DETACH, "
     "BPF_LINK_CREATE, BPF_PROG_QUERY)"},
    {"cgroup join (v1)", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_CGROUP, "tasks", when_write,
     "open for writing, write of a cgroup v1 tasks file"},
    {"cgroup join", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_CGROUP, "cgroup.procs|cgroup.threads",
     when_write, "open for writing, write of cgroup.procs or cgroup.threads"},
    {"cgroup freeze", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_CGROUP, "freezer.state|cgroup.freeze",
     when_write, "open for writing, write of freezer.state or cgroup.freeze"},
    {"kill", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_CGROUP, "cgroup.kill", when_write,
     "open for writing, write of cgroup.kill"},
    {"cgroup remove", KC_PHASE, K(KS_RMDIR), W_CGROUP, NULL, NULL, "rmdir under /sys/fs/cgroup"},
    {"cgroup %o", KC_PHASE, PATHK, W_CGROUP, NULL, NULL,
     "mkdir, open, read, write, stat, statfs under /sys/fs/cgroup: \"cgroup create\" in create "
     "and run, \"cgroup COMMAND\" in the others"},
    {"user namespace maps", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_IDMAP, NULL, when_write,
     "open for writing, write of /proc/PID/uid_map, gid_map, setgroups"},
    {"sysctl", KC_PHASE, K(KS_OPEN) | K(KS_WRITE), W_SYSCTL, NULL, when_write,
     "open for writing, write under /proc/sys"},
    {NULL, KC_NEUTRAL, FILEK | K(KS_GETDENTS), W_PROCINFO, NULL, NULL,
     "reads of /proc/PID/mountinfo, cgroup, status, stat, fd/, ns/ (lookups of a phase)"},
    /* namespaces and processes */
    {"clone init", KC_PHASE, K(KS_CLONE), 0, NULL, when_new_ns,
     "clone or clone3 with CLONE_NEW* flags"},
    {NULL, KC_NEUTRAL, K(KS_CLONE), 0, NULL, when_thread, "clone of a thread"},
    {"clone process", KC_PHASE, K(KS_CLONE), 0, NULL, NULL,
     "clone, clone3, fork, vfork of a process"},
    {"unshare %n", KC_PHASE, K(KS_UNSHARE), 0, NULL, NULL, "unshare, named by its namespaces"},
    {"setns %n", KC_PHASE, K(KS_SETNS), 0, NULL, NULL, "setns, named by the namespace"},
    /* the root file system */
    {"pivot_root", KC_PHASE, K(KS_PIVOT) | K(KS_CHROOT), 0, NULL, NULL, "pivot_root, chroot"},
    {"pivot_root", KC_PHASE, K(KS_UMOUNT), 0, NULL, when_pivoted,
     "umount2 after pivot_root (the old root)"},
    {"pivot_root", KC_PHASE, K(KS_MOUNT), 0, NULL, when_pivoted_propagation,
     "after pivot_root: a change of propagation only (of the old root)"},
    {"rootfs prepare", KC_PHASE, K(KS_MOUNT), 0, NULL, when_rootfs_prepare,
     "before pivot_root: mount on / or of the root onto itself"},
    {"root read-only", KC_PHASE, K(KS_MOUNT), 0, NULL, when_root_ro,
     "after pivot_root: a read-only remount of /"},
    {"root read-only", KC_PHASE, K(KS_MOUNT_API), 0, NULL, when_setattr_root,
     "after pivot_root: mount_setattr of /"},

    {"readonly and masked paths", KC_PHASE, K(KS_MOUNT) | K(KS_MOUNT_API), 0, NULL, when_masked,
     "/dev/null bound over a path, a read-only tmpfs, a path bound onto itself, and later "
     "remounts or mount_setattr of such a path"},
    {"rootfs prepare", KC_PHASE, K(KS_MOUNT), 0, NULL, when_prepare_propagation,
     "before pivot_root: a change of propagation only"},
    {"devices", KC_PHASE, K(KS_MOUNT), 0, NULL, when_dev_bind,
     "a bind mount of a host /dev node onto the container's /dev"},
    {"devices", KC_PHASE, K(KS_MKNOD) | K(KS_SYMLINK) | K(KS_UNLINK), W_ROOTFS, NULL, when_in_dev,
     "mknod, symlink, unlink in the container's /dev"},
    {"mount %t", KC_PHASE, K(KS_MOUNT) | K(KS_UMOUNT), 0, NULL, NULL,
     "mount, umount2: named by the target in the container (mounts under /sys/fs/cgroup are "
     "\"mount /sys/fs/cgroup\")"},
    {"mount %t", KC_PHASE, K(KS_MOUNT_API), 0, NULL, when_mount_target,
     "move_mount, mount_setattr: named by the target"},
    {NULL, KC_PREP, K(KS_MOUNT_API), 0, NULL, NULL,
     "open_tree, fsopen, fsconfig, fsmount: part of the mount that follows"},
    {NULL, KC_PREP, PATHK & ~(K(KS_UNLINK) | K(KS_RMDIR)), W_ROOTFS, NULL, when_sets_up_root,
     "open, mkdir, stat, read of paths in the container's root by the process that pivots into "
     "it: part of the phase that follows (the mount they prepare, the user they look up)"},
    /* identity and attributes */
    {"capabilities", KC_PHASE, K(KS_CAPSET), 0, NULL, NULL, "capset"},
    {"capabilities", KC_PHASE, K(KS_PRCTL), 0, NULL, when_prctl_caps,
     "prctl PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_SECUREBITS, PR_SET_KEEPCAPS"},
    {"user and groups", KC_PHASE, K(KS_SETID), 0, NULL, NULL,
     "setresuid, setresgid, setgroups, setuid, setgid, ..."},
    {"seccomp load", KC_PHASE, K(KS_SECCOMP), 0, NULL, when_seccomp_filter,
     "seccomp(SECCOMP_SET_MODE_FILTER) that loaded a filter"},
    {"seccomp load", KC_PHASE, K(KS_PRCTL), 0, NULL, when_prctl_seccomp, "prctl PR_SET_SECCOMP"},
    {NULL, KC_NEUTRAL, K(KS_PRCTL), 0, NULL, when_prctl_query,
     "prctl that reads an attribute or names the process"},
    {NULL, KC_NEUTRAL, K(KS_SECCOMP), 0, NULL, NULL,
     "other seccomp calls (probes of what the kernel supports)"},
    {"hostname", KC_PHASE, K(KS_HOSTNAME), 0, NULL, NULL, "sethostname, setdomainname"},
    {"process attributes", KC_PHASE, K(KS_RLIMIT), 0, NULL, when_rlimit_set,
     "setrlimit, prlimit64 that sets"},
    {NULL, KC_NEUTRAL, K(KS_RLIMIT), 0, NULL, NULL, "prlimit64 that only reads"},
    {"process attributes", KC_PHASE, K(KS_PRCTL) | K(KS_ATTR), 0, NULL, NULL,
     "other prctl; setpriority, sched_set*, ioprio_set, personality, set_mempolicy, keyctl, "
     "setsid"},
    /* channels and signals */
    {"sync channels", KC_PHASE, K(KS_PIPE) | K(KS_SOCKETPAIR), 0, NULL, NULL,
     "pipe, pipe2, socketpair"},
    {"kill", KC_PHASE, K(KS_KILL), 0, NULL, when_signal,
     "kill, tgkill, pidfd_send_signal of a signal to another process"},
    {NULL, KC_NEUTRAL, K(KS_KILL), 0, NULL, NULL, "signal 0, signals to its own threads"},
    /* the state directory */
    {"state directory and lock", KC_PHASE, K(KS_RENAME), W_STATE, NULL, when_state_dir_itself,
     "rename of a spare directory (oci-rt) to the container's state directory"},
    {"state remove", KC_PHASE, K(KS_UNLINK) | K(KS_RMDIR), W_STATE, NULL, NULL,
     "unlink, rmdir in the state directory"},
    {"state remove", KC_PHASE, K(KS_RENAME), W_STATE, "spare~*", NULL,
     "rename of the state directory to a spare (oci-rt keeps it for the next create)"},
    {"state write", KC_PHASE, PATHK, W_STATE, NULL, when_write,
     "open for writing, write, rename, symlink, chmod in the state directory"},
    {"state directory and lock", KC_PHASE, PATHK, W_STATE, NULL, when_op_create,
     "create and run: mkdir, open, flock, stat in the state directory"},
    {"lock and read state", KC_PHASE, PATHK, W_STATE, NULL, when_read,
     "other commands: open, flock, read, stat in the state directory"},
    /* bookkeeping */
    {NULL, KC_NEUTRAL, K(KS_CLOSE) | K(KS_DUP) | K(KS_FCNTL) | K(KS_CHDIR) | K(KS_PIDFD), 0, NULL,
     NULL, "close, close_range, dup, fcntl, chdir, fchdir, pidfd_open"},
};

const struct kt_rule_doc *kt_rules_doc(size_t i)
{
    static struct kt_rule_doc doc;
    if (i >= ARRAY_SIZE(rules))
        return NULL;
    doc = (struct kt_rule_doc){rules[i].phase, rules[i].cls, rules[i].kernel};
    return &doc;
}

/* ---- context of one event ---- */

static bool match_any(const char *patterns, const char *s)
{
    char one[128];
    for (const char *p = patterns; *p;) {
        const char *e = strchrnul(p, '|');
        snprintf(one, sizeof(one), "%.*s", (int)(e - p), p);
        if (fnmatch(one, s, 0) == 0)
            return true;
        p = *e ? e + 1 : e;
    }
    return false;
}

static const char *const loader_paths =
    "/etc/ld.so.cache|/etc/ld.so.preload|*.so|*.so.[0-9]*|/usr/lib/locale/*|/usr/share/locale/*|"
    "*/gconv/*|*/glibc-hwcaps/*|/sys/kernel/mm/transparent_hugepage/*";
static const char *const procinfo_paths =
    "/proc/*/mountinfo|/proc/*/cgroup|/proc/*/status|/proc/*/stat|/proc/*/fd|/proc/*/fdinfo/*|"
    "/proc/*/ns/*|/proc/*/task|/proc/*/mounts|/proc/filesystems|/proc/*/attr/current|"
    "/proc/*/uid_map|/proc/*/gid_map|/proc/*/setgroups|/proc/sys/kernel/cap_last_cap";

static bool id_component(const char *path, const char *id)
{
    size_t n = strlen(id);
    if (!path || !n || !strcmp(id, "-"))
        return false;
    for (const char *p = strstr(path, id); p; p = strstr(p + 1, id))
        if (p > path && p[-1] == '/' && (p[n] == '/' || p[n] == '\0'))
            return true;
    return false;
}

static unsigned where_of(const struct ctx *c)
{
    unsigned w = 0;
    const struct kt_event *e = c->e;
    w |= e->fdkind == KFD_PIPE ? W_PIPE : 0;
    w |= e->fdkind == KFD_SOCKET ? W_SOCKET : 0;
    w |= e->fdkind == KFD_MEMFD ? W_MEMFD : 0;
    if (!c->path)
        return w;
    if (kt_path_under(c->path, "/sys/fs/cgroup"))
        return w | W_CGROUP;
    if (c->inv && (kt_path_under(c->path, c->inv->state) ||
                   (id_component(c->path, c->inv->id) && !kt_path_under(c->path, c->rootfs))))
        w |= W_STATE;
    if (!strcmp(c->base, "config.json"))
        w |= W_CONFIG;
    if (c->vpath && match_any(loader_paths, c->vpath))
        w |= W_LOADER;
    if (c->rootfs && strcmp(c->rootfs, "/") && kt_path_under(c->path, c->rootfs))
        w |= W_ROOTFS;
    if (c->vpath && match_any(procinfo_paths, c->vpath))
        w |= W_PROCINFO;
    if (c->vpath && match_any("/proc/*/uid_map|/proc/*/gid_map|/proc/*/setgroups", c->vpath))
        w |= W_IDMAP;
    if (c->vpath && kt_path_under(c->vpath, "/proc/sys"))
        w |= W_SYSCTL;
    return w;
}

static void build_ctx(struct ctx *c, const struct kt_model *m, const struct kt_process *p,
                      const struct kt_event *e, char *vbuf, size_t vlen)
{
    *c = (struct ctx){.m = m, .p = p, .e = e};
    c->inv = kt_model_inv(m, p->root);
    c->rootfs = p->rootfs ? p->rootfs : c->inv ? c->inv->rootfs : NULL;
    c->path = e->path[0] ? e->path[0] : e->fdpath;
    if (c->path) {
        const char *slash = strrchr(c->path, '/');
        c->base = slash ? slash + 1 : c->path;
        c->vpath = c->path;
        if (e->pivoted && c->rootfs && kt_path_under(c->path, c->rootfs) &&
            strcmp(c->rootfs, "/")) {
            snprintf(vbuf, vlen, "%s",
                     c->path[strlen(c->rootfs)] ? c->path + strlen(c->rootfs) : "/");
            c->vpath = vbuf;
        }
    } else {
        c->base = "";
    }
    if (c->path && c->rootfs && strcmp(c->rootfs, "/") && kt_path_under(c->path, c->rootfs))
        c->cpath = c->path[strlen(c->rootfs)] ? c->path + strlen(c->rootfs) : "/";
    c->where = where_of(c);
}

/* ---- names ---- */

static void ns_names(char *out, size_t len, uint64_t flags)
{
    static const struct {
        uint64_t f;
        const char *n;
    } ns[] = {{CLONE_NEWUSER, "user"},     {CLONE_NEWNS, "mnt"},  {CLONE_NEWUTS, "uts"},
              {CLONE_NEWIPC, "ipc"},       {CLONE_NEWPID, "pid"}, {CLONE_NEWNET, "net"},
              {CLONE_NEWCGROUP, "cgroup"}, {0x80, "time"}};
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
        if (flags & ns[i].f)
            o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", o ? "," : "", ns[i].n);
    if (!o)
        snprintf(out, len, "?");
}

static void subject(const struct ctx *c, char spec, char *out, size_t len)
{
    const struct kt_event *e = c->e;
    if (spec == 'o') {
        snprintf(out, len, "%s", !c->inv || !strcmp(c->inv->op, "run") ? "create" : c->inv->op);
    } else if (spec == 'n') {
        const char *ns = e->fdpath ? strstr(e->fdpath, "/ns/") : NULL;
        if (e->sc->kind == KS_SETNS && ns)
            snprintf(out, len, "%s", ns + 4);
        else
            ns_names(out, len, e->sc->kind == KS_SETNS ? e->args[1] : e->args[0]);
    } else {
        const char *t = c->path;
        if (t && c->rootfs && strcmp(c->rootfs, "/") && kt_path_under(t, c->rootfs))
            t = t[strlen(c->rootfs)] ? t + strlen(c->rootfs) : "/";
        if (t && kt_path_under(t, "/sys/fs/cgroup") && t != c->path)
            t = "/sys/fs/cgroup";
        snprintf(out, len, "%s", t ? t : e->str[0][0] ? e->str[0] : "?");
    }
}

static void format_name(const struct ctx *c, const char *fmt, char *out, size_t len)
{
    size_t o = 0;
    for (const char *f = fmt; *f && o + 1 < len; f++) {
        if (*f == '%' && f[1]) {
            char sub[80];
            subject(c, *++f, sub, sizeof(sub));
            o += (size_t)snprintf(out + o, len - o, "%s", sub);
        } else {
            out[o++] = *f;
            out[o] = '\0';
        }
    }
    if (o >= len)
        o = len - 1;
    out[o] = '\0';
}

void kt_classify(const struct kt_model *m, const struct kt_process *p, const struct kt_event *e,
                 struct kt_verdict *v)
{
    *v = (struct kt_verdict){.cls = KC_NEUTRAL};
    if (e->type != KT_SYSCALL)
        return;
    char vbuf[4096];
    struct ctx c;
    build_ctx(&c, m, p, e, vbuf, sizeof(vbuf));
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        const struct rule *r = &rules[i];
        if (!(r->kinds & K(e->sc->kind)) || (r->where && !(c.where & r->where)) ||
            (r->pattern && !match_any(r->pattern, c.base)) || (r->when && !r->when(&c)))
            continue;
        v->cls = r->cls;
        if (r->phase)
            format_name(&c, r->phase, v->name, sizeof(v->name));
        return;
    }
    v->cls = KC_OTHER;
    snprintf(v->name, sizeof(v->name), "other");
}
