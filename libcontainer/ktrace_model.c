/* From ktrace's records to a model of what happened: events in time order,
 * processes (forks followed), each path argument resolved to a host path
 * through the process's working directory, root and file descriptors
 * (/proc/self/fd/N, dirfd-relative *at() calls), and the invocations, named
 * by their command lines. See ktrace_model.h. */
#include "config.h"
#include "ktrace_inv.h"
#include "ktrace_model.h"
#include "ktrace_path.h"
#include "ktrace_sys.h"
#include "util.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static char *join(const char *base, const char *rel)
{
    char *p = NULL;
    xasprintf(&p, "%s/%s", base, rel);
    kt_path_normalize(p);
    return p;
}

/* ---- per-process state while resolving ---- */

struct kfd {
    enum kfd_kind kind;
    bool cloexec;
    char *path;
};

struct pstate {
    struct kfd *fd;
    int n_fd;
    char *cwd;
};

static void fd_clear(struct kfd *f)
{
    free(f->path);
    *f = (struct kfd){0};
}

static struct kfd *fd_slot(struct pstate *s, long fd)
{
    if (fd < 0 || fd > 65535)
        return NULL;
    if (fd >= s->n_fd) {
        int n = (int)fd + 16;
        s->fd = xrealloc(s->fd, (size_t)n * sizeof(*s->fd));
        memset(s->fd + s->n_fd, 0, (size_t)(n - s->n_fd) * sizeof(*s->fd));
        s->n_fd = n;
    }
    return &s->fd[fd];
}

static const struct kfd *fd_get(const struct pstate *s, long fd)
{
    return fd >= 0 && fd < s->n_fd && s->fd[fd].kind ? &s->fd[fd] : NULL;
}

static void fd_put(struct pstate *s, long fd, enum kfd_kind kind, const char *path, bool cloexec)
{
    struct kfd *f = fd_slot(s, fd);
    if (!f)
        return;
    fd_clear(f);
    f->kind = kind;
    f->cloexec = cloexec;
    f->path = path ? xstrdup(path) : NULL;
}

static void pstate_copy(struct pstate *dst, const struct pstate *src)
{
    dst->n_fd = src->n_fd;
    dst->fd = xzalloc((size_t)(src->n_fd ? src->n_fd : 1) * sizeof(*dst->fd));
    for (int i = 0; i < src->n_fd; i++) {
        dst->fd[i] = src->fd[i];
        dst->fd[i].path = src->fd[i].path ? xstrdup(src->fd[i].path) : NULL;
    }
    dst->cwd = src->cwd ? xstrdup(src->cwd) : NULL;
}

static void pstate_free(struct pstate *s)
{
    for (int i = 0; i < s->n_fd; i++)
        free(s->fd[i].path);
    free(s->fd);
    free(s->cwd);
    *s = (struct pstate){0};
}

/* ---- decoding ---- */

static int by_ts(const void *a, const void *b)
{
    const struct kt_event *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->type == KT_FORK ? -1 : y->type == KT_FORK ? 1 : 0;
}

static const char *rec_str(const char *s, uint16_t len)
{
    return len ? s : "";
}

static void decode_syscall(struct kt_event *e, const struct kt_syscall *r)
{
    e->sc = kt_sys_lookup((int)r->nr);
    e->ts = r->h.ts;
    e->end = r->t_exit;
    e->ret = (long)r->ret;
    memcpy(e->args, r->args, sizeof(e->args));
    e->aux = r->aux;
    e->slept = r->slept;
    e->str[0] = rec_str(r->str[0], r->len[0]);
    e->str[1] = rec_str(r->str[1], r->len[1]);
}

