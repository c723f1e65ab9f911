#include "config.h"
#include "mountfd.h"
#include "mountinfo.h"
#include "mounts.h"
#include "pathres.h"
#include "procfs.h"
#include "rootfs.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

int rootfs_prepare(const struct spec_config *c, const char *rootfs, bool host_ns,
                   struct oci_err *err)
{
    TRACE_BEGIN(span, "rootfs prepare");
    const char *prop = c->linux_ ? c->linux_->rootfs_propagation : NULL;
    unsigned long flag = prop ? spec_propagation_flags(prop) | MS_REC : MS_SLAVE | MS_REC;
    /* an unbindable tree could not be bound onto itself: private until the
     * pivot, unbindable after it (rootfs_finalize) */
    if (flag & MS_UNBINDABLE)
        flag = MS_PRIVATE | MS_REC;
    int rc = -1;
    /* in the host's mount namespace, the host's propagation is not ours */
    if (!host_ns && mount(NULL, "/", "", flag, NULL) < 0) {
        err_set(err, errno, "make / %s", prop ? prop : "rslave");
        goto out;
    }
    /* pivot_root refuses a new root whose parent mount is shared */
    if (!host_ns && (flag & MS_SHARED) && mountinfo_make_parent_private(rootfs, err) < 0)
        goto out;
    if (mount(rootfs, rootfs, "", MS_BIND | MS_REC, NULL) < 0) {
        err_set(err, errno, "root.path %s: bind on itself", rootfs);
        goto out;
    }
    rc = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rc < 0)
        err_set(err, errno, "root.path %s", rootfs);
out:
    TRACE_END_RC(span, rc);
    return rc;
}

int rootfs_pivot(const char *rootfs, bool no_pivot, bool host_ns, struct oci_err *err)
{
    if (host_ns) {
        /* no mount namespace: the root is changed for this process only */
        TRACE_BEGIN(span, "chroot");
        int rc = chroot(rootfs) < 0 || chdir("/") < 0 ? -1 : 0;
        if (rc < 0)
            err_set(err, errno, "chroot %s", rootfs);
        TRACE_END_RC(span, rc);
        return rc;
    }
    TRACE_BEGIN(span, no_pivot ? "move root (no pivot)" : "pivot_root");
    int rc = -1;
    if (no_pivot) {
        if (chdir(rootfs) < 0 || mount(rootfs, "/", "", MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
            chdir("/") < 0)
            err_set(err, errno, "move the root to %s", rootfs);
        else
            rc = 0;
        TRACE_END_RC(span, rc);
        return rc;
    }
    _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
    _cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_PATH | O_CLOEXEC);
    if (oldroot < 0 || newroot < 0 || fchdir(newroot) < 0) {
        err_set(err, errno, "pivot_root: open %s", rootfs);
    } else if (syscall(SYS_pivot_root, ".", ".") < 0) {
        err_set(err, errno, "pivot_root %s", rootfs);
    } else if (fchdir(oldroot) < 0 || mount(NULL, ".", "", MS_SLAVE | MS_REC, NULL) < 0 ||
               umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
        /* the old root must not propagate its unmount to the host */
        err_set(err, errno, "pivot_root: detach the old root");
    } else {
        rc = 0;
    }
    TRACE_END_RC(span, rc);
    return rc;
}

/* The container's /proc/sys must be a real procfs (an image or a config
 * that puts something else there gets a clear error, as before); the
 * values are written through the runtime's own procfs handle, which no
 * mount of the container covers. */
int rootfs_sysctl(const struct spec_config *c, struct oci_err *err)
{
    if (!c->linux_ || !c->linux_->sysctl.n)
        return 0;
    TRACE_BEGIN(span, "sysctl");
    int rc = 0;
    _cleanup_close_ int dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct statfs st;
    if (dir < 0 || fstatfs(dir, &st) < 0 || st.f_type != PROC_SUPER_MAGIC) {
        rc = err_set(err, dir < 0 ? errno : 0, "linux.sysctl: /proc/sys is not a procfs");
        goto out;
    }
    for (size_t i = 0; i < c->linux_->sysctl.n; i++) {
        const struct spec_kv *kv = &c->linux_->sysctl.items[i];
        char rel[512];
        snprintf(rel, sizeof(rel), "sys/%s", kv->key);
        for (char *p = rel + 4; *p; p++)
            if (*p == '.')
                *p = '/';
        if (strstr(rel, "..")) {
            rc = err_set(err, 0, "linux.sysctl[\"%s\"]: invalid name", kv->key);
            break;
        }
        if (procfs_write(PROCFS_ROOT, 0, rel, kv->value, strlen(kv->value), err) < 0) {
            rc = err_wrap(err, "linux.sysctl[\"%s\"] = \"%s\"", kv->key, kv->value);
            break;
        }
    }
out:
    TRACE_END_RC(span, rc);
    return rc;
}

