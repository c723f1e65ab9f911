/* The kernel half of `oci-rt profile`: BPF programs on the scheduler's
 * process tracepoints and on every system call's entry and exit, which
 * follow a tree of processes (forks followed, whatever namespaces they make)
 * and hand what it does to user space through a ring buffer.
 *
 * Why BPF and not ftrace events: a syscall's path arguments (a mount's
 * target, the config file opened, the cgroup file written) are user memory,
 * which ftrace's syscall events show only as pointers on this kernel family;
 * a BPF program copies them at entry. Filtering is done here, so a process
 * outside the tree costs one hash lookup per system call.
 *
 * Built with clang -target bpf and relocated at load time against the
 * running kernel's BTF (CO-RE): the structures below name only the fields
 * read, and libbpf finds their offsets in /sys/kernel/btf/vmlinux. */
#include <linux/bpf.h>
#include <linux/types.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "../ktrace_abi.h"

#define __pai __attribute__((preserve_access_index))

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
    unsigned long di, si, dx, r10, r8, r9;
} __pai;
#define SC_ARG(r, i)                                                                               \
    ((i) == 0   ? BPF_CORE_READ(r, di)                                                             \
     : (i) == 1 ? BPF_CORE_READ(r, si)                                                             \
     : (i) == 2 ? BPF_CORE_READ(r, dx)                                                             \
     : (i) == 3 ? BPF_CORE_READ(r, r10)                                                            \
     : (i) == 4 ? BPF_CORE_READ(r, r8)                                                             \
                : BPF_CORE_READ(r, r9))
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs {
    unsigned long regs[31];
    unsigned long orig_x0;
} __pai;
#define SC_ARG(r, i) ((i) == 0 ? BPF_CORE_READ(r, orig_x0) : BPF_CORE_READ(r, regs[i]))
#else
#error "ktrace: no system call argument registers for this architecture"
#endif

struct mm_struct {
    unsigned long arg_start, arg_end;
} __pai;

struct signal_struct {
    struct {
        int counter;
    } live;
} __pai;

struct task_struct {
    int pid, tgid, exit_code;
    char comm[KT_COMM_LEN];
    unsigned long nvcsw;
    struct mm_struct *mm;
    struct signal_struct *signal;
} __pai;

struct super_block {
    unsigned int s_dev;
} __pai;

struct inode {
    unsigned long i_ino;
    struct super_block *i_sb;
} __pai;

struct file {
    struct inode *f_inode;
} __pai;

struct linux_binprm {
    struct file *file;
    const char *filename;
} __pai;

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32);
    __type(value, struct kt_proc);
} tracked SEC(".maps");

/* A mark on every thread of a followed process: the system calls of all
 * other threads of the machine are let go after one pointer check. */
struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, __u32);
} marked SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, __u32);
    __type(value, struct kt_syscall);
} pending SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, KT_MAX_SYSCALL);
    __type(key, __u32);
    __type(value, __u32);
} sysconf SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct kt_conf);
} conf SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct kt_syscall);
} scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 << 20); /* set by user space before load */
} events SEC(".maps");

static void count_lost(void)
{
    __u32 k = 0;
    __u64 *n = bpf_map_lookup_elem(&lost, &k);
    if (n)
        __sync_fetch_and_add(n, 1);
}

static void emit(void *rec, __u64 size)
{
    if (bpf_ringbuf_output(&events, rec, size, BPF_RB_NO_WAKEUP) < 0)
        count_lost();
}

static __u16 read_str(char *dst, __u64 uptr)
{
    long n = bpf_probe_read_user_str(dst, KT_STR_MAX, (const void *)uptr);
    return n > 0 ? (__u16)n : 0;
}

#define MARK_FOLLOWED 1
#define MARK_FINAL_EXEC 2 /* exec'ing the container's program: its return is the last */

static __u32 mark_of(void)
{
    __u32 *m = bpf_task_storage_get(&marked, bpf_get_current_task_btf(), 0, 0);
    return m ? *m : 0;
}

