/* ktrace: load the kernel half of `oci-rt profile` (bpf/ktrace.bpf.c) with
 * libbpf, run a command or wait for a program's execs while it records,
 * and keep its records in memory. See ktrace.h. */
#include "config.h"
#include "dynload.h"
#include "ktrace.h"
#include "util.h"

#include "libcontainer/ktrace_bpf_obj.h" /* generated: ktrace_bpf_obj[] */

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h> /* RTLD_ flags */
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#define DRAIN_MS 50
#define MAX_LINKS 8
#define MAX_ROOTS 256

struct root_cwd {
    pid_t pid;
    char *cwd;
};

struct ktrace {
    struct bpf_object *obj;
    struct bpf_link *links[MAX_LINKS];
    int n_links;
    struct ring_buffer *rb;
    int tracked_fd, lost_fd;
    bool by_exe;
    unsigned char *rec;
    size_t len, cap;
    uint64_t mono0, real0;
    struct root_cwd roots[MAX_ROOTS];
    int n_roots;
};

/* libbpf is loaded when a profile starts, as libmount is when a config
 * needs it: the runtime that every container operation starts neither loads
 * nor carries it (linked statically with libelf and zlib it adds 630 KB to
 * the binary; linked dynamically, three libraries to every start). */
static struct {
    void *h;
    __typeof__(&bpf_object__open_mem) open_mem;
    __typeof__(&bpf_object__find_map_by_name) find_map;
    __typeof__(&bpf_map__set_max_entries) set_max_entries;
    __typeof__(&bpf_object__load) load;
    __typeof__(&bpf_map__fd) map_fd;
    __typeof__(&bpf_object__next_program) next_program;
    __typeof__(&bpf_program__attach) attach;
    __typeof__(&bpf_program__name) prog_name;
    __typeof__(&bpf_link__destroy) link_destroy;
    __typeof__(&bpf_object__close) close;
    __typeof__(&ring_buffer__new) rb_new;
    __typeof__(&ring_buffer__consume) rb_consume;
    __typeof__(&ring_buffer__free) rb_free;
    __typeof__(&libbpf_set_print) set_print;
    __typeof__(&bpf_map_update_elem) update;
    __typeof__(&bpf_map_lookup_elem) lookup;
    __typeof__(&bpf_map_get_next_key) next_key;
} B;

#define SYM(field, name)                                                                           \
    {                                                                                              \
#name, offsetof(__typeof__(B), field)                                                      \
    }
static const struct {
    const char *name;
    size_t off;
} syms[] = {
    SYM(open_mem, bpf_object__open_mem),
    SYM(find_map, bpf_object__find_map_by_name),
    SYM(set_max_entries, bpf_map__set_max_entries),
    SYM(load, bpf_object__load),
    SYM(map_fd, bpf_map__fd),
    SYM(next_program, bpf_object__next_program),
    SYM(attach, bpf_program__attach),
    SYM(prog_name, bpf_program__name),
    SYM(link_destroy, bpf_link__destroy),
    SYM(close, bpf_object__close),
    SYM(rb_new, ring_buffer__new),
    SYM(rb_consume, ring_buffer__consume),
    SYM(rb_free, ring_buffer__free),
    SYM(set_print, libbpf_set_print),
    SYM(update, bpf_map_update_elem),
    SYM(lookup, bpf_map_lookup_elem),
    SYM(next_key, bpf_map_get_next_key),
};

static int load_libbpf(struct oci_err *err)
{
    if (B.h)
        return 0;
    if (oci_dl_need("profile", err) < 0)
        return -1;
    void *h = oci_dl.open("libbpf.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return err_set(err, 0, "profile: load libbpf (Debian: libbpf1): %s", oci_dl.error());
    for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
        void *f = oci_dl.sym(h, syms[i].name);
        if (!f) {
            oci_dl.close(h);
            return err_set(err, 0, "profile: libbpf.so.1 lacks %s (1.0 or newer is needed)",
                           syms[i].name);
        }
        memcpy((char *)&B + syms[i].off, &f, sizeof(f));
    }
    B.h = h;
    return 0;
}

/* libbpf's messages: the last warning explains a failed load */
static char libbpf_last[512];

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (n)
        snprintf(libbpf_last, sizeof(libbpf_last), "%s", line);
    return 0;
}

static uint64_t clock_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void remember_cwd(struct ktrace *t, pid_t pid, const char *cwd)
{
    if (t->n_roots >= MAX_ROOTS || !cwd)
        return;
    t->roots[t->n_roots].pid = pid;
    t->roots[t->n_roots].cwd = xstrdup(cwd);
    t->n_roots++;
}

