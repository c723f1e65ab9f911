#include "config.h"
#include "mountfd.h"
#include "mountinfo.h"
#include "pathres.h"
#include "procfs.h"
#include "util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif

/* mount(2) on the mount root fd is open on, else on the path target. */
static int mount_on(int fd, const char *target, unsigned long flags)
{
    if (fd >= 0)
        return procfs_mount(-1, NULL, fd, NULL, flags, NULL);
    return mount(NULL, target, "", flags, NULL);
}

/* A bind mount takes its flags only on a remount; keep the flags the kernel
 * locks (a mount from a more privileged namespace) or the remount fails. */
int mountfd_remount_bind(int fd, const char *target, unsigned long flags)
{
    unsigned long keep = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_NOATIME | MS_NODIRATIME |
                         MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW;
    if (mount_on(fd, target, MS_REMOUNT | MS_BIND | (flags & keep)) == 0)
        return 0;
    if (errno != EPERM)
        return -1;
    struct statvfs sv;
    if ((fd >= 0 ? fstatvfs(fd, &sv) : statvfs(target, &sv)) < 0)
        return -1;
    unsigned long locked = 0;
    if (sv.f_flag & ST_NOSUID)
        locked |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        locked |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        locked |= MS_NOEXEC;
    if (sv.f_flag & ST_RDONLY)
        locked |= MS_RDONLY;
    return mount_on(fd, target, MS_REMOUNT | MS_BIND | (flags & keep) | locked);
}

int mountfd_bind(int src_fd, const char *src, bool recursive, int dst_fd, int *top)
{
    *top = -1;
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) |
                     (src_fd >= 0 ? AT_EMPTY_PATH : 0);
    int tree =
        (int)syscall(SYS_open_tree, src_fd >= 0 ? src_fd : AT_FDCWD, src_fd >= 0 ? "" : src, flags);
    if (tree < 0) {
        if (errno != ENOSYS && errno != EPERM)
            return -1;
        /* a kernel (or a seccomp filter) without the new mount API */
        unsigned long mf = MS_BIND | (recursive ? MS_REC : 0);
        return procfs_mount(src_fd, src, dst_fd, NULL, mf, NULL);
    }
    if (syscall(SYS_move_mount, tree, "", dst_fd, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        int e = errno;
        close(tree);
        errno = e;
        return -1;
    }
    *top = tree; /* now the root of the attached mount */
    return 0;
}

int mountfd_new(const char *src, const char *type, unsigned long flags, const void *data,
                int dst_fd)
{
    return procfs_mount(-1, src, dst_fd, type, flags, data);
}

/* The mount flags that are mount attributes (the others belong to the
 * superblock: no detached mount for them here). */
static bool flags_to_attrs(unsigned long flags, uint64_t *attrs)
{
    static const struct {
        unsigned long flag;
        uint64_t attr;
    } t[] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},     {MS_NOSUID, MOUNT_ATTR_NOSUID},
             {MS_NODEV, MOUNT_ATTR_NODEV},       {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
             {MS_NOATIME, MOUNT_ATTR_NOATIME},   {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
             {MS_RELATIME, MOUNT_ATTR_RELATIME}, {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME}};
    *attrs = 0;
    for (size_t i = 0; i < ARRAY_SIZE(t); i++)
        if (flags & t[i].flag) {
            *attrs |= t[i].attr;
            flags &= ~t[i].flag;
        }
    return flags == 0;
}

int mountfd_new_top(const char *src, const char *type, unsigned long flags, const char *key,
                    const char *value, int dst_fd, int *top)
{
    uint64_t attrs;
    *top = -1;
    if (!flags_to_attrs(flags, &attrs)) {
        errno = EOPNOTSUPP;
        return -1;
    }
    _cleanup_close_ int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
    if (fs < 0)
        return -1;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", src, 0) < 0 ||
        (key && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0) < 0) ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -1;
    int m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
    if (m < 0)
        return -1;
    if (syscall(SYS_move_mount, m, "", dst_fd, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        int e = errno;
        close(m);
        errno = e;
        return -1;
    }
    *top = m;
    return 0;
}

