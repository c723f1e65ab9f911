#include "config.h"
#include "pathres.h"
#include "util.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* The next component of *rest (slashes skipped) into comp; false at the end. */
static bool next_component(const char **rest, char *comp, size_t len)
{
    const char *p = *rest + strspn(*rest, "/");
    size_t n = strcspn(p, "/");
    if (!n)
        return false;
    if (n >= len)
        n = len - 1;
    memcpy(comp, p, n);
    comp[n] = '\0';
    *rest = p + strcspn(p, "/");
    return true;
}

/* Open the symlink-free relative path res one component at a time, each
 * O_NOFOLLOW: a symlink swapped in meanwhile fails the walk (ELOOP). */
static int open_walk(int rootfd, const char *res, int flags)
{
    int dir = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    const char *rest = res;
    char comp[256];
    while (dir >= 0 && next_component(&rest, comp, sizeof(comp))) {
        bool last = !*(rest + strspn(rest, "/"));
        int fd = openat(dir, comp, (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(dir);
        errno = e;
        dir = fd;
        if (last)
            return fd;
    }
    if (dir >= 0 && !(flags & O_PATH)) { /* the root itself, opened as asked */
        int fd = openat(dir, ".", flags | O_CLOEXEC);
        close(dir);
        return fd;
    }
    return dir;
}

/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) by hand, for kernels
 * before 5.6 and emulators (valgrind) without it: symlinks are read and
 * resolved against the root, ".." stops at it, and the result is opened a
 * component at a time without following anything. */
static int openat2_by_hand(int rootfd, const char *path, int flags, bool no_symlinks)
{
    char res[4096] = "", rest_buf[8192], comp[256];
    snprintf(rest_buf, sizeof(rest_buf), "%s", path);
    const char *rest = rest_buf;
    for (int links = 0; next_component(&rest, comp, sizeof(comp));) {
        if (!strcmp(comp, "."))
            continue;
        if (!strcmp(comp, "..")) {
            char *slash = strrchr(res, '/');
            *(slash ? slash : res) = '\0';
            continue;
        }
        char cand[4096];
        if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", res, comp) >= sizeof(cand)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open_walk(rootfd, cand, O_PATH);
        if (fd < 0)
            return -1;
        struct stat st;
        bool link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
        bool last = !*(rest + strspn(rest, "/"));
        if (!link || (last && (flags & O_NOFOLLOW))) {
            close(fd);
            snprintf(res, sizeof(res), "%s", cand);
            continue;
        }
        char target[4096];
        ssize_t n =
            no_symlinks || ++links > 40 ? -1 : readlinkat(fd, "", target, sizeof(target) - 1);
        close(fd);
        if (n < 0) {
            errno = ELOOP;
            return -1;
        }
        target[n] = '\0';
        char next[8192];
        snprintf(next, sizeof(next), "%s/%s", target, rest);
        snprintf(rest_buf, sizeof(rest_buf), "%s", next);
        rest = rest_buf;
        if (target[0] == '/')
            res[0] = '\0';
    }
    return open_walk(rootfd, res, flags);
}

int path_openat2(int rootfd, const char *path, int flags, bool no_symlinks)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve =
            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0),
    };
    /* EAGAIN: a rename or a mount raced the walk, which the kernel cannot
     * then vouch for; the walk is simply made again */
    int fd, tries = 0;
    do
        fd = (int)TEMP_FAILURE_RETRY_INT(syscall(SYS_openat2, rootfd, path, &how, sizeof(how)));
    while (fd < 0 && errno == EAGAIN && ++tries < 1000);
    if (fd < 0 && errno == ENOSYS)
        return openat2_by_hand(rootfd, path, flags, no_symlinks);
    return fd;
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
    return path_openat2(rootfd, path, flags, false);
}

const char *path_fd(int fd, char buf[static 32])
{
    snprintf(buf, 32, "/proc/self/fd/%d", fd);
    return buf;
}

/* Walk the components, creating what is missing; every prefix is resolved
 * again from the root so symlinks made by the image stay inside it. */
static int create_components(int rootfd, const char *path, enum path_create create,
                             const char *what, struct oci_err *err)
{
    char prefix[4096];
    size_t len = strlen(path);
    if (len >= sizeof(prefix))
        return err_set(err, ENAMETOOLONG, "%s %s", what, path);
    int parent = openat2_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
    if (parent < 0)
        return err_set(err, errno, "%s: open rootfs", what);
    size_t i = 0;
    while (i < len) {
        while (i < len && path[i] == '/')
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && path[i] != '/')
            i++;
        bool last = path[i] == '\0' || path[i + strspn(path + i, "/")] == '\0';
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        int fd = openat2_in_root(rootfd, prefix, O_PATH);
        if (fd < 0 && errno == ENOENT) {
            char comp[256];
            size_t cl = i - start;
            if (cl >= sizeof(comp)) {
                close(parent);
                return err_set(err, ENAMETOOLONG, "%s %s", what, path);
            }
            memcpy(comp, path + start, cl);
            comp[cl] = '\0';
            int r;
            if (last && create == PATH_CREATE_FILE) {
                r = openat(parent, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                           0644);
                if (r >= 0)
                    close(r);
            } else {
                r = mkdirat(parent, comp, 0755);
            }
            if (r < 0 && errno != EEXIST) {
                close(parent);
                return err_set(err, errno, "%s %s: create %s", what, path, prefix);
            }
            fd = openat2_in_root(rootfd, prefix, O_PATH);
        }
        if (fd < 0) {
            int e = errno;
            close(parent);
            return err_set(err, e, "%s %s: resolve %s in the rootfs", what, path, prefix);
        }
        close(parent);
        parent = fd;
    }
    return parent;
}

int path_open_in_root(int rootfd, const char *path, enum path_create create, const char *what,
                      struct oci_err *err)
{
    int fd = openat2_in_root(rootfd, path, O_PATH);
    if (fd >= 0)
        return fd;
    if (errno != ENOENT || create == PATH_NO_CREATE)
        return err_set(err, errno, "%s %s", what, path);
    return create_components(rootfd, path, create, what, err);
}