const char *ktrace_root_cwd(const struct ktrace *t, pid_t root)
{
    for (int i = 0; i < t->n_roots; i++)
        if (t->roots[i].pid == root)
            return t->roots[i].cwd;
    return NULL;
}

static int on_record(void *ctx, void *data, size_t size)
{
    struct ktrace *t = ctx;
    uint32_t sz = (uint32_t)size;
    if (t->len + sizeof(sz) + size > t->cap) {
        t->cap = (t->cap ? t->cap * 2 : 1 << 20) + size;
        t->rec = xrealloc(t->rec, t->cap);
    }
    memcpy(t->rec + t->len, &sz, sizeof(sz));
    memcpy(t->rec + t->len + sizeof(sz), data, size);
    t->len += sizeof(sz) + size;
    const struct kt_exec *e = data;
    if (t->by_exe && size >= sizeof(*e) && e->h.type == KT_EXEC && (e->flags & KT_P_ROOT) &&
        e->root == e->h.tgid && !ktrace_root_cwd(t, (pid_t)e->h.tgid)) {
        /* where the engine started it: read while it still runs */
        char link[64], cwd[PATH_MAX];
        snprintf(link, sizeof(link), "/proc/%u/cwd", e->h.tgid);
        ssize_t n = readlink(link, cwd, sizeof(cwd) - 1);
        if (n > 0) {
            cwd[n] = '\0';
            remember_cwd(t, (pid_t)e->h.tgid, cwd);
        }
    }
    return 0;
}

void ktrace_drain(struct ktrace *t)
{
    if (t->rb)
        B.rb_consume(t->rb);
}

const unsigned char *ktrace_records(const struct ktrace *t, size_t *len)
{
    *len = t->len;
    return t->rec;
}

uint64_t ktrace_lost(const struct ktrace *t)
{
    uint32_t k = 0;
    uint64_t n = 0;
    if (t->lost_fd >= 0)
        B.lookup(t->lost_fd, &k, &n);
    return n;
}

void ktrace_anchor(const struct ktrace *t, uint64_t *mono, uint64_t *real)
{
    *mono = t->mono0;
    *real = t->real0;
}

void ktrace_close(struct ktrace *t)
{
    if (!t)
        return;
    B.rb_free(t->rb);
    for (int i = 0; i < t->n_links; i++)
        B.link_destroy(t->links[i]);
    B.close(t->obj);
    for (int i = 0; i < t->n_roots; i++)
        free(t->roots[i].cwd);
    free(t->rec);
    free(t);
}

static int map_fd(struct ktrace *t, const char *name)
{
    struct bpf_map *m = B.find_map(t->obj, name);
    return m ? B.map_fd(m) : -1;
}

/* The maps user space fills before the programs run. */
static int fill_maps(struct ktrace *t, const struct ktrace_opts *o, struct oci_err *err)
{
    int fd = map_fd(t, "sysconf");
    for (uint32_t nr = 0; nr < o->n_sysconf && nr < KT_MAX_SYSCALL; nr++) {
        uint32_t v = o->sysconf[nr];
        if (v && B.update(fd, &nr, &v, BPF_ANY) < 0)
            return err_set(err, errno, "profile: fill the system call table");
    }
    struct kt_conf c = {0};
    if (o->exe) {
        struct stat st;
        if (stat(o->exe, &st) < 0)
            return err_set(err, errno, "profile --exe %s", o->exe);
        if (!S_ISREG(st.st_mode))
            return err_set(err, 0, "profile --exe %s: not a regular file", o->exe);
        c.exe_ino = st.st_ino;
        c.exe_dev = (uint32_t)((major(st.st_dev) << 20) | minor(st.st_dev));
        c.by_exe = 1;
    }
    uint32_t k = 0;
    if (B.update(map_fd(t, "conf"), &k, &c, BPF_ANY) < 0)
        return err_set(err, errno, "profile: configure the kernel tracer");
    t->tracked_fd = map_fd(t, "tracked");
    t->lost_fd = map_fd(t, "lost");
    return 0;
}

