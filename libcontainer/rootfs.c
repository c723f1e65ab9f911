#include "config.h"
#include "mountinfo.h"
#include "mounts.h"
#include "rootfs.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

unsigned long rootfs_propagation_flag(const char *name)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } t[] = {{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
             {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
             {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
             {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC}};
    for (size_t i = 0; name && i < ARRAY_SIZE(t); i++)
        if (!strcmp(name, t[i].name))
            return t[i].flag;
    return 0;
}

int rootfs_prepare(const struct spec_config *c, const char *rootfs, bool host_ns,
                   struct oci_err *err)
{
    TRACE_BEGIN(span, "rootfs prepare");
    const char *prop = c->linux_ ? c->linux_->rootfs_propagation : NULL;
    unsigned long flag = prop ? rootfs_propagation_flag(prop) | MS_REC : MS_SLAVE | MS_REC;
    /* an unbindable tree could not be bound onto itself: private until the
     * pivot, unbindable after it (rootfs_finalize) */
    if (flag & MS_UNBINDABLE)
        flag = MS_PRIVATE | MS_REC;
    int rc = -1;
    /* in the host's mount namespace, the host's propagation is not ours */
    if (!host_ns && mount(NULL, "/", NULL, flag, NULL) < 0) {
        err_set(err, errno, "make / %s", prop ? prop : "rslave");
        goto out;
    }
    /* pivot_root refuses a new root whose parent mount is shared */
    if (!host_ns && (flag & MS_SHARED) && mountinfo_make_parent_private(rootfs, err) < 0)
        goto out;
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
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
        if (chdir(rootfs) < 0 || mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
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
    } else if (fchdir(oldroot) < 0 || mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
               umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
        /* the old root must not propagate its unmount to the host */
        err_set(err, errno, "pivot_root: detach the old root");
    } else {
        rc = 0;
    }
    TRACE_END_RC(span, rc);
    return rc;
}

/* The file itself must be procfs's, reached without crossing a mount or
 * following a symlink: a bind mount under /proc/sys could otherwise
 * redirect the write to a host file. EXDEV/ELOOP/EPERM name the attempt. */
static int write_sysctl(int dir, const char *rel, const char *value)
{
    struct open_how how = {
        .flags = O_WRONLY | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    int fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof(how));
    if (fd < 0)
        return -1;
    struct statfs st;
    int rc = -1;
    if (fstatfs(fd, &st) < 0)
        goto out;
    if (st.f_type != PROC_SUPER_MAGIC) {
        errno = EXDEV;
        goto out;
    }
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    if (w == (ssize_t)len)
        rc = 0;
    else if (w >= 0)
        errno = EIO;
out:
    if (rc < 0) {
        int e = errno;
        close(fd);
        errno = e;
    } else {
        close(fd);
    }
    return rc;
}

/* /proc/sys is written only when it is a real procfs (an image cannot
 * redirect the writes with a symlink or another mount there). */
int rootfs_sysctl(const struct spec_config *c, struct oci_err *err)
{
    if (!c->linux_ || !c->linux_->sysctl.n)
        return 0;
    TRACE_BEGIN(span, "sysctl");
    int rc = 0;
    _cleanup_close_ int dir = open("/proc/sys", O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct statfs st;
    if (dir < 0 || fstatfs(dir, &st) < 0 || st.f_type != PROC_SUPER_MAGIC) {
        rc = err_set(err, dir < 0 ? errno : 0, "linux.sysctl: /proc/sys is not a procfs");
        goto out;
    }
    for (size_t i = 0; i < c->linux_->sysctl.n; i++) {
        const struct spec_kv *kv = &c->linux_->sysctl.items[i];
        char rel[512];
        snprintf(rel, sizeof(rel), "%s", kv->key);
        for (char *p = rel; *p; p++)
            if (*p == '.')
                *p = '/';
        if (strstr(rel, "..")) {
            rc = err_set(err, 0, "linux.sysctl[\"%s\"]: invalid name", kv->key);
            break;
        }
        if (write_sysctl(dir, rel, kv->value) < 0) {
            rc = err_set(err, errno, "linux.sysctl[\"%s\"] = \"%s\"", kv->key, kv->value);
            break;
        }
    }
out:
    TRACE_END_RC(span, rc);
    return rc;
}

static int readonly_path(const char *path, struct oci_err *err)
{
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, errno, "linux.readonlyPaths: bind %s", path);
    }
    struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &a, sizeof(a)) < 0 &&
        mount_remount_bind(path, MS_RDONLY) < 0)
        return err_set(err, errno, "linux.readonlyPaths: make %s read-only", path);
    return 0;
}

/* /dev/null is the source of masks over files: it must be the null device,
 * not something an image put there. */
static int check_dev_null(struct oci_err *err)
{
    struct stat st;
    if (lstat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return err_set(err, 0,
                       "linux.maskedPaths: /dev/null in the container is not the "
                       "null device");
    return 0;
}

static int masked_path(const char *path, struct oci_err *err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, errno, "linux.maskedPaths: %s", path);
    }
    int r;
    if (S_ISDIR(st.st_mode))
        r = mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k");
    else
        r = mount("/dev/null", path, NULL, MS_BIND, NULL);
    if (r < 0)
        return err_set(err, errno, "linux.maskedPaths: mask %s", path);
    return 0;
}

int rootfs_finalize(const struct spec_config *c, struct oci_err *err)
{
    TRACE_BEGIN(span, "readonly and masked paths");
    int rc = 0;
    const struct spec_linux *l = c->linux_;
    for (size_t i = 0; rc == 0 && l && i < l->readonly_paths.n; i++)
        rc = readonly_path(l->readonly_paths.items[i], err);
    if (rc == 0 && l && l->masked_paths.n)
        rc = check_dev_null(err);
    for (size_t i = 0; rc == 0 && l && i < l->masked_paths.n; i++)
        rc = masked_path(l->masked_paths.items[i], err);
    TRACE_END_RC(span, rc);
    if (rc == 0 && c->root_readonly) {
        TRACE_BEGIN(ro, "root read-only");
        if (mount_remount_bind("/", MS_RDONLY) < 0)
            rc = err_set(err, errno, "root.readonly: remount / read-only");
        TRACE_END_RC(ro, rc);
    }
    unsigned long prop = l ? rootfs_propagation_flag(l->rootfs_propagation) : 0;
    if (rc == 0 && prop && mount(NULL, "/", NULL, prop, NULL) < 0)
        rc = err_set(err, errno, "linux.rootfsPropagation %s", l->rootfs_propagation);
    return rc;
}
