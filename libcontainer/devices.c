#include "config.h"
#include "devices.h"
#include "pathres.h"
#include "procfs.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

static const struct {
    const char *name;
    unsigned major, minor;
} default_devices[] = {
    {"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
    const char *target, *name;
} default_links[] = {
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
};

/* The directory nodes are made in (resolved in the rootfs, where a symlink
 * of the image or a bind may lead it): never procfs or sysfs, whose files a
 * node, a bind or a chmod must not reach. */
static int check_dir(int dirfd, const char *what, const char *path, struct oci_err *err)
{
    struct statfs sf;
    if (fstatfs(dirfd, &sf) < 0)
        return err_set(err, errno, "%s %s", what, path);
    if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)
        return err_set(err, 0, "%s %s: the directory resolves into %s: refused", what, path,
                       sf.f_type == PROC_SUPER_MAGIC ? "procfs" : "sysfs");
    return 0;
}

/* A bind of the host's node onto an empty file: works in a user namespace.
 * The target is named by fd through the runtime's procfs (procfs_mount). */
static int bind_host_node(int devfd, const char *name, const char *host, struct oci_err *err)
{
    int fd = openat(devfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(err, errno, "device /dev/%s: create bind target", name);
    close(fd);
    _cleanup_close_ int pfd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0)
        return err_set(err, errno, "device /dev/%s", name);
    if (procfs_mount(-1, host, pfd, NULL, MS_BIND, NULL) < 0)
        return err_set(err, errno, "device /dev/%s: bind %s", name, host);
    return 0;
}

static int make_node(int devfd, const char *name, mode_t type, mode_t perm, dev_t dev, bool userns,
                     struct oci_err *err)
{
    if (!userns) {
        if (mknodat(devfd, name, type | perm, dev) == 0)
            return 0;
        if (errno == EEXIST) {
            struct stat st;
            if (fstatat(devfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                (st.st_mode & S_IFMT) == type && st.st_rdev == dev)
                return 0;
            unlinkat(devfd, name, 0);
            if (mknodat(devfd, name, type | perm, dev) == 0)
                return 0;
        }
        if (errno != EPERM)
            return err_set(err, errno, "device /dev/%s: mknod", name);
    }
    char host[300];
    snprintf(host, sizeof(host), "/dev/%s", name);
    return bind_host_node(devfd, name, host, err);
}

static bool config_has_device(const struct spec_config *c, const char *path)
{
    if (!c->linux_)
        return false;
    for (size_t i = 0; i < c->linux_->n_devices; i++)
        if (!strcmp(c->linux_->devices[i].path, path))
            return true;
    return false;
}

static int config_device(int rootfd, const struct spec_device *d, bool userns, struct oci_err *err)
{
    mode_t type = d->type[0] == 'b' ? S_IFBLK : d->type[0] == 'p' ? S_IFIFO : S_IFCHR;
    mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
    /* "/dev/x/" is /dev/x, as a cleaned path is to runc */
    size_t len = strlen(d->path);
    while (len > 1 && d->path[len - 1] == '/')
        len--;
    _cleanup_free_ char *path = xstrndup(d->path, len);
    const char *slash = strrchr(path, '/');
    if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, ".."))
        return err_set(err, 0, "linux.devices %s: not the path of a device node", d->path);
    _cleanup_free_ char *dir = xstrndup(path, (size_t)(slash - path));
    _cleanup_close_ int dfd =
        path_open_in_root(rootfd, *dir ? dir : "/", PATH_CREATE_DIR, "device", err);
    if (dfd < 0 || check_dir(dfd, "linux.devices", d->path, err) < 0)
        return -1;
    const char *name = slash + 1;
    dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
    if (type == S_IFIFO) {
        if (mknodat(dfd, name, S_IFIFO | perm, 0) < 0 && errno != EEXIST)
            return err_set(err, errno, "linux.devices %s: mkfifo", d->path);
    } else if (userns) {
        if (bind_host_node(dfd, name, path, err) < 0)
            return -1;
    } else {
        unlinkat(dfd, name, 0);
        if (mknodat(dfd, name, type | perm, dev) < 0)
            return err_set(err, errno, "linux.devices %s: mknod", d->path);
    }
    if (!userns) {
        /* never through a symlink: one swapped in for the node would lead, before
         * the pivot, to a host file */
        if (fchmodat(dfd, name, perm, AT_SYMLINK_NOFOLLOW) < 0)
            return errno == EOPNOTSUPP
                       ? err_set(err, 0, "linux.devices %s: replaced by a symbolic link: refused",
                                 d->path)
                       : err_set(err, errno, "linux.devices %s: chmod", d->path);
        if ((d->has_uid || d->has_gid) &&
            fchownat(dfd, name, d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1,
                     AT_SYMLINK_NOFOLLOW) < 0)
            return err_set(err, errno, "linux.devices %s: chown", d->path);
    }
    return 0;
}

int devices_setup(int rootfd, const struct spec_config *c, bool userns, bool dev_bound,
                  bool terminal, struct oci_err *err)
{
    TRACE_BEGIN(span, "devices");
    int rc = 0;
    if (!dev_bound) {
        _cleanup_close_ int devfd =
            path_open_in_root(rootfd, "/dev", PATH_CREATE_DIR, "mount", err);
        if (devfd < 0 || check_dir(devfd, "devices", "/dev", err) < 0) {
            TRACE_END_RC(span, -1);
            return -1;
        }
        char path[64];
        for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(default_devices); i++) {
            snprintf(path, sizeof(path), "/dev/%s", default_devices[i].name);
            if (config_has_device(c, path))
                continue;
            rc =
                make_node(devfd, default_devices[i].name, S_IFCHR, 0666,
                          makedev(default_devices[i].major, default_devices[i].minor), userns, err);
        }
        for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(default_links); i++)
            if (symlinkat(default_links[i].target, devfd, default_links[i].name) < 0 &&
                errno != EEXIST)
                rc = err_set(err, errno, "symlink /dev/%s", default_links[i].name);
        if (rc == 0 && access("/proc/kcore", F_OK) == 0 &&
            symlinkat("/proc/kcore", devfd, "core") < 0 && errno != EEXIST)
            rc = err_set(err, errno, "symlink /dev/core");
        if (rc == 0) {
            /* /dev/ptmx is the devpts instance's */
            unlinkat(devfd, "ptmx", 0);
            if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
                rc = err_set(err, errno, "symlink /dev/ptmx");
        }
        if (rc == 0 && terminal) {
            /* the bind target for the console pty */
            int fd = openat(devfd, "console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd >= 0)
                close(fd);
        }
    }
    for (size_t i = 0; rc == 0 && c->linux_ && i < c->linux_->n_devices; i++)
        rc = config_device(rootfd, &c->linux_->devices[i], userns, err);
    TRACE_END_RC(span, rc);
    return rc;
}