static int load(struct ktrace *t, const struct ktrace_opts *o, struct oci_err *err)
{
    LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "oci_rt_ktrace");
    B.set_print(libbpf_log);
    if (ktrace_bpf_obj_len == 0)
        return err_set(err, ENOTSUP, "profile: not built for this architecture");
    t->obj = B.open_mem(ktrace_bpf_obj, ktrace_bpf_obj_len, &oo);
    if (!t->obj) {
        t->obj = NULL;
        return err_set(err, errno, "profile: open the BPF object: %s", libbpf_last);
    }
    struct bpf_map *ring = B.find_map(t->obj, "events");
    size_t rb = o->ring_bytes ? o->ring_bytes : 16u << 20;
    if (!ring || B.set_max_entries(ring, (uint32_t)rb) < 0)
        return err_set(err, EINVAL, "profile: ring buffer size %zu", rb);
    if (B.load(t->obj) < 0) {
        int e = errno;
        return err_set(err, e,
                       "profile: load the BPF programs (a kernel with BTF, 5.11 or newer, "
                       "is needed): %s",
                       libbpf_last[0] ? libbpf_last : "failed");
    }
    return 0;
}

static int attach(struct ktrace *t, struct oci_err *err)
{
    for (struct bpf_program *p = B.next_program(t->obj, NULL); p; p = B.next_program(t->obj, p)) {
        if (t->n_links >= MAX_LINKS)
            return err_set(err, E2BIG, "profile: too many BPF programs");
        struct bpf_link *l = B.attach(p);
        if (!l)
            return err_set(err, errno, "profile: attach %s: %s", B.prog_name(p), libbpf_last);
        t->links[t->n_links++] = l;
    }
    t->rb = B.rb_new(map_fd(t, "events"), on_record, t, NULL);
    if (!t->rb)
        return err_set(err, errno, "profile: open the ring buffer");
    return 0;
}

int ktrace_open(const struct ktrace_opts *o, struct ktrace **out, struct oci_err *err)
{
    if (geteuid() != 0)
        return err_set(err, EPERM, "profile: needs root (it loads BPF programs into the kernel)");
    if (load_libbpf(err) < 0)
        return -1;
    struct ktrace *t = xzalloc(sizeof(*t));
    t->tracked_fd = t->lost_fd = -1;
    t->by_exe = o->exe != NULL;
    libbpf_last[0] = '\0';
    if (load(t, o, err) < 0 || fill_maps(t, o, err) < 0 || attach(t, err) < 0) {
        ktrace_close(t);
        return -1;
    }
    t->mono0 = clock_ns(CLOCK_MONOTONIC);
    t->real0 = clock_ns(CLOCK_REALTIME);
    *out = t;
    return 0;
}

int ktrace_follow(struct ktrace *t, pid_t pid, struct oci_err *err)
{
    uint32_t k = (uint32_t)pid, one = 1;
    struct kt_proc v = {.flags = KT_P_ROOT, .root = (uint32_t)pid};
    if (B.update(t->tracked_fd, &k, &v, BPF_ANY) < 0)
        return err_set(err, errno, "profile: follow process %d", pid);
    /* the mark on its task: task storage is keyed by a pidfd */
    _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0 || B.update(map_fd(t, "marked"), &pidfd, &one, BPF_ANY) < 0)
        return err_set(err, errno, "profile: mark process %d", pid);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)))
        remember_cwd(t, pid, cwd);
    return 0;
}

/* The calls still in progress when tracing stops (a container's init that
 * waits for start, a runtime waiting for its container): recorded as lasting
 * until then, and as having slept. */
static void flush_pending(struct ktrace *t, uint64_t end_ns)
{
    int fd = map_fd(t, "pending");
    uint32_t key, next;
    struct kt_syscall rec;
    bool first = true;
    while (fd >= 0 && B.next_key(fd, first ? NULL : &key, &next) == 0) {
        first = false;
        key = next;
        if (B.lookup(fd, &key, &rec) < 0 || rec.h.ts > end_ns)
            continue;
        rec.t_exit = end_ns;
        rec.ret = -EINTR;
        rec.slept = 1;
        on_record(t, &rec, sizeof(rec));
    }
}

/* ---- running under tracing ---- */

/* argv[0] found as execvp would, resolved before the fork so that the
 * traced child makes one execve. */
static char *find_exe(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *p = path; *p;) {
        const char *e = strchrnul(p, ':');
        char *cand = NULL;
        xasprintf(&cand, "%.*s/%s", (int)(e - p), e == p ? "." : p, name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
            return cand;
        free(cand);
        p = *e ? e + 1 : e;
    }
    return NULL;
}

struct runner {
    int sigfd;
    sigset_t old;
    int stops; /* SIGINT/SIGTERM received */
};

