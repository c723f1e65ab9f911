/* seccomp: a cache of compiled programs. libseccomp takes milliseconds for
 * a profile like Docker's, which most containers of a host share; reading
 * the program back takes microseconds.
 *
 * An entry is named by a hash of its key, and holds the key itself: the
 * profile in a canonical form, plus what else decides the program
 * (libseccomp's version and shared object, oci-rt's executable, the
 * kernel, the native architecture). A hit compares the whole key, so a
 * hash collision is a miss; a checksum rejects a torn or damaged entry. */
#include "config.h"
#include "seccomp.h"
#include "seccomp_cache.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#define CACHE_MAGIC "OCIRTSC\1"
#define CACHE_FORMAT "oci-rt seccomp cache 1, SECCOMP_SHAPE_TREE"

struct cache_hdr {
    char magic[8];
    uint64_t sum; /* FNV-1a of everything after this field */
    uint32_t key_len;
    uint32_t len; /* instructions */
    uint32_t flags;
    uint32_t listener;
    uint64_t n_skipped;
};

struct keybuf {
    char *p;
    size_t n, cap;
};

static void kb_add(struct keybuf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void kb_u64(struct keybuf *b, uint64_t v)
{
    kb_add(b, &v, sizeof(v));
}

static void kb_str(struct keybuf *b, const char *s)
{
    kb_u64(b, s ? strlen(s) : UINT64_MAX);
    if (s)
        kb_add(b, s, strlen(s));
}

static void kb_strv(struct keybuf *b, const struct spec_strv *v)
{
    kb_u64(b, v->n);
    for (size_t i = 0; i < v->n; i++)
        kb_str(b, v->items[i]);
}

static void kb_file(struct keybuf *b, const char *path)
{
    struct stat st;
    if (path && stat(path, &st) == 0) {
        kb_u64(b, st.st_ino);
        kb_u64(b, (uint64_t)st.st_size);
        kb_u64(b, (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec);
    } else {
        kb_u64(b, 0);
    }
}

static void kb_profile(struct keybuf *b, const struct spec_seccomp *s)
{
    kb_str(b, s->default_action);
    kb_u64(b, s->has_default_errno_ret);
    kb_u64(b, s->default_errno_ret);
    kb_strv(b, &s->architectures);
    kb_strv(b, &s->flags);
    kb_u64(b, s->listener_path && *s->listener_path); /* the program does not use it */
    kb_u64(b, s->n_syscalls);
    for (size_t i = 0; i < s->n_syscalls; i++) {
        const struct spec_seccomp_syscall *sc = &s->syscalls[i];
        kb_strv(b, &sc->names);
        kb_str(b, sc->action);
        kb_u64(b, sc->has_errno_ret);
        kb_u64(b, sc->errno_ret);
        kb_u64(b, sc->n_args);
        for (size_t k = 0; k < sc->n_args; k++) {
            kb_u64(b, sc->args[k].index);
            kb_u64(b, sc->args[k].value);
            kb_u64(b, sc->args[k].value_two);
            kb_str(b, sc->args[k].op);
        }
    }
}

static void cache_key(const struct spec_seccomp *s, struct keybuf *b)
{
    kb_str(b, CACHE_FORMAT);
    const struct scmp_version *v = seccomp_version();
    kb_u64(b, ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro);
    kb_u64(b, seccomp_arch_native());
    /* a rebuilt libseccomp (new syscall names) or oci-rt (this code) */
    Dl_info info;
    kb_file(b, dladdr((const void *)seccomp_init, &info) ? info.dli_fname : NULL);
    kb_file(b, "/proc/self/exe");
    struct utsname u;
    kb_str(b, uname(&u) == 0 ? u.release : "");
    kb_profile(b, s);
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

static uint64_t entry_sum(const struct cache_hdr *h, const void *rest, size_t rest_len)
{
    size_t off = offsetof(struct cache_hdr, key_len);
    uint64_t sum = fnv1a(FNV_OFFSET, (const char *)h + off, sizeof(*h) - off);
    return fnv1a(sum, rest, rest_len);
}

/* A hit fills p and returns 0; anything else is a miss (-1). */
static int cache_read(int dirfd, const char *name, const struct keybuf *key, struct seccomp_plan *p)
{
    _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    size_t max = sizeof(struct cache_hdr) + key->n + BPF_MAXINSNS * sizeof(struct sock_filter);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size <= sizeof(struct cache_hdr) + key->n || (size_t)st.st_size > max)
        return -1;
    size_t size = (size_t)st.st_size;
    _cleanup_free_ char *buf = xmalloc(size);
    if (pread(fd, buf, size, 0) != (ssize_t)size)
        return -1;
    struct cache_hdr h;
    memcpy(&h, buf, sizeof(h));
    const char *rest = buf + sizeof(h);
    if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != key->n || h.len == 0 ||
        h.len > BPF_MAXINSNS || size != sizeof(h) + key->n + h.len * sizeof(struct sock_filter) ||
        h.sum != entry_sum(&h, rest, size - sizeof(h)) || memcmp(rest, key->p, key->n) != 0)
        return -1;
    size_t prog = h.len * sizeof(struct sock_filter);
    p->filter = xmalloc(prog);
    memcpy(p->filter, rest + key->n, prog);
    p->len = (unsigned short)h.len;
    p->flags = h.flags;
    p->listener = h.listener != 0;
    p->n_skipped = h.n_skipped;
    return 0;
}

/* Best effort: a private temporary file renamed into place. */
static void cache_write(int dirfd, const char *name, const struct keybuf *key,
                        const struct seccomp_plan *p)
{
    struct cache_hdr h = {.key_len = (uint32_t)key->n,
                          .len = p->len,
                          .flags = p->flags,
                          .listener = p->listener,
                          .n_skipped = p->n_skipped};
    memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
    size_t prog = p->len * sizeof(struct sock_filter);
    size_t size = sizeof(h) + key->n + prog;
    _cleanup_free_ char *buf = xmalloc(size);
    memcpy(buf + sizeof(h), key->p, key->n);
    memcpy(buf + sizeof(h) + key->n, p->filter, prog);
    h.sum = entry_sum(&h, buf + sizeof(h), size - sizeof(h));
    memcpy(buf, &h, sizeof(h));
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", name, (int)getpid());
    _cleanup_close_ int fd =
        openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write_all(fd, buf, size) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
        log_debug("seccomp cache: write %s: %s", name, strerror(errno));
        if (fd >= 0)
            unlinkat(dirfd, tmp, 0);
    }
}

