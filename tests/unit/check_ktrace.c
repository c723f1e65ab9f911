/* The user-space half of `oci-rt profile`, without the kernel: records made
 * by hand (as the BPF programs would) go through the model (paths resolved
 * through descriptors, working directories and the new root), the rules
 * and the rows, which must cover each process's life. */
#include "config.h"
#include "libcontainer/ktrace_inv.h"
#include "libcontainer/ktrace_model.h"
#include "libcontainer/ktrace_path.h"
#include "libcontainer/ktrace_sys.h"
#include "libcontainer/ktrace_rules.h"
#include "libcontainer/ktrace_phases.h"

#include <check.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define US 1000ull
#define T0 (1000000000ull)

/* ---- records, as the kernel half writes them ---- */

struct recbuf {
    unsigned char *p;
    size_t len;
};

static void put(struct recbuf *b, const void *rec, uint32_t size)
{
    b->p = realloc(b->p, b->len + sizeof(size) + size);
    memcpy(b->p + b->len, &size, sizeof(size));
    memcpy(b->p + b->len + sizeof(size), rec, size);
    b->len += sizeof(size) + size;
}

/* A system call of pid at t (us after T0) lasting dur us; s0/s1 fill the
 * string slots (paths first, then the plain string argument). */
static void sys(struct recbuf *b, pid_t pid, uint64_t t, uint64_t dur, int nr, long ret,
                const uint64_t args[6], const char *s0, const char *s1)
{
    struct kt_syscall r;
    memset(&r, 0, sizeof(r));
    r.h = (struct kt_hdr){
        .type = KT_SYSCALL, .tgid = (uint32_t)pid, .tid = (uint32_t)pid, .ts = T0 + t * US};
    r.t_exit = r.h.ts + dur * US;
    r.ret = ret;
    r.nr = (uint32_t)nr;
    if (args)
        memcpy(r.args, args, sizeof(r.args));
    if (s0) {
        snprintf(r.str[0], KT_STR_MAX, "%s", s0);
        r.len[0] = (uint16_t)(strlen(s0) + 1);
    }
    if (s1) {
        snprintf(r.str[1], KT_STR_MAX, "%s", s1);
        r.len[1] = (uint16_t)(strlen(s1) + 1);
    }
    put(b, &r, sizeof(r));
}

static void fork_rec(struct recbuf *b, pid_t parent, pid_t child, uint64_t t, const char *comm)
{
    struct kt_fork r;
    memset(&r, 0, sizeof(r));
    r.h = (struct kt_hdr){
        .type = KT_FORK, .tgid = (uint32_t)parent, .tid = (uint32_t)parent, .ts = T0 + t * US};
    r.child = (uint32_t)child;
    snprintf(r.comm, sizeof(r.comm), "%s", comm);
    put(b, &r, sizeof(r));
}

/* argv: words separated by spaces */
static void exec_rec(struct recbuf *b, pid_t pid, uint64_t t, uint32_t flags, const char *file,
                     const char *argv)
{
    struct kt_exec r;
    memset(&r, 0, sizeof(r));
    r.h = (struct kt_hdr){
        .type = KT_EXEC, .tgid = (uint32_t)pid, .tid = (uint32_t)pid, .ts = T0 + t * US};
    r.flags = flags;
    r.root = (uint32_t)pid;
    const char *base = strrchr(file, '/');
    snprintf(r.comm, sizeof(r.comm), "%s", base ? base + 1 : file);
    snprintf(r.file, sizeof(r.file), "%s", file);
    r.file_len = (uint16_t)(strlen(file) + 1);
    size_t n = strlen(argv);
    memcpy(r.argv, argv, n + 1);
    for (size_t i = 0; i < n; i++)
        if (r.argv[i] == ' ')
            r.argv[i] = '\0';
    r.argv_len = (uint16_t)(n + 1);
    put(b, &r, sizeof(r));
}

static void exit_rec(struct recbuf *b, pid_t pid, uint64_t t)
{
    struct kt_exit r;
    memset(&r, 0, sizeof(r));
    r.h = (struct kt_hdr){
        .type = KT_EXIT, .tgid = (uint32_t)pid, .tid = (uint32_t)pid, .ts = T0 + t * US};
    put(b, &r, sizeof(r));
}

static const char *cwd_fn(const void *ctx, pid_t root)
{
    (void)ctx;
    (void)root;
    return "/work";
}

#define A(...) ((const uint64_t[6]){__VA_ARGS__})
#define AT_CWD ((uint64_t)(int64_t)AT_FDCWD)