static int runner_begin(struct runner *r, struct oci_err *err)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, &r->old) < 0)
        return err_set(err, errno, "profile: block signals");
    r->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (r->sigfd < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, &r->old, NULL);
        return err_set(err, e, "profile: signalfd");
    }
    r->stops = 0;
    return 0;
}

static void runner_end(struct runner *r)
{
    close(r->sigfd);
    sigprocmask(SIG_SETMASK, &r->old, NULL);
}

/* Wait up to ms for a signal; returns its info (ssi_signo 0: none). */
static struct signalfd_siginfo runner_wait(struct runner *r, int ms)
{
    struct signalfd_siginfo si = {0};
    struct pollfd pfd = {.fd = r->sigfd, .events = POLLIN};
    if (poll(&pfd, 1, ms) > 0 && read(r->sigfd, &si, sizeof(si)) != sizeof(si))
        si.ssi_signo = 0;
    return si;
}

static void child_exec(const char *exe, char *const argv[], const sigset_t *mask, int go, int errp)
{
    char c;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    if (read(go, &c, 1) != 1)
        _exit(127);
    execv(exe, argv);
    int e = errno;
    if (write(errp, &e, sizeof(e)) < 0) {
        /* the parent sees EOF and reports exec failed */
    }
    _exit(127);
}

/* Fork the child, follow it, let it exec; *pid, or -1 and err. */
static pid_t spawn(struct ktrace *t, char *const argv[], const sigset_t *mask, struct oci_err *err)
{
    _cleanup_free_ char *exe = find_exe(argv[0]);
    if (!exe)
        return err_set(err, ENOENT, "profile: %s: command not found", argv[0]);
    int go[2], ep[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return err_set(err, errno, "profile: pipe");
    if (pipe2(ep, O_CLOEXEC) < 0) {
        close(go[0]);
        close(go[1]);
        return err_set(err, errno, "profile: pipe");
    }
    pid_t pid = fork();
    if (pid == 0)
        child_exec(exe, argv, mask, go[0], ep[1]);
    close(go[0]);
    close(ep[1]);
    int rc = pid < 0 ? err_set(err, errno, "profile: fork") : ktrace_follow(t, pid, err);
    if (rc == 0 && write(go[1], "x", 1) != 1)
        rc = err_set(err, errno, "profile: start %s", argv[0]);
    close(go[1]);
    int e = 0;
    if (rc == 0 && read(ep[0], &e, sizeof(e)) == (ssize_t)sizeof(e))
        rc = err_set(err, e, "profile: exec %s", exe);
    close(ep[0]);
    if (rc < 0 && pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

int ktrace_run_command(struct ktrace *t, char *const argv[], struct ktrace_end *end,
                       struct oci_err *err)
{
    struct runner r;
    *end = (struct ktrace_end){.status = -1};
    if (runner_begin(&r, err) < 0)
        return -1;
    pid_t pid = spawn(t, argv, &r.old, err);
    if (pid < 0) {
        runner_end(&r);
        return -1;
    }
    for (;;) {
        struct signalfd_siginfo si = runner_wait(&r, DRAIN_MS);
        ktrace_drain(t);
        if (si.ssi_signo == SIGCHLD || si.ssi_signo == 0) {
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                end->status = st;
                break;
            }
            continue;
        }
        end->signal = (int)si.ssi_signo;
        /* a terminal's ^C reached the command too; a kill of this process
         * alone is passed on; a second one stops waiting for it */
        if (++r.stops > 1)
            break;
        if (si.ssi_code != SI_KERNEL)
            kill(pid, (int)si.ssi_signo);
    }
    end->end_ns = clock_ns(CLOCK_MONOTONIC);
    ktrace_drain(t);
    flush_pending(t, end->end_ns);
    runner_end(&r);
    return 0;
}

int ktrace_run_for(struct ktrace *t, int64_t duration_ms, struct ktrace_end *end,
                   struct oci_err *err)
{
    struct runner r;
    *end = (struct ktrace_end){.status = -1};
    if (runner_begin(&r, err) < 0)
        return -1;
    uint64_t stop = duration_ms > 0 ? now_ms() + (uint64_t)duration_ms : UINT64_MAX;
    while (now_ms() < stop) {
        struct signalfd_siginfo si = runner_wait(&r, DRAIN_MS);
        ktrace_drain(t);
        if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
            end->signal = (int)si.ssi_signo;
            break;
        }
    }
    end->end_ns = clock_ns(CLOCK_MONOTONIC);
    ktrace_drain(t);
    flush_pending(t, end->end_ns);
    runner_end(&r);
    return 0;
}