/* Only a directory no one else can write to: an entry is code the init
 * loads without a second look. */
static bool cache_dir_trusted(int dirfd)
{
    struct stat st;
    if (fstat(dirfd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH))) {
        log_debug("seccomp cache: the directory is not private to uid %u, not used",
                  (unsigned)geteuid());
        return false;
    }
    return true;
}

int seccomp_plan_build_cached(const struct spec_seccomp *s, int cache_dirfd,
                              struct seccomp_plan *out, struct oci_err *err)
{
    if (!s || cache_dirfd < 0 || !cache_dir_trusted(cache_dirfd))
        return seccomp_plan_build(s, out, err); /* compiled each time: LINEAR */
    TRACE_BEGIN(span, "seccomp cache lookup");
    struct keybuf key = {0};
    cache_key(s, &key);
    char name[32];
    snprintf(name, sizeof(name), "%016llx.bpf",
             (unsigned long long)fnv1a(FNV_OFFSET, key.p, key.n));
    memset(out, 0, sizeof(*out));
    int hit = cache_read(cache_dirfd, name, &key, out) == 0;
    TRACE_END(span);
    if (hit)
        TRACE_INSTANT("seccomp cache hit");
    int rc = 0;
    if (!hit) {
        rc = seccomp_plan_compile(s, SECCOMP_SHAPE_TREE, out, err);
        if (rc == 0)
            cache_write(cache_dirfd, name, &key, out);
    }
    free(key.p);
    return rc;
}