static size_t decode(const unsigned char *rec, size_t len, struct kt_event *ev)
{
    size_t n = 0;
    for (size_t off = 0; off + sizeof(uint32_t) <= len;) {
        uint32_t sz;
        memcpy(&sz, rec + off, sizeof(sz));
        const struct kt_hdr *h = (const void *)(rec + off + sizeof(sz));
        off += sizeof(sz) + sz;
        struct kt_event *e = &ev[n];
        *e = (struct kt_event){.type = (uint8_t)h->type,
                               .pid = (pid_t)h->tgid,
                               .tid = (pid_t)h->tid,
                               .ts = h->ts,
                               .end = h->ts};
        if (h->type == KT_SYSCALL && sz >= sizeof(struct kt_syscall)) {
            decode_syscall(e, (const void *)h);
            if (!e->sc)
                continue;
        } else if (h->type == KT_FORK && sz >= sizeof(struct kt_fork)) {
            const struct kt_fork *f = (const void *)h;
            e->child = (pid_t)f->child;
            e->flags = f->flags;
            e->comm = f->comm;
        } else if (h->type == KT_EXEC && sz >= sizeof(struct kt_exec)) {
            const struct kt_exec *x = (const void *)h;
            e->flags = x->flags;
            e->comm = x->comm;
            e->file = x->file_len ? x->file : "";
            e->argv = x->argv;
            e->argv_len = x->argv_len;
        } else if (h->type == KT_EXIT && sz >= sizeof(struct kt_exit)) {
            e->comm = ((const struct kt_exit *)h)->comm;
        } else if (h->type == KT_RENAME && sz >= sizeof(struct kt_rename)) {
            e->comm = ((const struct kt_rename *)h)->comm;
        } else {
            continue;
        }
        n++;
    }
    return n;
}

/* ---- processes ---- */

struct kt_process *kt_model_proc(const struct kt_model *m, pid_t pid)
{
    /* newest first: a pid reused in one trace is its last process */
    for (size_t i = m->n_proc; i-- > 0;)
        if (m->proc[i].pid == pid)
            return &m->proc[i];
    return NULL;
}

const struct kt_invocation *kt_model_inv(const struct kt_model *m, pid_t root)
{
    for (size_t i = 0; i < m->n_inv; i++)
        if (m->inv[i].root == root)
            return &m->inv[i];
    return NULL;
}

static struct kt_process *new_proc(struct kt_model *m, pid_t pid, pid_t parent, uint64_t ts,
                                   struct pstate **st)
{
    m->proc = xrealloc(m->proc, (m->n_proc + 1) * sizeof(*m->proc));
    *st = xrealloc(*st, (m->n_proc + 1) * sizeof(**st));
    struct kt_process *p = &m->proc[m->n_proc];
    (*st)[m->n_proc] = (struct pstate){0};
    *p = (struct kt_process){.pid = pid, .parent = parent, .root = pid, .start = ts};
    m->n_proc++;
    return p;
}

static void add_event(struct kt_process *p, size_t idx)
{
    if (p->n_ev == p->cap_ev) {
        p->cap_ev = p->cap_ev ? p->cap_ev * 2 : 64;
        p->ev = xrealloc(p->ev, p->cap_ev * sizeof(*p->ev));
    }
    p->ev[p->n_ev++] = idx;
}

/* ---- resolution ---- */

/* "/proc/self/fd/N/rest" (or thread-self, /proc/PID/fd, /dev/fd): fd N's
 * path and rest, or NULL when raw is not such a path. */
static char *via_proc_fd(const struct pstate *s, const struct kt_event *e, const char *raw)
{
    const char *rest = NULL;
    char *end;
    if (!strncmp(raw, "/proc/self/fd/", 14))
        rest = raw + 14;
    else if (!strncmp(raw, "/proc/thread-self/fd/", 21))
        rest = raw + 21;
    else if (!strncmp(raw, "/dev/fd/", 8))
        rest = raw + 8;
    else if (!strncmp(raw, "/proc/", 6)) {
        long pid = strtol(raw + 6, &end, 10);
        if ((pid == e->pid || pid == e->tid) && !strncmp(end, "/fd/", 4))
            rest = end + 4;
    }
    if (!rest)
        return NULL;
    long fd = strtol(rest, &end, 10);
    const struct kfd *f = end != rest ? fd_get(s, fd) : NULL;
    if (!f || !f->path || f->path[0] != '/')
        return NULL;
    return *end ? join(f->path, end) : xstrdup(f->path);
}

