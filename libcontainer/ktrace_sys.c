/* The system calls `oci-rt profile` records, and the shape of each: its
 * kind for the rules, which arguments are paths (read by the kernel half at
 * entry) and relative to which directory fd, which fd it works on. A call
 * not listed here is not recorded at all, and so never ends a phase
 * (memory management, futexes, signals, clocks, ...). */
#include "config.h"
#include "ktrace_model.h"
#include "ktrace_sys.h"

#include <stddef.h>
#include <sys/syscall.h>

#define N -1
/* name, kind, path0 (dirfd0), path1 (dirfd1), fd, str, extra KT_SC_* flags */
#define SC(n, k, p0, d0, p1, d1, f, s, x)                                                          \
    {                                                                                              \
#n, SYS_##n, k, {p0, p1 }, {d0, d1 }, f, s, x                                              \
    }

static const struct ks_desc table[] = {
/* files and descriptors */
#ifdef SYS_open
    SC(open, KS_OPEN, 0, N, N, N, N, N, 0),
#endif
#ifdef SYS_creat
    SC(creat, KS_OPEN, 0, N, N, N, N, N, 0),
#endif
    SC(openat, KS_OPEN, 1, 0, N, N, N, N, 0),
    SC(openat2, KS_OPEN, 1, 0, N, N, N, N, KT_SC_AUX(2, 16)),
    SC(close, KS_CLOSE, N, N, N, N, 0, N, 0),
    SC(close_range, KS_CLOSE, N, N, N, N, N, N, 0),
    SC(dup, KS_DUP, N, N, N, N, 0, N, 0),
#ifdef SYS_dup2
    SC(dup2, KS_DUP, N, N, N, N, 0, N, 0),
#endif
    SC(dup3, KS_DUP, N, N, N, N, 0, N, 0),
    SC(fcntl, KS_FCNTL, N, N, N, N, 0, N, 0),
#ifdef SYS_pipe
    SC(pipe, KS_PIPE, N, N, N, N, N, N, KT_SC_FDS_ARG0),
#endif
    SC(pipe2, KS_PIPE, N, N, N, N, N, N, KT_SC_FDS_ARG0),
    SC(socketpair, KS_SOCKETPAIR, N, N, N, N, N, N, KT_SC_FDS_ARG3),
    SC(socket, KS_SOCKET, N, N, N, N, N, N, 0),
    SC(accept, KS_SOCKET, N, N, N, N, 0, N, 0),
    SC(accept4, KS_SOCKET, N, N, N, N, 0, N, 0),
    SC(memfd_create, KS_MEMFD, N, N, N, N, N, 0, 0),
    SC(read, KS_READ, N, N, N, N, 0, N, 0),
    SC(readv, KS_READ, N, N, N, N, 0, N, 0),
    SC(pread64, KS_READ, N, N, N, N, 0, N, 0),
    SC(recvmsg, KS_READ, N, N, N, N, 0, N, 0),
    SC(recvfrom, KS_READ, N, N, N, N, 0, N, 0),
    SC(write, KS_WRITE, N, N, N, N, 0, N, 0),
    SC(writev, KS_WRITE, N, N, N, N, 0, N, 0),
    SC(pwrite64, KS_WRITE, N, N, N, N, 0, N, 0),
    SC(sendmsg, KS_WRITE, N, N, N, N, 0, N, 0),
    SC(sendto, KS_WRITE, N, N, N, N, 0, N, 0),
    SC(sendfile, KS_COPY, N, N, N, N, 0, N, 0),
    SC(copy_file_range, KS_COPY, N, N, N, N, 2, N, 0),
    SC(flock, KS_FLOCK, N, N, N, N, 0, N, 0),
    SC(getdents64, KS_GETDENTS, N, N, N, N, 0, N, 0),
/* waiting: recorded only when the thread slept in them */
#ifdef SYS_poll
    SC(poll, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#endif
    SC(ppoll, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#ifdef SYS_select
    SC(select, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#endif
    SC(pselect6, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#ifdef SYS_epoll_wait
    SC(epoll_wait, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#endif
    SC(epoll_pwait, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
    SC(epoll_pwait2, KS_POLL, N, N, N, N, N, N, KT_SC_IF_SLEPT),
    SC(wait4, KS_WAIT, N, N, N, N, N, N, KT_SC_IF_SLEPT),
    SC(waitid, KS_WAIT, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#ifdef SYS_pause
    SC(pause, KS_SIGWAIT, N, N, N, N, N, N, KT_SC_IF_SLEPT),
#endif
    SC(rt_sigsuspend, KS_SIGWAIT, N, N, N, N, N, N, KT_SC_IF_SLEPT),
    SC(rt_sigtimedwait, KS_SIGWAIT, N, N, N, N, N, N, KT_SC_IF_SLEPT),
    SC(nanosleep, KS_SLEEP, N, N, N, N, N, N, KT_SC_IF_SLEPT),
    SC(clock_nanosleep, KS_SLEEP, N, N, N, N, N, N, KT_SC_IF_SLEPT),
/* the file system */
#ifdef SYS_mkdir
    SC(mkdir, KS_MKDIR, 0, N, N, N, N, N, 0),
#endif
    SC(mkdirat, KS_MKDIR, 1, 0, N, N, N, N, 0),
#ifdef SYS_rmdir
    SC(rmdir, KS_RMDIR, 0, N, N, N, N, N, 0),
#endif
#ifdef SYS_unlink
    SC(unlink, KS_UNLINK, 0, N, N, N, N, N, 0),
#endif
    SC(unlinkat, KS_UNLINK, 1, 0, N, N, N, N, 0),
#ifdef SYS_rename
    SC(rename, KS_RENAME, 1, N, 0, N, N, N, 0),
#endif
    SC(renameat, KS_RENAME, 3, 2, 1, 0, N, N, 0),
    SC(renameat2, KS_RENAME, 3, 2, 1, 0, N, N, 0),
#ifdef SYS_symlink
    SC(symlink, KS_SYMLINK, 1, N, N, N, N, 0, 0),
#endif
    SC(symlinkat, KS_SYMLINK, 2, 1, N, N, N, 0, 0),
#ifdef SYS_mknod
    SC(mknod, KS_MKNOD, 0, N, N, N, N, N, 0),
#endif
    SC(mknodat, KS_MKNOD, 1, 0, N, N, N, N, 0),
#ifdef SYS_stat
    SC(stat, KS_STAT, 0, N, N, N, N, N, 0),
#endif
#ifdef SYS_lstat
    SC(lstat, KS_STAT, 0, N, N, N, N, N, 0),
#endif
    SC(newfstatat, KS_STAT, 1, 0, N, N, N, N, 0),
    SC(statx, KS_STAT, 1, 0, N, N, N, N, 0),
#ifdef SYS_access
    SC(access, KS_STAT, 0, N, N, N, N, N, 0),
#endif
    SC(faccessat, KS_STAT, 1, 0, N, N, N, N, 0),
    SC(faccessat2, KS_STAT, 1, 0, N, N, N, N, 0),
#ifdef SYS_readlink
    SC(readlink, KS_STAT, 0, N, N, N, N, N, 0),
#endif
    SC(readlinkat, KS_STAT, 1, 0, N, N, N, N, 0),
    SC(statfs, KS_STAT, 0, N, N, N, N, N, 0),
    SC(fstatfs, KS_STAT, N, N, N, N, 0, N, 0),
#ifdef SYS_chmod
    SC(chmod, KS_CHATTR, 0, N, N, N, N, N, 0),
#endif
    SC(fchmodat, KS_CHATTR, 1, 0, N, N, N, N, 0),
    SC(fchmod, KS_CHATTR, N, N, N, N, 0, N, 0),
#ifdef SYS_chown
    SC(chown, KS_CHATTR, 0, N, N, N, N, N, 0),
#endif
#ifdef SYS_lchown
    SC(lchown, KS_CHATTR, 0, N, N, N, N, N, 0),
#endif
    SC(fchownat, KS_CHATTR, 1, 0, N, N, N, N, 0),
    SC(fchown, KS_CHATTR, N, N, N, N, 0, N, 0),
    SC(chdir, KS_CHDIR, 0, N, N, N, N, N, 0),
    SC(fchdir, KS_CHDIR, N, N, N, N, 0, N, 0),
    /* mounts and roots */
    SC(chroot, KS_CHROOT, 0, N, N, N, N, N, KT_SC_PIVOT),
    SC(pivot_root, KS_PIVOT, 0, N, 1, N, N, N, KT_SC_PIVOT),
    SC(mount, KS_MOUNT, 1, N, 0, N, N, N, 0),
    SC(umount2, KS_UMOUNT, 0, N, N, N, N, N, 0),
    SC(open_tree, KS_MOUNT_API, 1, 0, N, N, N, N, 0),
    SC(move_mount, KS_MOUNT_API, 3, 2, 1, 0, N, N, 0),
    SC(fsopen, KS_MOUNT_API, N, N, N, N, N, 0, 0),
    SC(fsconfig, KS_MOUNT_API, N, N, N, N, 0, N, 0),
    SC(fsmount, KS_MOUNT_API, N, N, N, N, 0, N, 0),
    SC(mount_setattr, KS_MOUNT_API, 1, 0, N, N, N, N, 0),
    /* processes and namespaces */
    SC(clone, KS_CLONE, N, N, N, N, N, N, 0),
    SC(clone3, KS_CLONE, N, N, N, N, N, N, KT_SC_AUX(0, 0)),
#ifdef SYS_fork
    SC(fork, KS_CLONE, N, N, N, N, N, N, 0),
#endif
#ifdef SYS_vfork
    SC(vfork, KS_CLONE, N, N, N, N, N, N, 0),
#endif
    SC(unshare, KS_UNSHARE, N, N, N, N, N, N, 0),
    SC(setns, KS_SETNS, N, N, N, N, 0, N, 0),
    SC(execve, KS_EXEC, 0, N, N, N, N, N, 0),
    SC(execveat, KS_EXEC, 1, 0, N, N, N, N, 0),
    SC(kill, KS_KILL, N, N, N, N, N, N, 0),
    SC(tkill, KS_KILL, N, N, N, N, N, N, 0),
    SC(tgkill, KS_KILL, N, N, N, N, N, N, 0),
    SC(pidfd_send_signal, KS_KILL, N, N, N, N, N, N, 0),
    SC(pidfd_open, KS_PIDFD, N, N, N, N, N, N, 0),
    /* identity and attributes */
    SC(capset, KS_CAPSET, N, N, N, N, N, N, 0),
    SC(setuid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setgid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setreuid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setregid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setresuid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setresgid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setgroups, KS_SETID, N, N, N, N, N, N, 0),
    SC(setfsuid, KS_SETID, N, N, N, N, N, N, 0),
    SC(setfsgid, KS_SETID, N, N, N, N, N, N, 0),
    SC(prctl, KS_PRCTL, N, N, N, N, N, 1, 0),
    SC(seccomp, KS_SECCOMP, N, N, N, N, N, N, 0),
    SC(sethostname, KS_HOSTNAME, N, N, N, N, N, 0, 0),
    SC(setdomainname, KS_HOSTNAME, N, N, N, N, N, 0, 0),
    SC(setrlimit, KS_RLIMIT, N, N, N, N, N, N, 0),
    SC(prlimit64, KS_RLIMIT, N, N, N, N, N, N, 0),
    SC(setpriority, KS_ATTR, N, N, N, N, N, N, 0),
    SC(sched_setscheduler, KS_ATTR, N, N, N, N, N, N, 0),
    SC(sched_setattr, KS_ATTR, N, N, N, N, N, N, 0),
    SC(sched_setaffinity, KS_ATTR, N, N, N, N, N, N, 0),
    SC(ioprio_set, KS_ATTR, N, N, N, N, N, N, 0),
    SC(personality, KS_ATTR, N, N, N, N, N, N, 0),
    SC(set_mempolicy, KS_ATTR, N, N, N, N, N, N, 0),
    SC(keyctl, KS_ATTR, N, N, N, N, N, N, 0),
    SC(setsid, KS_ATTR, N, N, N, N, N, N, 0),
    SC(bpf, KS_BPF, N, N, N, N, N, N, KT_SC_AUX(1, 0)),
};

static const struct ks_desc *by_nr[KT_MAX_SYSCALL];

static void index_table(void)
{
    static bool done;
    if (done)
        return;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].nr >= 0 && table[i].nr < KT_MAX_SYSCALL)
            by_nr[table[i].nr] = &table[i];
    done = true;
}

const struct ks_desc *kt_sys_lookup(int nr)
{
    index_table();
    return nr >= 0 && nr < KT_MAX_SYSCALL ? by_nr[nr] : NULL;
}

/* The kernel half copies at most two strings: the paths first, then str. */
void kt_sys_conf(uint32_t *sc, size_t n)
{
    index_table();
    for (size_t nr = 0; nr < n; nr++) {
        const struct ks_desc *d = nr < KT_MAX_SYSCALL ? by_nr[nr] : NULL;
        if (!d) {
            sc[nr] = 0;
            continue;
        }
        int s[2] = {-1, -1}, k = 0;
        int cand[3] = {d->path[0], d->path[1], d->str};
        for (int i = 0; i < 3 && k < 2; i++)
            if (cand[i] >= 0)
                s[k++] = cand[i];
        uint32_t v = KT_SC_RECORD | d->extra;
        if (s[0] >= 0)
            v |= ((uint32_t)s[0] + 1) << KT_SC_STR_SHIFT;
        if (s[1] >= 0)
            v |= ((uint32_t)s[1] + 1) << (KT_SC_STR_SHIFT + 3);
        sc[nr] = v;
    }
}