/* A masked or read-only path, in the container's root: reached without
 * any symlink (a symlink as the last component is refused, never
 * followed), and on procfs or sysfs where the path says so. Returns 1
 * with *fd open on it, 0 when the path does not exist (nothing to do),
 * -1 with err set. */
static int open_target(int root, const char *path, const char *what, int *fd, struct oci_err *err)
{
    *fd = path_openat2(root, path, O_PATH | O_NOFOLLOW, true);
    if (*fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP)
            return err_set(err, 0, "%s: %s is reached through a symbolic link: refused", what,
                           path);
        return err_set(err, errno, "%s: %s", what, path);
    }
    struct stat st;
    int rc = 1;
    if (fstat(*fd, &st) < 0)
        rc = err_set(err, errno, "%s: %s", what, path);
    else if (S_ISLNK(st.st_mode))
        rc = err_set(err, 0, "%s: %s is a symbolic link: refused", what, path);
    else if (mountfd_check_target(path, *fd, true, what, err) < 0)
        rc = -1;
    if (rc < 0) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

/* A recursive bind of the path on itself, made read-only: on the fd that
 * was checked, and the attributes on the new mount's own root. */
static int readonly_path(int root, const char *path, struct oci_err *err)
{
    _cleanup_close_ int fd = -1, top = -1;
    int found = open_target(root, path, "linux.readonlyPaths", &fd, err);
    if (found <= 0)
        return found;
    if (mountfd_bind(fd, NULL, true, fd, &top) < 0)
        return err_set(err, errno, "linux.readonlyPaths: bind %s", path);
    if (top < 0 && (top = mountfd_reopen_top(root, path, fd, err)) < 0)
        return err_wrap(err, "linux.readonlyPaths");
    struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (syscall(SYS_mount_setattr, top, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0 &&
        mountfd_remount_bind(top, NULL, MS_RDONLY) < 0)
        return err_set(err, errno, "linux.readonlyPaths: make %s read-only", path);
    return 0;
}

/* /dev/null is the source of the masks over files: opened once, not
 * through a symlink as its last component, and it must be the null
 * device itself. The masks are made from this fd, so swapping the name
 * afterwards changes nothing (the CVE-2025-31133 class). */
static int open_dev_null(int root, struct oci_err *err)
{
    int fd = path_openat2(root, "/dev/null", O_PATH | O_NOFOLLOW, false);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
        if (fd >= 0)
            close(fd);
        return err_set(err, 0,
                       "linux.maskedPaths: /dev/null in the container is not the "
                       "null device");
    }
    return fd;
}

/* A file is covered by a bind of the pinned null device, a directory by
 * an empty read-only tmpfs; both onto the checked fd. */
static int masked_path(int root, int devnull, const char *path, struct oci_err *err)
{
    _cleanup_close_ int fd = -1, top = -1;
    int found = open_target(root, path, "linux.maskedPaths", &fd, err);
    if (found <= 0)
        return found;
    struct stat st;
    int r;
    if (fstat(fd, &st) < 0)
        r = -1;
    else if (S_ISDIR(st.st_mode))
        r = mountfd_new("tmpfs", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k",
                        fd);
    else
        r = mountfd_bind(devnull, NULL, false, fd, &top);
    if (r < 0)
        return err_set(err, errno, "linux.maskedPaths: mask %s", path);
    return 0;
}

static bool listed_before(const struct spec_strv *v, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(v->items[k], v->items[i]))
            return true;
    return false;
}

static int readonly_and_masked(const struct spec_linux *l, struct oci_err *err)
{
    if (!l || (!l->readonly_paths.n && !l->masked_paths.n))
        return 0;
    /* after the pivot "/" is the container's root: every path is taken in it */
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_set(err, errno, "open the container's root");
    for (size_t i = 0; i < l->readonly_paths.n; i++)
        if (readonly_path(root, l->readonly_paths.items[i], err) < 0)
            return -1;
    if (!l->masked_paths.n)
        return 0;
    _cleanup_close_ int devnull = open_dev_null(root, err);
    if (devnull < 0)
        return -1;
    for (size_t i = 0; i < l->masked_paths.n; i++)
        if (!listed_before(&l->masked_paths, i) &&
            masked_path(root, devnull, l->masked_paths.items[i], err) < 0)
            return -1;
    return 0;
}

int rootfs_finalize(const struct spec_config *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "readonly and masked paths");
    const struct spec_linux *l = c->linux_;
    int rc = readonly_and_masked(l, err);
    TRACE_END_RC(span, rc);
    if (rc == 0 && c->root_readonly) {
        TRACE_BEGIN(ro, "root read-only");
        if (mountfd_remount_bind(-1, "/", MS_RDONLY) < 0)
            rc = err_set(err, errno, "root.readonly: remount / read-only");
        TRACE_END_RC(ro, rc);
    }
    unsigned long prop = l ? spec_propagation_flags(l->rootfs_propagation) : 0;
    if (rc == 0 && prop && mount(NULL, "/", "", prop, NULL) < 0)
        rc = err_set(err, errno, "linux.rootfsPropagation %s", l->rootfs_propagation);
    return rc;
}
