/* The rootfs every container of a run uses (read-only): Debian's sysbench
 * and iperf3 with the shared libraries ldd names for them, oci-bench's own
 * static helper (the lifecycle payloads and the syscall loop), a minimal
 * /etc, and the mount points of the bundle's config. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

extern const unsigned char bench_helper_bin[], bench_helper_end[];

static int mkparent(const char *path, struct oci_err *err)
{
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir_p(dir, 0755) < 0)
            return err_set(err, errno, "mkdir %s", dir);
    }
    return 0;
}

int bench_copy_file(const char *from, const char *to, mode_t mode, struct oci_err *err)
{
    _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(err, errno, "open %s", from);
    if (mkparent(to, err) < 0)
        return -1;
    _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0)
        return errno == EEXIST ? 0 : err_set(err, errno, "create %s", to);
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            break;
        if (n > 0)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL)
            return err_set(err, errno, "copy %s", from);
        char buf[65536];
        while ((n = read(in, buf, sizeof(buf))) > 0)
            if (write_all(out, buf, (size_t)n) < 0)
                return err_set(err, errno, "write %s", to);
        if (n < 0)
            return err_set(err, errno, "read %s", from);
        break;
    }
    return 0;
}

static int write_text(const char *root, const char *rel, const char *text, mode_t mode,
                      struct oci_err *err)
{
    _cleanup_free_ char *path = NULL;
    xasprintf(&path, "%s/%s", root, rel);
    if (mkparent(path, err) < 0)
        return -1;
    if (write_file_atomic(AT_FDCWD, path, text, strlen(text), mode) < 0)
        return err_set(err, errno, "write %s", path);
    return 0;
}

/* One path out of a line of ldd's output, or NULL: "libz.so.1 => /lib/x/libz.so.1
 * (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)". A library it did not
 * find is an error. */
static const char *ldd_path(char *line, struct oci_err *err)
{
    char *arrow = strstr(line, "=> ");
    char *p = arrow ? arrow + 3 : line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (arrow && !strncmp(p, "not found", 9)) {
        err_set(err, 0, "%s: not found", strtok(line, " \t="));
        return NULL;
    }
    if (*p != '/')
        return NULL;
    p[strcspn(p, " \t(")] = '\0';
    return p;
}

/* A binary of the host (on PATH) into the rootfs's /usr/bin, with its
 * libraries at their paths. */
static int add_binary(struct bench *b, const char *name, const char *pkg, const char *wl,
                      struct oci_err *err)
{
    _cleanup_free_ char *path = bench_which(name);
    if (!path)
        return err_set(err, 0,
                       "workload %s needs %s, which is not installed (Debian: apt-get install %s)",
                       wl, name, pkg);
    _cleanup_free_ char *dst = NULL, *out = NULL;
    xasprintf(&dst, "%s/usr/bin/%s", b->rootfs, name);
    if (bench_copy_file(path, dst, 0755, err) < 0)
        return -1;
    char *const ldd[] = {"ldd", path, NULL};
    if (bench_exec(ldd, 30, NULL, &out, err) < 0)
        return err_wrap(err, "libraries of %s", path);
    char *save = NULL;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *lib = ldd_path(l, err);
        if (err->set)
            return err_wrap(err, "libraries of %s", path);
        if (!lib)
            continue;
        _cleanup_free_ char *real = realpath(lib, NULL), *to = NULL;
        xasprintf(&to, "%s%s", b->rootfs, lib);
        if (!real || bench_copy_file(real, to, 0755, err) < 0)
            return err->set ? -1 : err_set(err, errno, "%s", lib);
    }
    return 0;
}

static int add_etc(struct bench *b, struct oci_err *err)
{
    if (write_text(b->rootfs, "etc/passwd", "root:x:0:0:root:/root:/bin/false\n", 0644, err) < 0 ||
        write_text(b->rootfs, "etc/group", "root:x:0:\n", 0644, err) < 0 ||
        write_text(b->rootfs, "etc/hosts", "127.0.0.1 localhost\n", 0644, err) < 0 ||
        write_text(b->rootfs, "etc/hostname", "ocibench\n", 0644, err) < 0)
        return -1;
    _cleanup_free_ char *cache = NULL;
    xasprintf(&cache, "%s/etc/ld.so.cache", b->rootfs);
    if (access("/etc/ld.so.cache", R_OK) == 0 &&
        bench_copy_file("/etc/ld.so.cache", cache, 0644, err) < 0)
        return -1;
    return 0;
}

static int add_helper(struct bench *b, struct oci_err *err)
{
    _cleanup_free_ char *path = NULL;
    xasprintf(&path, "%s/usr/bin/ocibench-helper", b->rootfs);
    if (mkparent(path, err) < 0)
        return -1;
    size_t len = (size_t)(bench_helper_end - bench_helper_bin);
    if (len == 0)
        return err_set(err, 0, "oci-bench was built without its helper");
    if (write_file_atomic(AT_FDCWD, path, bench_helper_bin, len, 0755) < 0)
        return err_set(err, errno, "write %s", path);
    return 0;
}

int bench_rootfs_build(struct bench *b, struct oci_err *err)
{
    static const char *const dirs[] = {"proc", "sys", "dev",     "tmp", "data",
                                       "root", "etc", "usr/bin", "run"};
    xasprintf(&b->rootfs, "%s/rootfs", b->workdir);
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        _cleanup_free_ char *d = NULL;
        xasprintf(&d, "%s/%s", b->rootfs, dirs[i]);
        if (mkdir_p(d, 0755) < 0)
            return err_set(err, errno, "mkdir %s", d);
    }
    if (add_helper(b, err) < 0 || add_etc(b, err) < 0)
        return -1;
    const bool *wl = b->o.wl;
    const char *sb = wl[BENCH_WL_CPU]      ? "cpu"
                     : wl[BENCH_WL_MEMORY] ? "memory"
                     : wl[BENCH_WL_FILEIO] ? "fileio"
                                           : NULL;
    if (sb && add_binary(b, "sysbench", "sysbench", sb, err) < 0)
        return -1;
    if (wl[BENCH_WL_NETWORK] && add_binary(b, "iperf3", "iperf3", "network", err) < 0)
        return -1;
    return 0;
}