/* A runtime (pid 100) and its container init (pid 101):
 *   100: execve runc, reads bundle/config.json, mkdirs its cgroup, clones 101
 *        with namespaces, waits on a socket, then for the child; exits
 *   101: opens rootfs/proc by a dirfd, mounts proc on /proc/self/fd/N,
 *        chdirs to the rootfs, pivot_root(".", "."), sets caps, execs sh */
static struct recbuf sample_run(void)
{
    struct recbuf b = {0};
    sys(&b, 100, 0, 50, SYS_execve, 0, NULL, "/usr/bin/runc", NULL);
    exec_rec(&b, 100, 40, KT_P_ROOT, "/usr/bin/runc", "runc --root /run/r run -b bundle c1");
    sys(&b, 100, 100, 5, SYS_openat, 3, A(AT_CWD, 0, O_RDONLY), "bundle/config.json", NULL);
    sys(&b, 100, 106, 3, SYS_read, 10, A(3), NULL, NULL);
    sys(&b, 100, 110, 1, SYS_close, 0, A(3), NULL, NULL);
    sys(&b, 100, 200, 10, SYS_mkdir, 0, A(0, 0755), "/sys/fs/cgroup/pids/c1", NULL);
    sys(&b, 100, 300, 5, SYS_mkdir, 0, A(0, 0700), "/run/r/c1", NULL);
    sys(&b, 100, 400, 30, SYS_clone, 101, A(CLONE_NEWNS | CLONE_NEWPID | SIGCHLD), NULL, NULL);
    fork_rec(&b, 100, 101, 420, "runc");
    sys(&b, 100, 450, 500, SYS_recvfrom, 8, A(4), NULL, NULL);
    /* fd 4 is unknown: the recvfrom is "other"; a socketpair makes it a socket */
    sys(&b, 101, 440, 5, SYS_openat, 5, A(AT_CWD, 0, O_PATH), "/work/bundle/rootfs", NULL);
    sys(&b, 101, 450, 5, SYS_openat, 6, A(5, 0, O_PATH), "proc", NULL);
    sys(&b, 101, 460, 20, SYS_mount, 0, A(0, 0, 0, 0), "/proc/self/fd/6", "proc");
    sys(&b, 101, 500, 5, SYS_chdir, 0, NULL, "/work/bundle/rootfs", NULL);
    sys(&b, 101, 510, 40, SYS_pivot_root, 0, NULL, ".", ".");
    sys(&b, 101, 600, 10, SYS_mount, 0, A(0, 0, 0, MS_BIND | MS_REC), "/proc/kcore", "/dev/null");
    sys(&b, 101, 700, 5, SYS_capset, 0, NULL, NULL, NULL);
    sys(&b, 101, 800, 100, SYS_execve, 0, NULL, "/bin/sh", NULL);
    exec_rec(&b, 101, 850, KT_P_PIVOTED | KT_P_USER, "/bin/sh", "sh");
    sys(&b, 100, 960, 900, SYS_wait4, 101, NULL, NULL, NULL);
    exit_rec(&b, 101, 1800);
    exit_rec(&b, 100, 2000);
    return b;
}

static void build(struct recbuf *b, struct kt_model *m)
{
    struct kt_source src = {.rec = b->p,
                            .len = b->len,
                            .mono0 = T0,
                            .real0 = 5 * T0,
                            .end_ns = T0 + 5000 * US,
                            .root_cwd = cwd_fn};
    kt_model_build(&src, m);
}

static const struct kt_event *find_event(const struct kt_model *m, pid_t pid, int nr)
{
    for (size_t i = 0; i < m->n_ev; i++)
        if (m->ev[i].pid == pid && m->ev[i].type == KT_SYSCALL && m->ev[i].sc->nr == nr)
            return &m->ev[i];
    return NULL;
}

START_TEST(paths)
{
    char p[] = "/a//b/./c/../d/";
    kt_path_normalize(p);
    ck_assert_str_eq(p, "/a/b/d");
    char q[] = "/../..";
    kt_path_normalize(q);
    ck_assert_str_eq(q, "/");
    ck_assert(kt_path_under("/sys/fs/cgroup/pids", "/sys/fs/cgroup"));
    ck_assert(kt_path_under("/sys/fs/cgroup", "/sys/fs/cgroup/"));
    ck_assert(!kt_path_under("/sys/fs/cgroupx", "/sys/fs/cgroup"));
    ck_assert(kt_path_under("/x", "/"));
}
END_TEST

