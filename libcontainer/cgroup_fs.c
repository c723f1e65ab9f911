/* The files and directories of cgroup hierarchies, shared by the front end
 * (cgroups.c) and the backends (v1, v2, systemd): reading and writing a
 * controller's files, making and removing a container's directories,
 * joining, and the pids of a cgroup tree. */
#include "config.h"
#include "cgroup_fs.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool cg_v1_hier_has(const struct cg_hier *h, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = h->controllers; (p = strstr(p, name)); p += n)
        if ((p == h->controllers || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

bool cg_v1_has_controller(struct cgroup *cg, const char *name)
{
    for (size_t i = 0; i < cg->n_hier; i++)
        if (cg_v1_hier_has(&cg->hier[i], name))
            return true;
    return false;
}

bool cg_v1_dir(const struct cgroup *cg, const char *ctrl, char *buf, size_t size)
{
    for (size_t i = 0; i < cg->n_hier; i++) {
        if (!cg_v1_hier_has(&cg->hier[i], ctrl))
            continue;
        int n = snprintf(buf, size, "%s%s", cg->hier[i].mnt, cg->path);
        return n > 0 && (size_t)n < size;
    }
    return false;
}

int cg_v1_read(const char *dir, const char *file, char *buf, size_t size)
{
    char path[PATH_MAX_LEN];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = TEMP_FAILURE_RETRY_INT(read(fd, buf, size - 1));
    if (n < 0)
        return -1;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

/* O_APPEND: cgroupfs ignores the file offset, and a plain file (the fake
 * hierarchy of the unit tests) keeps every value written, in order. */
int cg_v1_write(const char *dir, const char *file, const char *val)
{
    char path[PATH_MAX_LEN];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
        return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(val);
    ssize_t w = TEMP_FAILURE_RETRY_INT(write(fd, val, len));
    int saved = errno;
    close(fd);
    if (w < 0)
        return -saved;
    return (size_t)w == len ? 0 : -EIO;
}

void cg2_dir(const struct cgroup *cg, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", cg->v2_mnt, cg->path);
}

int cg2_read(int dfd, const char *file, char *buf, size_t len)
{
    int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, len - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0 || (got += (size_t)n) == len - 1)
            break;
    }
    close(fd);
    buf[got] = '\0';
    return 0;
}

bool cg2_keyed(const char *text, const char *key, uint64_t *out)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(p + kl + 1, &end, 10);
            if (errno || end == p + kl + 1)
                return false;
            *out = v;
            return true;
        }
    }
    return false;
}

bool cg2_word_in(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        p += strspn(p, " \n");
        size_t n = strcspn(p, " \n");
        if (n == wl && !strncmp(p, word, wl))
            return true;
        p += n;
    }
    return false;
}

int cg_write_pid(const char *dir, pid_t pid, struct oci_err *err)
{
    char path[4096], buf[24];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    int len = snprintf(buf, sizeof(buf), "%d", pid);
    if (write_file_at(AT_FDCWD, path, buf, (size_t)len) < 0)
        return err_set(err, errno, "cgroup: add pid %d to %s", pid, dir);
    return 0;
}

static bool blank(const char *s, size_t len)
{
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    return len == 0;
}

/* cpuset directories start empty and refuse tasks: give a new one its
 * parent's cpus and mems. One that was there (made) is given them too
 * where it is still empty: a concurrent create that made it may not have
 * filled it yet, and a child of an empty cpuset stays empty (runc does
 * the same). Racing writers write the same values. 1: it is gone (a
 * delete removed it meanwhile). */
static int cpuset_inherit(const char *dir, bool made, struct oci_err *err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char parent[4096];
    snprintf(parent, sizeof(parent), "%s", dir);
    *strrchr(parent, '/') = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        char p[4200], c[4200];
        snprintf(p, sizeof(p), "%s/%s", parent, files[i]);
        snprintf(c, sizeof(c), "%s/%s", dir, files[i]);
        _cleanup_free_ char *val = NULL;
        size_t len;
        if (!made) {
            _cleanup_free_ char *cur = NULL;
            size_t clen;
            if (read_file_at(AT_FDCWD, c, &cur, &clen, 65536) < 0)
                return errno == ENOENT ? 1 : err_set(err, errno, "cgroup: read %s", c);
            if (!blank(cur, clen))
                continue;
        }
        if (read_file_at(AT_FDCWD, p, &val, &len, 65536) < 0)
            return err_set(err, errno, "cgroup: read %s", p);
        if (len && write_file_at(AT_FDCWD, c, val, len) < 0)
            return err_set(err, errno, "cgroup: write %s", c);
    }
    return 0;
}