/* The filesystem a config path names by its place, "." and ".." taken
 * lexically: procfs below /proc, sysfs below /sys, else none (0). */
static long named_fs(const char *path)
{
    char first[8] = "";
    int depth = 0;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (!n)
            break;
        if (n == 2 && !strncmp(p, "..", 2))
            depth = depth > 0 ? depth - 1 : 0;
        else if (!(n == 1 && *p == '.') && depth++ == 0)
            snprintf(first, sizeof(first), "%.*s", (int)(n < 7 ? n : 7), p);
        p += n;
    }
    if (depth == 0)
        return 0;
    if (!strcmp(first, "proc"))
        return PROC_SUPER_MAGIC;
    if (!strcmp(first, "sys"))
        return SYSFS_MAGIC;
    return 0;
}

static const char *fs_name(long type)
{
    return type == PROC_SUPER_MAGIC ? "procfs" : "sysfs";
}

int mountfd_check_target(const char *path, int fd, bool exact, const char *what,
                         struct oci_err *err)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return err_set(err, errno, "%s %s", what, path);
    long named = named_fs(path), type = (long)sf.f_type;
    if ((type == PROC_SUPER_MAGIC || type == SYSFS_MAGIC) && type != named)
        return err_set(err, 0, "%s %s: resolves into %s, which the path does not name: refused",
                       what, path, fs_name(type));
    if (exact && named && type != named)
        return err_set(err, 0, "%s %s: not on %s: refused", what, path, fs_name(named));
    return 0;
}

/* The mounts on one mount point: their ids and their parents' ids. */
struct on_point {
    const char *where;
    long id[64], parent[64];
    size_t n;
};

static int collect_on_point(const struct mountinfo_mount *m, void *arg)
{
    struct on_point *o = arg;
    if (strcmp(m->target, o->where))
        return 0;
    o->id[o->n] = m->id;
    o->parent[o->n] = m->parent_id;
    return ++o->n == ARRAY_SIZE(o->id); /* full: stop */
}

/* The topmost mount on where above the mount below: the mount whose
 * parent is below and mount point is where, then the ones stacked on it
 * (each mounted on the one before, at the same place). -1: none. */
static long top_mount_id(char *info, const char *where, long below)
{
    struct on_point o = {.where = where};
    mountinfo_parse(info, collect_on_point, &o);
    long cur = below;
    for (size_t step = 0; step <= o.n; step++) {
        size_t i = 0;
        while (i < o.n && (o.parent[i] != cur || o.id[i] == cur))
            i++;
        if (i == o.n)
            break;
        cur = o.id[i];
    }
    return cur == below ? -1 : cur;
}

int mountfd_reopen_top(int rootfd, const char *dest, int dfd, struct oci_err *err)
{
    char rel[32], where[PATH_MAX_LEN];
    snprintf(rel, sizeof(rel), "fd/%d", dfd);
    _cleanup_close_ int link = procfs_open(PROCFS_SELF, 0, rel, O_PATH | O_NOFOLLOW, err);
    if (link < 0)
        return err_wrap(err, "mount %s", dest);
    ssize_t n = readlinkat(link, "", where, sizeof(where) - 1);
    if (n <= 0)
        return err_set(err, errno, "mount %s: where is it", dest);
    where[n] = '\0';
    _cleanup_free_ char *info = NULL;
    uint64_t below = 0, id = 0;
    if (procfs_fd_mount_id(dfd, &below, err) < 0 ||
        procfs_read(PROCFS_SELF, 0, "mountinfo", &info, 64 << 20, err) < 0)
        return err_wrap(err, "mount %s", dest);
    long want = top_mount_id(info, where, (long)below);
    int fd = path_open_in_root(rootfd, dest, PATH_NO_CREATE, "mount", err);
    if (fd < 0)
        return -1;
    if (procfs_fd_mount_id(fd, &id, err) < 0) {
        close(fd);
        return err_wrap(err, "mount %s", dest);
    }
    if (want < 0 || (uint64_t)want != id) {
        close(fd);
        return err_set(err, 0, "mount %s: the destination changed during the mount: refused", dest);
    }
    return fd;
}
