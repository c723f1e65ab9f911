/* Linux namespaces: the table of types, clone flags for new ones, joining
 * the ones a config names by path, and clone3 itself. */
#include "config.h"
#include "namespaces.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const struct ns_info ns_table[SPEC_NS_TYPES] = {
    [SPEC_NS_MOUNT] = {CLONE_NEWNS, "mnt"},         [SPEC_NS_PID] = {CLONE_NEWPID, "pid"},
    [SPEC_NS_NETWORK] = {CLONE_NEWNET, "net"},      [SPEC_NS_UTS] = {CLONE_NEWUTS, "uts"},
    [SPEC_NS_IPC] = {CLONE_NEWIPC, "ipc"},          [SPEC_NS_USER] = {CLONE_NEWUSER, "user"},
    [SPEC_NS_CGROUP] = {CLONE_NEWCGROUP, "cgroup"}, [SPEC_NS_TIME] = {CLONE_NEWTIME, "time"},
};

uint64_t ns_new_flags(const struct spec_config *c)
{
    uint64_t flags = 0;
    if (!c->linux_)
        return 0;
    for (size_t i = 0; i < c->linux_->n_namespaces; i++) {
        const struct spec_namespace *ns = &c->linux_->namespaces[i];
        if (!ns->path || !*ns->path)
            flags |= ns_table[ns->type].flag;
    }
    return flags;
}

bool ns_has_path(const struct spec_config *c, enum spec_ns_type t)
{
    const struct spec_namespace *ns = spec_config_namespace(c, t);
    return ns && ns->path && *ns->path;
}

bool ns_any_path(const struct spec_config *c)
{
    for (int t = 0; t < SPEC_NS_TYPES; t++)
        if (ns_has_path(c, (enum spec_ns_type)t))
            return true;
    return false;
}

bool ns_path_is_own(const struct spec_config *c, enum spec_ns_type t)
{
    char self[32];
    struct stat a, b;
    if (!ns_has_path(c, t))
        return false;
    snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_table[t].proc_name);
    if (stat(spec_config_namespace(c, t)->path, &a) < 0 || stat(self, &b) < 0)
        return false; /* joining it will say what is wrong with the path */
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* user first (its privileges let us join the others), mount last (paths). */
static const enum spec_ns_type join_order[] = {SPEC_NS_USER,    SPEC_NS_IPC,  SPEC_NS_UTS,
                                               SPEC_NS_NETWORK, SPEC_NS_PID,  SPEC_NS_CGROUP,
                                               SPEC_NS_TIME,    SPEC_NS_MOUNT};

int ns_join_all(const struct spec_config *c, bool include_user, struct oci_err *err)
{
    int fds[ARRAY_SIZE(join_order)];
    int rc = 0;
    for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
        fds[i] = -1;
        enum spec_ns_type t = join_order[i];
        if (!ns_has_path(c, t) || (t == SPEC_NS_USER && !include_user))
            continue;
        const char *path = spec_config_namespace(c, t)->path;
        fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) {
            rc = err_set(err, errno, "linux.namespaces: open %s namespace %s",
                         spec_ns_type_names[t], path);
            break;
        }
    }
    for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(join_order); i++) {
        if (fds[i] < 0)
            continue;
        enum spec_ns_type t = join_order[i];
        TRACE_BEGINF(span, "setns %s", spec_ns_type_names[t]);
        if (setns(fds[i], (int)ns_table[t].flag) < 0)
            rc = err_set(err, errno, "linux.namespaces: join %s namespace %s",
                         spec_ns_type_names[t], spec_config_namespace(c, t)->path);
        TRACE_END_RC(span, rc);
    }
    for (size_t i = 0; i < ARRAY_SIZE(join_order); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

/* clone(2) as fork does it (the child on the same stack), for kernels,
 * emulators (valgrind) and seccomp sandboxes without clone3: no
 * CLONE_INTO_CGROUP there (the caller then moves the child). */
static pid_t clone_legacy(uint64_t flags, int *pidfd)
{
    if (flags & CLONE_NEWTIME) { /* clone(2) has no room for it */
        errno = ENOSYS;
        return -1;
    }
    unsigned long f = (unsigned long)flags | SIGCHLD | (pidfd ? CLONE_PIDFD : 0);
    /* x86_64 and most: flags, stack, parent_tid, child_tid, tls */
    pid_t pid = (pid_t)syscall(SYS_clone, f, NULL, pidfd, NULL, NULL);
    if (pid < 0 && pidfd && errno == EINVAL) { /* a kernel before CLONE_PIDFD (5.2) */
        *pidfd = -1;
        pid = (pid_t)syscall(SYS_clone, f & ~(unsigned long)CLONE_PIDFD, NULL, NULL, NULL, NULL);
    }
    return pid;
}

static bool no_clone3;

pid_t ns_clone3(uint64_t flags, int cgroup_fd, int *pidfd)
{
    if (pidfd)
        *pidfd = -1;
    if (!no_clone3) {
        struct clone_args args;
        memset(&args, 0, sizeof(args));
        args.flags = flags | (pidfd ? CLONE_PIDFD : 0);
        args.pidfd = (uint64_t)(uintptr_t)pidfd;
        args.exit_signal = SIGCHLD;
        if (cgroup_fd >= 0) {
            args.flags |= CLONE_INTO_CGROUP;
            args.cgroup = (uint64_t)cgroup_fd;
        }
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0 || (errno != ENOSYS && errno != EPERM))
            return pid;
        no_clone3 = true; /* denied or missing: clone from now on */
    }
    if (cgroup_fd >= 0) {
        errno = EOPNOTSUPP; /* the caller retries without the cgroup */
        return -1;
    }
    return clone_legacy(flags, pidfd);
}
