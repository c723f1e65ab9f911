/* The records the kernel half of ktrace (bpf/ktrace.bpf.c) hands to the
 * user-space half (ktrace.c) through a BPF ring buffer, and the maps both
 * halves share. Included by both, so only fixed-size types. */
#ifndef OCI_KTRACE_ABI_H
#define OCI_KTRACE_ABI_H

#include <linux/types.h>

#define KT_STR_MAX 256  /* one path argument, NUL included */
#define KT_ARGV_MAX 512 /* the start of a new program's argv */
#define KT_COMM_LEN 16
#define KT_MAX_SYSCALL 512

/* sysconf[nr]: what to record of syscall nr */
#define KT_SC_RECORD 0x1u    /* record it (enter and exit as one record) */
#define KT_SC_IF_SLEPT 0x2u  /* ... only when the thread slept in it */
#define KT_SC_PIVOT 0x4u     /* success: the process now runs in its new root */
#define KT_SC_FDS_ARG0 0x20u /* read two ints at arg0 at exit (pipe, pipe2) */
#define KT_SC_FDS_ARG3 0x40u /* read two ints at arg3 at exit (socketpair) */
#define KT_SC_STR_SHIFT 8    /* bits 8-10: 1 + arg index of a string, 11-13: a second */
#define KT_SC_STR(a, b) ((((a) + 1u) << 8) | (((b) + 1u) << 11))
#define KT_SC_STR1(a) (((a) + 1u) << 8)
/* bits 16-18: 1 + arg index of a struct to read 8 bytes of at entry (clone3's
 * flags, bpf's attr, openat2's resolve), bits 19-21: their offset / 8 */
#define KT_SC_AUX_SHIFT 16
#define KT_SC_AUX(arg, off) ((((arg) + 1u) << 16) | (((off) / 8u) << 19))

/* tracked[tgid].flags */
#define KT_P_ROOT 0x1u    /* an invocation starts here */
#define KT_P_PIVOTED 0x2u /* did pivot_root or chroot (or its parent did) */
#define KT_P_USER 0x4u    /* exec'd in its new root: the container's program, not followed */

enum kt_type { KT_SYSCALL = 1, KT_FORK, KT_EXEC, KT_EXIT, KT_RENAME };

struct kt_proc {
    __u32 flags;
    __u32 root; /* tgid of the invocation's first process */
};

struct kt_hdr {
    __u32 type;
    __u32 tgid;
    __u32 tid;
    __u32 pad;
    __u64 ts; /* CLOCK_MONOTONIC ns */
};

struct kt_syscall {
    struct kt_hdr h; /* ts: entry */
    __u64 t_exit;
    __s64 ret;
    __u64 args[6];
    __u64 aux;   /* KT_SC_AUX_* bytes, or the two fds of KT_SC_FDS_* */
    __u64 nvcsw; /* voluntary switches at entry (internal) */
    __u32 nr;
    __u16 len[2]; /* of the strings, NUL included; 0: none */
    __u8 slept;
    __u8 pad[7];
    char str[2][KT_STR_MAX];
};

struct kt_fork {
    struct kt_hdr h; /* tgid/tid: the parent */
    __u32 child;
    __u32 flags; /* the child's kt_proc flags */
    char comm[KT_COMM_LEN];
};

struct kt_exec {
    struct kt_hdr h;
    __u32 old_tid;
    __u32 flags; /* kt_proc flags after the exec */
    __u32 root;
    __u16 argv_len;
    __u16 file_len;
    char comm[KT_COMM_LEN];
    char file[KT_STR_MAX];
    char argv[KT_ARGV_MAX];
};

struct kt_exit {
    struct kt_hdr h;
    __s32 code;
    __u32 pad;
    char comm[KT_COMM_LEN];
};

struct kt_rename {
    struct kt_hdr h;
    char comm[KT_COMM_LEN]; /* the new name (prctl PR_SET_NAME, /proc/PID/comm) */
};

/* conf[0] */
struct kt_conf {
    __u64 exe_ino; /* --exe: the inode and device of the program */
    __u32 exe_dev; /* the kernel's encoding (major << 20 | minor) */
    __u32 by_exe;
};

#endif