/* openat2 with RESOLVE_IN_ROOT: an absolute path is inside its dirfd */
static bool in_root(const struct kt_event *e)
{
    return e->sc->nr == SYS_openat2 && (e->aux & 0x10 /* RESOLVE_IN_ROOT */);
}

static char *resolve(const struct kt_process *p, const struct pstate *s, const struct kt_event *e,
                     long dirfd, const char *raw)
{
    char *via = via_proc_fd(s, e, raw);
    if (via)
        return via;
    /* "self/fd/N" relative to a procfs handle (oci-rt mounts onto fds so) */
    if (!strncmp(raw, "self/fd/", 8) || !strncmp(raw, "thread-self/fd/", 15)) {
        char *abs = join("/proc", raw);
        via = via_proc_fd(s, e, abs);
        free(abs);
        if (via)
            return via;
    }
    if (raw[0] == '/' && !in_root(e))
        return join(p->pivoted && p->rootfs ? p->rootfs : "/", raw);
    const char *base = NULL;
    if ((int)dirfd == AT_FDCWD || dirfd < 0)
        base = s->cwd;
    else {
        const struct kfd *f = fd_get(s, dirfd);
        base = f ? f->path : NULL;
    }
    if (!base || base[0] != '/')
        return NULL;
    return raw[0] ? join(base, raw) : xstrdup(base);
}

/* The record's string slot of a path or str argument (kt_sys_conf's order). */
static const char *arg_str(const struct kt_event *e, int which)
{
    const struct ks_desc *d = e->sc;
    int cand[3] = {d->path[0], d->path[1], d->str}, k = 0;
    for (int i = 0; i < 3; i++) {
        if (cand[i] < 0)
            continue;
        if (i == which)
            return k < 2 ? e->str[k] : "";
        k++;
    }
    return "";
}

static bool mount_source_is_path(const struct kt_event *e)
{
    return e->sc->kind != KS_MOUNT || (e->args[3] & (MS_BIND | MS_MOVE));
}

static void resolve_args(struct kt_model *m, struct kt_process *p, struct pstate *s,
                         struct kt_event *e)
{
    const struct ks_desc *d = e->sc;
    e->pivoted = p->pivoted;
    e->threaded = p->threads > 0;
    for (int i = 0; i < 2; i++) {
        if (d->path[i] < 0 || (i == 1 && !mount_source_is_path(e)))
            continue;
        long dirfd = d->dirfd[i] >= 0 ? (long)(int)e->args[d->dirfd[i]] : AT_FDCWD;
        e->path[i] = resolve(p, s, e, dirfd, arg_str(e, i));
    }
    if (d->fd >= 0) {
        const struct kfd *f = fd_get(s, (long)(int)e->args[d->fd]);
        if (f) {
            e->fdkind = f->kind;
            e->fdpath = f->path ? xstrdup(f->path) : NULL;
        }
    }
    for (size_t i = m->n_marks; e->path[0] && i-- > 0;)
        if (!strcmp(m->marks[i].path, e->path[0])) {
            e->mark = m->marks[i].mark;
            break;
        }
}

/* ---- effects of a successful call on the process's state ---- */

static void close_range_fds(struct pstate *s, const struct kt_event *e)
{
    unsigned long lo = e->args[0], hi = e->args[1];
    for (unsigned long fd = lo; fd <= hi && fd < (unsigned long)s->n_fd; fd++) {
        if (e->args[2] & CLOSE_RANGE_CLOEXEC)
            s->fd[fd].cloexec = true;
        else
            fd_clear(&s->fd[fd]);
    }
}