int cg_mkdir_path(const char *mnt, const char *path, bool cpuset, struct oci_err *err)
{
    char buf[4096];
    for (int attempt = 0;; attempt++) {
        bool retry = false;
        for (const char *p = path + 1;; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            snprintf(buf, sizeof(buf), "%s%.*s", mnt, (int)(p - path), path);
            if (mkdir(buf, 0755) == 0) {
                if (cpuset && cpuset_inherit(buf, true, err) < 0)
                    return -1;
            } else if (errno == ENOENT && attempt < 5) {
                retry = true; /* a parent was removed under us by a delete */
                break;
            } else if (errno != EEXIST) {
                return err_set(err, errno, "cgroup: mkdir %s", buf);
            } else if (cpuset) {
                int r = cpuset_inherit(buf, false, err);
                if (r < 0)
                    return -1;
                if (r > 0 && attempt < 5) {
                    retry = true;
                    break;
                }
            }
            if (*p == '\0')
                break;
        }
        if (!retry)
            return 0;
    }
}

/* rmdir, waiting briefly while the kernel still holds a dying cgroup or
 * its exiting tasks. */
static int rmdir_wait(const char *dir)
{
    for (int tries = 0; rmdir(dir) < 0; tries++) {
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || tries >= 200)
            return -1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The cgroups a container made below its own, deepest first. */
static int rmdir_children(const char *dir, int depth, struct oci_err *err)
{
    struct stat st;
    if (depth > 32 || stat(dir, &st) < 0 || st.st_nlink <= 2)
        return 0;
    DIR *d = opendir(dir);
    int rc = 0;
    char sub[4096];
    for (struct dirent *e; rc == 0 && d && (e = readdir(d));) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        rc = rmdir_children(sub, depth + 1, err);
        if (rc == 0 && rmdir_wait(sub) < 0)
            rc = err_set(err, errno, "cgroup: remove %s", sub);
    }
    if (d)
        closedir(d);
    return rc;
}

int cg_rmdir_path(const char *mnt, const char *path, const char *top, struct oci_err *err)
{
    char buf[4096];
    size_t top_len = strlen(top);
    snprintf(buf, sizeof(buf), "%s%s", mnt, path);
    size_t mnt_len = strlen(mnt);
    if (rmdir_children(buf, 0, err) < 0)
        return -1;
    for (bool leaf = true;; leaf = false) {
        if (leaf && rmdir_wait(buf) < 0)
            return err_set(err, errno, "cgroup: remove %s", buf);
        if (!leaf && rmdir(buf) < 0 && errno != ENOENT)
            return 0; /* an ancestor still in use by another container */
        char *slash = strrchr(buf + mnt_len, '/');
        if (!slash || strlen(buf + mnt_len) <= top_len)
            return 0;
        *slash = '\0';
        if (strlen(buf + mnt_len) < top_len)
            return 0;
    }
}

static void add_pid(pid_t **pids, size_t *n, size_t *cap, pid_t p)
{
    for (size_t i = 0; i < *n; i++)
        if ((*pids)[i] == p)
            return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *pids = xrealloc(*pids, *cap * sizeof(pid_t));
    }
    (*pids)[(*n)++] = p;
}

/* The pids of dir and of the cgroups below it (a container may make its
 * own: a cgroup namespace, exec --cgroup). A directory's link count tells
 * whether it has any: the common case reads one file. */
static int tree_pids(const char *dir, int depth, pid_t **pids, size_t *n, size_t *cap,
                     struct oci_err *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, path, &data, NULL, 1 << 24) < 0)
        return errno == ENOENT ? 0 : err_set(err, errno, "read %s", path);
    for (char *p = data, *end; *p; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        while (*end == '\n')
            end++;
        add_pid(pids, n, cap, (pid_t)v);
    }
    struct stat st;
    if (depth > 32 || stat(dir, &st) < 0 || st.st_nlink <= 2)
        return 0;
    DIR *d = opendir(dir);
    int rc = 0;
    for (struct dirent *e; rc == 0 && d && (e = readdir(d));)
        if (e->d_type == DT_DIR && e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            rc = tree_pids(path, depth + 1, pids, n, cap, err);
        }
    if (d)
        closedir(d);
    return rc;
}

int cg_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct oci_err *err)
{
    *pids = NULL;
    *n = 0;
    if (cg->mode == CG_DISABLED)
        return 0;
    /* the cgroup2 hierarchy, or the first v1 one, and the v1 freezer's (a
     * process someone moved there is still the container's) */
    char dir[4096];
    size_t cap = 0;
    snprintf(dir, sizeof(dir), "%s%s", cg->v2_mnt ? cg->v2_mnt : cg->hier[0].mnt, cg->path);
    int rc = tree_pids(dir, 0, pids, n, &cap, err);
    if (rc == 0 && cg->mode != CG_UNIFIED && cg_v1_dir(cg, "freezer", dir, sizeof(dir)))
        rc = tree_pids(dir, 0, pids, n, &cap, err);
    return rc;
}
