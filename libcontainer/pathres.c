#include "config.h"
#include "pathres.h"
#include "util.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

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