static void dup_fd(struct pstate *s, long from, long to, bool cloexec)
{
    const struct kfd *f = fd_get(s, from);
    if (!f) {
        struct kfd *t = fd_slot(s, to);
        if (t)
            fd_clear(t);
        return;
    }
    struct kfd copy = *f;
    fd_put(s, to, copy.kind, copy.path, cloexec);
}

static void apply_fds(struct pstate *s, const struct kt_event *e)
{
    const uint64_t *a = e->args;
    long ret = e->ret;
    switch (e->sc->kind) {
    case KS_OPEN: {
        uint64_t flags = e->sc->path[0] == 0 ? a[1] : a[2];
        bool cloexec = e->sc->nr == SYS_openat2 || (flags & O_CLOEXEC);
        fd_put(s, ret, KFD_FILE, e->path[0], cloexec);
        break;
    }
    case KS_CLOSE:
        if (e->sc->fd >= 0) {
            struct kfd *f = fd_slot(s, (long)(int)a[0]);
            if (f)
                fd_clear(f);
        } else {
            close_range_fds(s, e);
        }
        break;
    case KS_DUP:
        dup_fd(s, (long)(int)a[0], ret, e->sc->nr == SYS_dup3 && (a[2] & O_CLOEXEC));
        break;
    case KS_FCNTL:
        if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC)
            dup_fd(s, (long)(int)a[0], ret, a[1] == F_DUPFD_CLOEXEC);
        else if (a[1] == F_SETFD && fd_get(s, (long)(int)a[0]))
            s->fd[(int)a[0]].cloexec = a[2] & FD_CLOEXEC;
        break;
    case KS_PIPE:
    case KS_SOCKETPAIR: {
        int fds[2];
        memcpy(fds, &e->aux, sizeof(fds));
        enum kfd_kind k = e->sc->kind == KS_PIPE ? KFD_PIPE : KFD_SOCKET;
        bool cloexec = k == KFD_PIPE ? (a[1] & O_CLOEXEC) : (a[1] & SOCK_CLOEXEC);
        fd_put(s, fds[0], k, NULL, cloexec);
        fd_put(s, fds[1], k, NULL, cloexec);
        break;
    }
    case KS_SOCKET:
        fd_put(s, ret, KFD_SOCKET, NULL, true);
        break;
    case KS_MEMFD: {
        char name[300];
        snprintf(name, sizeof(name), "memfd:%s", arg_str(e, 2));
        fd_put(s, ret, KFD_MEMFD, name, a[1] & 1);
        break;
    }
    case KS_PIDFD:
        fd_put(s, ret, KFD_OTHER, NULL, true);
        break;
    case KS_MOUNT_API:
        if (e->sc->nr == SYS_open_tree || e->sc->nr == SYS_fsopen || e->sc->nr == SYS_fsmount)
            fd_put(s, ret, KFD_MOUNT, e->path[0] ? e->path[0] : e->fdpath, true);
        break;
    default:
        break;
    }
}

static void mark(struct kt_model *m, struct kt_event *e, enum kt_mark k)
{
    if (k != KM_NONE)
        e->mark = k;
    if (k == KM_NONE || !e->path[0] || e->ret < 0)
        return;
    m->marks = xrealloc(m->marks, (m->n_marks + 1) * sizeof(*m->marks));
    m->marks[m->n_marks++] = (struct kt_marked){xstrdup(e->path[0]), k};
}

