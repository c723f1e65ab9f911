#include "config.h"
#include "idmap.h"
#include "namespaces.h"
#include "procfs.h"
#include "util.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif

int idmap_write(pid_t pid, const char *file, const struct spec_idmaps *m, struct oci_err *err)
{
    char buf[4096];
    size_t n = 0;
    for (size_t i = 0; i < m->n && n < sizeof(buf) - 40; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%u %u %u\n", m->items[i].container_id,
                              m->items[i].host_id, m->items[i].size);
    return procfs_write(PROCFS_PID, pid, file, buf, n, err);
}

int idmap_userns_fd(const struct spec_idmaps *uids, const struct spec_idmaps *gids,
                    struct oci_err *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return err_set(err, errno, "idmap: pipe");
    pid_t pid = ns_clone3(CLONE_NEWUSER, -1, NULL);
    if (pid == 0) {
        char c;
        close(p[1]);
        /* hold the namespace until the parent opened it */
        if (read(p[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(p[0]);
    int fd = -1;
    if (pid < 0) {
        err_set(err, errno, "idmap: create a user namespace");
    } else if (idmap_write(pid, "uid_map", uids, err) < 0 ||
               idmap_write(pid, "gid_map", gids, err) < 0) {
        err_wrap(err, "idmap: write the mount's maps");
    } else {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            err_set(err, errno, "idmap: open %s", path);
    }
    close(p[1]);
    if (pid > 0)
        TEMP_FAILURE_RETRY_INT(waitpid(pid, NULL, 0));
    return fd;
}

int idmap_make_tree(const struct mount_plan *p, int container_userns_fd, struct oci_err *err)
{
    const struct spec_mount *m = p->m;
    bool recursive = (p->flags & MS_REC) || p->recursive_idmap;
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, p->source,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    if (tree < 0)
        return err_set(err, errno, "mount %s on %s: open_tree", p->source, m->destination);
    int userns = container_userns_fd;
    bool own = m->uid_mappings.n || m->gid_mappings.n;
    if (own && (userns = idmap_userns_fd(&m->uid_mappings, &m->gid_mappings, err)) < 0) {
        close(tree);
        return -1;
    }
    struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
    int r = (int)syscall(SYS_mount_setattr, tree, "",
                         AT_EMPTY_PATH | (p->recursive_idmap ? AT_RECURSIVE : 0), &a, sizeof(a));
    int e = errno;
    if (own)
        close(userns);
    if (r < 0) {
        close(tree);
        return err_set(err, e, "mount %s on %s: idmap", p->source, m->destination);
    }
    return tree;
}
