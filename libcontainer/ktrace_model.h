/* The user-space model of a kernel trace (ktrace.h's records): system
 * calls by kind, processes with their descriptors and working directories,
 * every path argument resolved to a host path, and the invocations (one
 * run of a runtime: its first process and everything it forked).
 *
 * ktrace_sys.c   which system calls are recorded and what their arguments are
 * ktrace_model.c records -> processes, events with resolved paths, invocations
 * ktrace_inv.c   an invocation's command, container id and state directory
 * ktrace_rules.c the rules table: event -> lifecycle phase
 * ktrace_phases.c events of each process -> rows that cover its life (spans) */
#ifndef OCI_KTRACE_MODEL_H
#define OCI_KTRACE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "ktrace.h"

/* What a system call does, as far as the rules care. */
enum ks_kind {
    KS_NONE,
    KS_OPEN,
    KS_CLOSE,
    KS_DUP,
    KS_FCNTL,
    KS_PIPE,
    KS_SOCKETPAIR,
    KS_SOCKET,
    KS_MEMFD,
    KS_READ,
    KS_WRITE,
    KS_COPY, /* sendfile, copy_file_range: to the fd of arg 0 */
    KS_POLL,
    KS_WAIT,
    KS_SIGWAIT,
    KS_SLEEP,
    KS_FLOCK,
    KS_MKDIR,
    KS_RMDIR,
    KS_UNLINK,
    KS_RENAME,
    KS_SYMLINK,
    KS_MKNOD,
    KS_STAT,
    KS_CHATTR, /* chown, chmod */
    KS_GETDENTS,
    KS_CHDIR,
    KS_CHROOT,
    KS_PIVOT,
    KS_MOUNT,
    KS_UMOUNT,
    KS_MOUNT_API, /* open_tree, move_mount, fsopen, fsconfig, fsmount, mount_setattr */
    KS_CLONE,
    KS_UNSHARE,
    KS_SETNS,
    KS_EXEC,
    KS_CAPSET,
    KS_SETID,
    KS_PRCTL,
    KS_SECCOMP,
    KS_HOSTNAME,
    KS_RLIMIT,
    KS_ATTR, /* scheduler, ioprio, personality, mempolicy, keyring, session */
    KS_KILL,
    KS_PIDFD,
    KS_BPF,
    KS_N
};

/* One recorded system call's shape. */
struct ks_desc {
    const char *name;
    int nr;
    enum ks_kind kind;
    int8_t path[2];  /* argument indexes of paths (resolved), -1: none */
    int8_t dirfd[2]; /* the directory fd argument of each path, -1: cwd */
    int8_t fd;       /* an fd argument the call works on, -1: none */
    int8_t str;      /* a string argument that is not a path (-1: none) */
    uint32_t extra;  /* KT_SC_* flags beyond RECORD and the strings */
};

/* What an earlier call made of a path (marks, in the model). */
enum kt_mark {
    KM_NONE,
    KM_FIFO,    /* a fifo made by mknod */
    KM_BINCOPY, /* the target of a bind mount of /proc/self/exe (a runtime's copy of itself) */
    KM_MASKED,  /* /dev/null or a read-only tmpfs over it, or bound onto itself */
};

/* An fd's kind, from the call that made it. */
enum kfd_kind { KFD_NONE, KFD_FILE, KFD_PIPE, KFD_SOCKET, KFD_MEMFD, KFD_MOUNT, KFD_OTHER };

/* One event, in time order. Strings point into the records or are owned by
 * the model (paths). */
struct kt_event {
    uint8_t type; /* KT_SYSCALL, KT_FORK, KT_EXEC, KT_EXIT, KT_RENAME */
    pid_t pid, tid;
    uint64_t ts, end; /* CLOCK_MONOTONIC ns; end: the syscall's return */
    const struct ks_desc *sc;
    long ret;
    uint64_t args[6];
    uint64_t aux;
    bool slept;
    const char *str[2]; /* the raw strings of the record ("" when none) */
    char *path[2];      /* resolved host paths of sc->path[], or NULL */
    char *fdpath;       /* the path of the fd argument, or NULL */
    enum kfd_kind fdkind;
    enum kt_mark mark; /* of path[0] */
    bool pivoted;      /* the process ran in its new root when it made the call */
    bool threaded;     /* the process had made threads by then */
    pid_t child;       /* KT_FORK */
    uint32_t flags;    /* KT_EXEC/KT_FORK: kt_proc flags */
    const char *comm;  /* KT_FORK, KT_EXEC, KT_EXIT, KT_RENAME */
    const char *file;  /* KT_EXEC */
    const char *argv;  /* KT_EXEC: NUL-separated, argv_len bytes */
    size_t argv_len;
};

/* One process of the tree. */
struct kt_process {
    pid_t pid, parent, root;
    uint64_t start, end; /* fork (or first sight) .. exit; end 0: still running */
    bool exited;
    char comm[KT_COMM_LEN]; /* the name before its final exec */
    char *rootfs;           /* host path of the root it pivoted or chrooted into */
    bool pivoted;           /* it runs in rootfs (or its parent did when it forked) */
    bool final_exec;        /* it exec'd the container's program */
    uint64_t exec_until;    /* the return of its last execve */
    unsigned threads;       /* threads it made (clone with CLONE_THREAD) */
    size_t *ev;             /* indexes into model->ev, in time order */
    size_t n_ev, cap_ev;
};

/* One run of a runtime: its first process's command line. */
struct kt_invocation {
    pid_t root;
    char *op;     /* create, start, run, delete, ... (or the program's name) */
    char *id;     /* the container id, or "-" */
    char *state;  /* its state directory root (--root or the runtime's default) */
    char *exe;    /* basename of the program */
    char *rootfs; /* the container's root (host path), once a process pivoted */
};

struct kt_marked {
    char *path;
    enum kt_mark mark;
};

struct kt_model {
    struct kt_event *ev;
    size_t n_ev;
    struct kt_process *proc;
    size_t n_proc;
    struct kt_invocation *inv;
    size_t n_inv;
    struct kt_marked *marks; /* paths marked by earlier calls */
    size_t n_marks;
    uint64_t mono0, real0, end_ns;
};

/* What the model needs besides the records (ktrace gives it; tests make it). */
struct kt_source {
    const unsigned char *rec; /* ktrace_records() */
    size_t len;
    uint64_t mono0, real0;                                /* ktrace_anchor() */
    uint64_t end_ns;                                      /* when tracing stopped */
    const char *(*root_cwd)(const void *ctx, pid_t root); /* ktrace_root_cwd() */
    const void *ctx;
};

/* Build the model of a finished trace. */
void kt_model_build(const struct kt_source *src, struct kt_model *m);
void kt_model_free(struct kt_model *m);
struct kt_process *kt_model_proc(const struct kt_model *m, pid_t pid);
const struct kt_invocation *kt_model_inv(const struct kt_model *m, pid_t root);

#endif