/* The shape of a mount that protects the runtime or masks a path. */
static enum kt_mark mount_mark(const struct kt_event *e)
{
    uint64_t fl = e->args[3];
    const char *src = e->str[1];
    if ((fl & MS_BIND) && !strcmp(src, "/proc/self/exe"))
        return KM_BINCOPY;
    if ((fl & MS_BIND) && !(fl & MS_REMOUNT) &&
        (!strcmp(src, "/dev/null") ||
         (e->path[1] && e->path[0] && !strcmp(e->path[0], e->path[1]))))
        return KM_MASKED;
    if ((fl & MS_RDONLY) && !(fl & (MS_BIND | MS_REMOUNT | MS_MOVE)) && !strcmp(src, "tmpfs"))
        return KM_MASKED;
    return KM_NONE;
}

static void apply_roots(struct kt_model *m, struct kt_process *p, struct pstate *s,
                        struct kt_event *e)
{
    switch (e->sc->kind) {
    case KS_CHDIR: {
        const char *to = e->sc->fd >= 0 ? e->fdpath : e->path[0];
        if (to) {
            free(s->cwd);
            s->cwd = xstrdup(to);
        }
        break;
    }
    case KS_PIVOT:
    case KS_CHROOT:
        if (e->path[0]) {
            free(p->rootfs);
            p->rootfs = xstrdup(e->path[0]);
        }
        p->pivoted = true;
        break;
    case KS_MKNOD: {
        uint64_t mode = e->sc->path[0] == 0 ? e->args[1] : e->args[2];
        if (S_ISFIFO(mode))
            mark(m, e, KM_FIFO);
        break;
    }

    default:
        break;
    }
}

static const char *root_cwd(const struct kt_source *src, pid_t pid)
{
    return src->root_cwd ? src->root_cwd(src->ctx, pid) : NULL;
}

static void build_invocations(const struct kt_source *src, struct kt_model *m)
{
    for (size_t i = 0; i < m->n_proc; i++) {
        struct kt_process *p = &m->proc[i];
        if (p->root != p->pid)
            continue;
        m->inv = xrealloc(m->inv, (m->n_inv + 1) * sizeof(*m->inv));
        struct kt_invocation *inv = &m->inv[m->n_inv++];
        *inv = (struct kt_invocation){.root = p->pid};
        /* its last program before it forks (env, a shell's exec: the runtime) */
        const struct kt_event *x = NULL;
        for (size_t k = 0; k < p->n_ev && !(x && m->ev[p->ev[k]].type == KT_FORK); k++)
            if (m->ev[p->ev[k]].type == KT_EXEC && !(m->ev[p->ev[k]].flags & KT_P_USER))
                x = &m->ev[p->ev[k]];
        kt_inv_parse(inv, x ? x->argv : "", x ? x->argv_len : 0, root_cwd(src, p->pid));
    }
    for (size_t i = 0; i < m->n_proc; i++) {
        struct kt_invocation *inv = (struct kt_invocation *)kt_model_inv(m, m->proc[i].root);
        if (inv && !inv->rootfs && m->proc[i].rootfs)
            inv->rootfs = xstrdup(m->proc[i].rootfs);
    }
}

/* ---- the pass over all events ---- */

static struct kt_process *fork_child(struct kt_model *m, struct pstate **st, size_t pi,
                                     const struct kt_event *e)
{
    pid_t parent = m->proc[pi].pid;
    struct kt_process *c = new_proc(m, e->child, parent, e->ts, st);
    struct kt_process *p = &m->proc[pi]; /* new_proc may have moved it */
    c->root = p->root;
    c->pivoted = p->pivoted;
    c->rootfs = p->rootfs ? xstrdup(p->rootfs) : NULL;
    snprintf(c->comm, sizeof(c->comm), "%s", e->comm);
    pstate_copy(&(*st)[m->n_proc - 1], &(*st)[pi]);
    return c;
}

static void on_exec(struct kt_process *p, struct pstate *s, const struct kt_event *e)
{
    for (int fd = 0; fd < s->n_fd; fd++)
        if (s->fd[fd].kind && s->fd[fd].cloexec)
            fd_clear(&s->fd[fd]);
    if (e->flags & KT_P_USER)
        p->final_exec = true;
    else
        snprintf(p->comm, sizeof(p->comm), "%s", e->comm);
}