START_TEST(model_resolves_paths_and_names_the_run)
{
    struct recbuf b = sample_run();
    struct kt_model m;
    build(&b, &m);
    ck_assert_uint_eq(m.n_proc, 2);
    ck_assert_uint_eq(m.n_inv, 1);
    ck_assert_str_eq(m.inv[0].op, "run");
    ck_assert_str_eq(m.inv[0].id, "c1");
    ck_assert_str_eq(m.inv[0].state, "/run/r");
    ck_assert_str_eq(m.inv[0].rootfs, "/work/bundle/rootfs");
    /* relative to the cwd; through /proc/self/fd/N to a dirfd-relative open */
    ck_assert_str_eq(find_event(&m, 100, SYS_openat)->path[0], "/work/bundle/config.json");
    ck_assert_str_eq(find_event(&m, 101, SYS_mount)->path[0], "/work/bundle/rootfs/proc");
    const struct kt_process *init = kt_model_proc(&m, 101);
    ck_assert(init->final_exec);
    ck_assert_str_eq(init->rootfs, "/work/bundle/rootfs");
    ck_assert_uint_eq(init->start, T0 + 420 * US);
    kt_model_free(&m);
    free(b.p);
}
END_TEST

static const struct spec_span *row(const struct spec_spans *s, pid_t pid, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i].pid == pid && !strcmp(s->items[i].name, name))
            return &s->items[i];
    return NULL;
}

static void assert_covers(const struct spec_spans *s, pid_t pid, uint64_t start, uint64_t end)
{
    uint64_t at = start;
    for (size_t i = 0; i < s->n; i++) {
        const struct spec_span *sp = &s->items[i];
        if (sp->pid != pid)
            continue;
        ck_assert_msg(sp->mono == at, "pid %d: row %s starts at %llu, not %llu", pid, sp->name,
                      (unsigned long long)sp->mono, (unsigned long long)at);
        ck_assert_uint_gt(sp->dur, 0);
        at = sp->mono + sp->dur;
    }
    ck_assert_uint_eq(at, end);
}

START_TEST(rows_name_phases_and_cover_each_life)
{
    struct recbuf b = sample_run();
    struct kt_model m;
    build(&b, &m);
    struct spec_spans s;
    kt_spans(&m, &s);
    static const char *const runtime_rows[] = {
        "exec and dynamic loading", "config parse", "cgroup create",
        "state directory and lock", "clone init",   "wait for child (idle)"};
    for (size_t i = 0; i < sizeof(runtime_rows) / sizeof(*runtime_rows); i++)
        ck_assert_msg(row(&s, 100, runtime_rows[i]), "runtime: no row %s", runtime_rows[i]);
    static const char *const init_rows[] = {
        "mount /proc",  "pivot_root", "readonly and masked paths",
        "capabilities", "execve",     "container process"};
    for (size_t i = 0; i < sizeof(init_rows) / sizeof(*init_rows); i++)
        ck_assert_msg(row(&s, 101, init_rows[i]), "init: no row %s", init_rows[i]);
    /* the dirfd-relative open before the mount is part of it */
    ck_assert_uint_eq(row(&s, 101, "mount /proc")->mono, T0 + 440 * US);
    /* a wait is exactly its call; the unknown fd's recvfrom is "other" */
    const struct spec_span *w = row(&s, 100, "wait for child (idle)");
    ck_assert_uint_eq(w->mono, T0 + 960 * US);
    ck_assert_uint_eq(w->dur, 900 * US);
    ck_assert_ptr_nonnull(row(&s, 100, "other"));
    const struct spec_span *cp = row(&s, 101, "container process");
    ck_assert_uint_eq(cp->mono + cp->dur, T0 + 1800 * US);
    ck_assert_str_eq(row(&s, 100, "config parse")->proc, "runtime");
    ck_assert_str_eq(cp->proc, "init");
    ck_assert_str_eq(cp->id, "c1");
    ck_assert_str_eq(cp->op, "run");
    ck_assert_uint_eq(cp->ts, 5 * T0 + (cp->mono - T0)); /* realtime through the anchor */
    /* the runtime's rows from its execve to its exit, the init's from its fork */
    assert_covers(&s, 100, T0, T0 + 2000 * US);
    assert_covers(&s, 101, T0 + 420 * US, T0 + 1800 * US);
    spec_spans_free(&s);
    kt_model_free(&m);
    free(b.p);
}
END_TEST