static void mark(struct task_struct *t, __u32 v)
{
    __u32 *m = bpf_task_storage_get(&marked, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (m)
        *m = v;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(kt_sys_enter, struct pt_regs *regs, long id)
{
    if (mark_of() != MARK_FOLLOWED)
        return 0;
    __u64 pt = bpf_get_current_pid_tgid();
    __u32 tgid = pt >> 32, tid = (__u32)pt, nr = (__u32)id, zero = 0;
    struct kt_proc *p = bpf_map_lookup_elem(&tracked, &tgid);
    if (!p || (p->flags & KT_P_USER))
        return 0;
    __u32 *f = bpf_map_lookup_elem(&sysconf, &nr);
    if (!f || !(*f & KT_SC_RECORD))
        return 0;
    __u32 flags = *f;
    struct kt_syscall *e = bpf_map_lookup_elem(&scratch, &zero);
    if (!e)
        return 0;
    e->h.type = KT_SYSCALL;
    e->h.tgid = tgid;
    e->h.tid = tid;
    e->nr = nr;
    e->aux = 0;
    e->slept = 0;
    e->args[0] = SC_ARG(regs, 0);
    e->args[1] = SC_ARG(regs, 1);
    e->args[2] = SC_ARG(regs, 2);
    e->args[3] = SC_ARG(regs, 3);
    e->args[4] = SC_ARG(regs, 4);
    e->args[5] = SC_ARG(regs, 5);
    __u32 a = (flags >> KT_SC_STR_SHIFT) & 7, b = (flags >> (KT_SC_STR_SHIFT + 3)) & 7;
    e->len[0] = a >= 1 && a <= 6 ? read_str(e->str[0], e->args[(a - 1) & 7]) : 0;
    e->len[1] = b >= 1 && b <= 6 ? read_str(e->str[1], e->args[(b - 1) & 7]) : 0;
    __u32 x = (flags >> KT_SC_AUX_SHIFT) & 7, off = (flags >> (KT_SC_AUX_SHIFT + 3)) & 7;
    if (x >= 1 && x <= 6)
        bpf_probe_read_user(&e->aux, sizeof(e->aux),
                            (const void *)(e->args[(x - 1) & 7] + off * 8));
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    e->nvcsw = BPF_CORE_READ(t, nvcsw);
    e->h.ts = bpf_ktime_get_ns();
    bpf_map_update_elem(&pending, &tid, e, BPF_ANY);
    return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(kt_sys_exit, struct pt_regs *regs, long ret)
{
    __u32 mk = mark_of();
    if (!mk)
        return 0;
    if (mk == MARK_FINAL_EXEC) /* from now on the program costs one check */
        bpf_task_storage_delete(&marked, bpf_get_current_task_btf());
    __u64 now = bpf_ktime_get_ns();
    __u64 pt = bpf_get_current_pid_tgid();
    __u32 tgid = pt >> 32, tid = (__u32)pt;
    struct kt_syscall *e = bpf_map_lookup_elem(&pending, &tid);
    if (!e)
        return 0;
    __u32 nr = e->nr;
    __u32 *f = bpf_map_lookup_elem(&sysconf, &nr);
    __u32 flags = f ? *f : 0;
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    e->slept = BPF_CORE_READ(t, nvcsw) != e->nvcsw;
    if ((flags & KT_SC_IF_SLEPT) && !e->slept) {
        bpf_map_delete_elem(&pending, &tid);
        return 0;
    }
    e->t_exit = now;
    e->ret = ret;
    if (ret >= 0 && (flags & KT_SC_FDS_ARG0))
        bpf_probe_read_user(&e->aux, sizeof(e->aux), (const void *)e->args[0]);
    else if (ret >= 0 && (flags & KT_SC_FDS_ARG3))
        bpf_probe_read_user(&e->aux, sizeof(e->aux), (const void *)e->args[3]);
    if (ret == 0 && (flags & KT_SC_PIVOT)) {
        struct kt_proc *p = bpf_map_lookup_elem(&tracked, &tgid);
        if (p)
            p->flags |= KT_P_PIVOTED;
    }
    emit(e, sizeof(*e));
    bpf_map_delete_elem(&pending, &tid);
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(kt_fork, struct task_struct *parent, struct task_struct *child)
{
    __u32 ptgid = BPF_CORE_READ(parent, tgid);
    __u32 cpid = BPF_CORE_READ(child, pid), ctgid = BPF_CORE_READ(child, tgid);
    struct kt_proc *p = bpf_map_lookup_elem(&tracked, &ptgid);
    if (!p || (p->flags & KT_P_USER))
        return 0;
    mark(child, MARK_FOLLOWED);
    if (cpid != ctgid) /* a thread: its process is followed already */
        return 0;
    struct kt_proc np = {.flags = p->flags & KT_P_PIVOTED, .root = p->root};
    bpf_map_update_elem(&tracked, &ctgid, &np, BPF_ANY);
    struct kt_fork ev = {};
    ev.h.type = KT_FORK;
    ev.h.tgid = ptgid;
    ev.h.tid = BPF_CORE_READ(parent, pid);
    ev.h.ts = bpf_ktime_get_ns();
    ev.child = ctgid;
    ev.flags = np.flags;
    BPF_CORE_READ_STR_INTO(&ev.comm, child, comm);
    emit(&ev, sizeof(ev));
    return 0;
}

static int is_target_exe(struct linux_binprm *bprm)
{
    __u32 zero = 0;
    struct kt_conf *c = bpf_map_lookup_elem(&conf, &zero);
    if (!c || !c->by_exe)
        return 0;
    struct inode *ino = BPF_CORE_READ(bprm, file, f_inode);
    return BPF_CORE_READ(ino, i_ino) == c->exe_ino && BPF_CORE_READ(ino, i_sb, s_dev) == c->exe_dev;
}

static void move_pending(__u32 from, __u32 to)
{
    struct kt_syscall *e = bpf_map_lookup_elem(&pending, &from);
    if (!e)
        return;
    e->h.tid = to;
    bpf_map_update_elem(&pending, &to, e, BPF_ANY);
    bpf_map_delete_elem(&pending, &from);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(kt_exec, struct task_struct *task, int old_pid, struct linux_binprm *bprm)
{
    __u32 tgid = BPF_CORE_READ(task, tgid), pid = BPF_CORE_READ(task, pid);
    struct kt_proc *p = bpf_map_lookup_elem(&tracked, &tgid);
    struct kt_proc np = {};
    if (p) {
        if (p->flags & KT_P_USER)
            return 0;
        if (p->flags & KT_P_PIVOTED) {
            p->flags |= KT_P_USER; /* the container's program: not followed */
            mark(task, MARK_FINAL_EXEC);
        }
        np = *p;
    } else {
        if (!is_target_exe(bprm))
            return 0;
        np.flags = KT_P_ROOT;
        np.root = tgid;
        bpf_map_update_elem(&tracked, &tgid, &np, BPF_ANY);
        mark(task, MARK_FOLLOWED);
    }
    if ((__u32)old_pid != pid)
        move_pending((__u32)old_pid, pid);
    struct kt_exec *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
    if (!ev) {
        count_lost();
        return 0;
    }
    ev->h.type = KT_EXEC;
    ev->h.tgid = tgid;
    ev->h.tid = pid;
    ev->h.pad = 0;
    ev->h.ts = bpf_ktime_get_ns();
    ev->old_tid = (__u32)old_pid;
    ev->flags = np.flags;
    ev->root = np.root;
    BPF_CORE_READ_STR_INTO(&ev->comm, task, comm);
    const char *fname = BPF_CORE_READ(bprm, filename);
    long n = bpf_probe_read_kernel_str(ev->file, sizeof(ev->file), fname);
    ev->file_len = n > 0 ? (__u16)n : 0;
    struct mm_struct *mm = BPF_CORE_READ(task, mm);
    unsigned long start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
    __u64 len = end > start ? end - start : 0;
    if (len > KT_ARGV_MAX)
        len = KT_ARGV_MAX;
    if (len && bpf_probe_read_user(ev->argv, len & (KT_ARGV_MAX * 2 - 1) & 0x3ff, (void *)start))
        len = 0;
    ev->argv_len = (__u16)len;
    bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
    return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(kt_exit, struct task_struct *task)
{
    __u32 tgid = BPF_CORE_READ(task, tgid), pid = BPF_CORE_READ(task, pid);
    bpf_map_delete_elem(&pending, &pid);
    struct kt_proc *p = bpf_map_lookup_elem(&tracked, &tgid);
    if (!p || BPF_CORE_READ(task, signal, live.counter) != 0)
        return 0; /* not ours, or not its last thread */
    struct kt_exit ev = {};
    ev.h.type = KT_EXIT;
    ev.h.tgid = tgid;
    ev.h.tid = pid;
    ev.h.ts = bpf_ktime_get_ns();
    ev.code = BPF_CORE_READ(task, exit_code);
    BPF_CORE_READ_STR_INTO(&ev.comm, task, comm);
    bpf_map_delete_elem(&tracked, &tgid);
    emit(&ev, sizeof(ev));
    return 0;
}

SEC("tp_btf/task_rename")
int BPF_PROG(kt_rename, struct task_struct *task, const char *comm)
{
    __u32 tgid = BPF_CORE_READ(task, tgid);
    struct kt_proc *p = bpf_map_lookup_elem(&tracked, &tgid);
    if (!p || (p->flags & KT_P_USER))
        return 0;
    struct kt_rename ev = {};
    ev.h.type = KT_RENAME;
    ev.h.tgid = tgid;
    ev.h.tid = BPF_CORE_READ(task, pid);
    ev.h.ts = bpf_ktime_get_ns();
    bpf_probe_read_kernel_str(ev.comm, sizeof(ev.comm), comm);
    emit(&ev, sizeof(ev));
    return 0;
}