static void one_event(const struct kt_source *src, struct kt_model *m, struct pstate **st, size_t i)
{
    struct kt_event *e = &m->ev[i];
    struct kt_process *p = kt_model_proc(m, e->pid);
    if (!p || p->exited) {
        p = new_proc(m, e->pid, 0, e->ts, st);
        const char *cwd = root_cwd(src, e->pid);
        (*st)[m->n_proc - 1].cwd = cwd ? xstrdup(cwd) : NULL;
    }
    size_t pi = (size_t)(p - m->proc);
    add_event(p, i);
    struct pstate *s = &(*st)[pi];
    switch (e->type) {
    case KT_FORK:
        fork_child(m, st, pi, e);
        break;
    case KT_SYSCALL:
        if (e->sc->kind == KS_EXEC)
            p->exec_until = e->end;
        resolve_args(m, p, s, e);
        if (e->sc->kind == KS_MOUNT) /* a failed one is marked too, for its own name */
            mark(m, e, mount_mark(e));
        if (e->sc->kind == KS_CLONE && e->ret > 0 &&
            ((e->sc->nr == SYS_clone3 ? e->aux : e->args[0]) & CLONE_THREAD))
            p->threads++;
        if (e->ret >= 0 || e->sc->kind == KS_CLOSE) {
            apply_fds(s, e);
            apply_roots(m, p, s, e);
        }
        break;
    case KT_EXEC:
        on_exec(p, s, e);
        break;
    case KT_EXIT:
        p->end = e->ts;
        p->exited = true;
        break;
    case KT_RENAME: /* an exec renames too: that name comes with its exec event */
        if (!p->final_exec && e->ts > p->exec_until)
            snprintf(p->comm, sizeof(p->comm), "%s", e->comm);
        break;
    }
}

void kt_model_build(const struct kt_source *src, struct kt_model *m)
{
    *m = (struct kt_model){.mono0 = src->mono0, .real0 = src->real0, .end_ns = src->end_ns};
    size_t n = 0;
    for (size_t off = 0; off + sizeof(uint32_t) <= src->len; n++) {
        uint32_t sz;
        memcpy(&sz, src->rec + off, sizeof(sz));
        off += sizeof(sz) + sz;
    }
    m->ev = xzalloc((n ? n : 1) * sizeof(*m->ev));
    m->n_ev = decode(src->rec, src->len, m->ev);
    qsort(m->ev, m->n_ev, sizeof(*m->ev), by_ts);
    struct pstate *st = NULL;
    for (size_t i = 0; i < m->n_ev; i++)
        one_event(src, m, &st, i);
    for (size_t i = 0; i < m->n_proc; i++) {
        struct kt_process *p = &m->proc[i];
        if (!p->exited)
            p->end = src->end_ns > p->start ? src->end_ns : p->start;
        else if (p->end < p->start)
            p->end = p->start;
        pstate_free(&st[i]);
    }
    free(st);
    build_invocations(src, m);
}

void kt_model_free(struct kt_model *m)
{
    for (size_t i = 0; i < m->n_ev; i++) {
        free(m->ev[i].path[0]);
        free(m->ev[i].path[1]);
        free(m->ev[i].fdpath);
    }
    for (size_t i = 0; i < m->n_proc; i++) {
        free(m->proc[i].ev);
        free(m->proc[i].rootfs);
    }
    for (size_t i = 0; i < m->n_inv; i++) {
        free(m->inv[i].op);
        free(m->inv[i].id);
        free(m->inv[i].state);
        free(m->inv[i].exe);
        free(m->inv[i].rootfs);
    }
    for (size_t i = 0; i < m->n_marks; i++)
        free(m->marks[i].path);
    free(m->marks);
    free(m->ev);
    free(m->proc);
    free(m->inv);
    *m = (struct kt_model){0};
}