START_TEST(a_process_still_running_ends_with_the_trace)
{
    struct recbuf b = {0};
    sys(&b, 7, 0, 10, SYS_execve, 0, NULL, "/usr/bin/crun", NULL);
    exec_rec(&b, 7, 5, KT_P_ROOT, "/usr/bin/crun", "crun create --bundle b c2");
    sys(&b, 7, 100, 10, SYS_socketpair, 0, A(AF_UNIX), NULL, NULL);
    struct kt_model m;
    build(&b, &m);
    struct spec_spans s;
    kt_spans(&m, &s);
    ck_assert_str_eq(m.inv[0].op, "create");
    ck_assert_str_eq(m.inv[0].id, "c2");
    ck_assert_str_eq(m.inv[0].state, "/run/crun");
    ck_assert_ptr_nonnull(row(&s, 7, "sync channels"));
    assert_covers(&s, 7, T0, T0 + 5000 * US);
    spec_spans_free(&s);
    kt_model_free(&m);
    free(b.p);
}
END_TEST

/* oci-rt's spare state directories: the rename of a spare to the
 * container's directory is part of making it, the rename of the emptied
 * directory to a spare is its removal, and a rename in the directory is a
 * state write. */
START_TEST(renames_of_state_directories)
{
    struct recbuf b = {0};
    sys(&b, 100, 0, 50, SYS_execve, 0, NULL, "/usr/bin/oci-rt", NULL);
    exec_rec(&b, 100, 40, KT_P_ROOT, "/usr/bin/oci-rt", "oci-rt --root /run/r run -b bundle c1");
    /* the paths: the new name first (ktrace_sys.c), then the old */
    sys(&b, 100, 100, 5, SYS_renameat2, 0, A(AT_CWD, 0, AT_CWD, 0, 1), "/run/r/c1",
        "/run/r/.cache/spare~0");
    sys(&b, 100, 200, 5, SYS_renameat2, 0, A(AT_CWD, 0, AT_CWD, 0, 0), "/run/r/c1/state.json",
        "/run/r/c1/.state.json.tmp");
    sys(&b, 100, 300, 5, SYS_renameat2, 0, A(AT_CWD, 0, AT_CWD, 0, 1), "/run/r/.cache/spare~1",
        "/run/r/c1");
    exit_rec(&b, 100, 400);
    struct kt_model m;
    build(&b, &m);
    const struct kt_process *p = kt_model_proc(&m, 100);
    static const char *const want[] = {"state directory and lock", "state write", "state remove"};
    size_t k = 0;
    for (size_t i = 0; i < m.n_ev; i++) {
        const struct kt_event *e = &m.ev[i];
        if (e->type != KT_SYSCALL || e->sc->nr != SYS_renameat2)
            continue;
        struct kt_verdict v;
        kt_classify(&m, p, e, &v);
        ck_assert_uint_lt(k, 3);
        ck_assert_msg(!strcmp(v.name, want[k]), "rename %zu (%s): %s, want %s", k, e->path[0],
                      v.name, want[k]);
        k++;
    }
    ck_assert_uint_eq(k, 3);
    kt_model_free(&m);
    free(b.p);
}
END_TEST

START_TEST(sysconf_and_rules_table)
{
    static uint32_t sc[KT_MAX_SYSCALL];
    ktrace_sysconf(sc, KT_MAX_SYSCALL);
    ck_assert(sc[SYS_openat] & KT_SC_RECORD);
    ck_assert_uint_eq((sc[SYS_openat] >> KT_SC_STR_SHIFT) & 7, 2); /* arg 1 is a path */
    ck_assert(sc[SYS_pipe2] & KT_SC_FDS_ARG0);
    ck_assert(sc[SYS_wait4] & KT_SC_IF_SLEPT);
    ck_assert(sc[SYS_pivot_root] & KT_SC_PIVOT);
    ck_assert_uint_eq(sc[SYS_futex], 0); /* not recorded: never a phase of its own */
    size_t n = 0;
    for (; kt_rules_doc(n); n++)
        ck_assert(kt_rules_doc(n)->kernel && kt_rules_doc(n)->kernel[0]);
    ck_assert_uint_gt(n, 40);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ktrace");
    TCase *tc = tcase_create("ktrace");
    tcase_add_test(tc, paths);
    tcase_add_test(tc, model_resolves_paths_and_names_the_run);
    tcase_add_test(tc, rows_name_phases_and_cover_each_life);
    tcase_add_test(tc, renames_of_state_directories);
    tcase_add_test(tc, a_process_still_running_ends_with_the_trace);
    tcase_add_test(tc, sysconf_and_rules_table);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
