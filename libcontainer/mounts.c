#include "config.h"
#include "mounts.h"
#include "mountfd.h"
#include "pathres.h"
#include "procfs.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* The options that are flags or attributes, sorted by name; looked up with
 * bsearch. The propagation options (private, rshared, ...) are the names
 * of spec_propagations (specs/config.h), the table rootfsPropagation uses.
 *
 * libmount's optmap (mnt_get_builtin_optmap(MNT_LINUX_MAP)) knows every
 * MS_ row here, with the same flags (tests/unit/check_mounts.c checks each
 * row against it), but every container's options are parsed here, and
 * libmount is loaded on first use only (mountinfo.h): through the optmap
 * the "validate and plan" span of `oci-rt run` went from 0.04 to 0.59 ms
 * p50 (max 0.06 -> 2.1 ms; 40 traced runs of each binary, interleaved, on
 * the hybrid test host), half a millisecond on every create for a table
 * of fixed names. The recursive attributes (rro, rnosuid, ratime, ...) and
 * idmap/ridmap are oci-rt's own: libmount has no name for them. */
static const struct mount_opt {
    const char *name;
    unsigned long set, clr;
    uint64_t attr_set, attr_clr;
} mount_opts[] = {
    {"async", 0, MS_SYNCHRONOUS, 0, 0},
    {"atime", 0, MS_NOATIME, 0, 0},
    {"bind", MS_BIND, 0, 0, 0},
    {"defaults", 0, 0, 0, 0},
    {"dev", 0, MS_NODEV, 0, 0},
    {"diratime", 0, MS_NODIRATIME, 0, 0},
    {"dirsync", MS_DIRSYNC, 0, 0, 0},
    {"exec", 0, MS_NOEXEC, 0, 0},
    {"iversion", MS_I_VERSION, 0, 0, 0},
    {"lazytime", MS_LAZYTIME, 0, 0, 0},
    {"loud", 0, MS_SILENT, 0, 0},
    {"mand", MS_MANDLOCK, 0, 0, 0},
    {"noatime", MS_NOATIME, 0, 0, 0},
    {"nodev", MS_NODEV, 0, 0, 0},
    {"nodiratime", MS_NODIRATIME, 0, 0, 0},
    {"noexec", MS_NOEXEC, 0, 0, 0},
    {"noiversion", 0, MS_I_VERSION, 0, 0},
    {"nolazytime", 0, MS_LAZYTIME, 0, 0},
    {"nomand", 0, MS_MANDLOCK, 0, 0},
    {"norelatime", 0, MS_RELATIME, 0, 0},
    {"nostrictatime", 0, MS_STRICTATIME, 0, 0},
    {"nosuid", MS_NOSUID, 0, 0, 0},
    {"nosymfollow", MS_NOSYMFOLLOW, 0, 0, 0},
    {"ratime", 0, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rbind", MS_BIND | MS_REC, 0, 0, 0},
    {"rdev", 0, 0, 0, MOUNT_ATTR_NODEV},
    {"rdiratime", 0, 0, 0, MOUNT_ATTR_NODIRATIME},
    {"relatime", MS_RELATIME, 0, 0, 0},
    {"remount", MS_REMOUNT, 0, 0, 0},
    {"rexec", 0, 0, 0, MOUNT_ATTR_NOEXEC},
    {"rnoatime", 0, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"rnodev", 0, 0, MOUNT_ATTR_NODEV, 0},
    {"rnodiratime", 0, 0, MOUNT_ATTR_NODIRATIME, 0},
    {"rnoexec", 0, 0, MOUNT_ATTR_NOEXEC, 0},
    {"rnorelatime", 0, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", 0, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnosuid", 0, 0, MOUNT_ATTR_NOSUID, 0},
    {"rnosymfollow", 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"ro", MS_RDONLY, 0, 0, 0},
    {"rrelatime", 0, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rro", 0, 0, MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, 0, 0, MOUNT_ATTR_RDONLY},
    {"rstrictatime", 0, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rsuid", 0, 0, 0, MOUNT_ATTR_NOSUID},
    {"rsymfollow", 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"rw", 0, MS_RDONLY, 0, 0},
    {"silent", MS_SILENT, 0, 0, 0},
    {"strictatime", MS_STRICTATIME, 0, 0, 0},
    {"suid", 0, MS_NOSUID, 0, 0},
    {"symfollow", 0, MS_NOSYMFOLLOW, 0, 0},
    {"sync", MS_SYNCHRONOUS, 0, 0, 0},
};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t mount_option_names(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(mount_opts) && n < max; i++)
        out[n++] = mount_opts[i].name;
    for (const struct spec_propagation *p = spec_propagations; p->name && n < max; p++)
        out[n++] = p->name;
    static const char *const extra[] = {"idmap", "ridmap"};
    for (size_t i = 0; i < ARRAY_SIZE(extra) && n < max; i++)
        out[n++] = extra[i];
    qsort(out, n, sizeof(*out), name_cmp);
    return n;
}

static int opt_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct mount_opt *)elem)->name);
}

bool mount_option_lookup(const char *opt, unsigned long *set, unsigned long *clr,
                         unsigned long *prop, uint64_t *attr_set, uint64_t *attr_clr)
{
    const struct mount_opt *o =
        bsearch(opt, mount_opts, ARRAY_SIZE(mount_opts), sizeof(*o), opt_cmp);
    if (!o) {
        unsigned long p = spec_propagation_flags(opt);
        if (p)
            *prop = p;
        return p != 0;
    }
    *set |= o->set;
    *set &= ~o->clr;
    *clr |= o->clr;
    if (o->attr_clr == MOUNT_ATTR__ATIME) {
        /* an atime mode: the kernel wants the whole atime field cleared and
         * one mode set (relatime is 0) */
        *attr_set = (*attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | o->attr_set;
        *attr_clr |= MOUNT_ATTR__ATIME;
        return true;
    }
    *attr_set = (*attr_set | o->attr_set) & ~o->attr_clr;
    *attr_clr = (*attr_clr | o->attr_clr) & ~o->attr_set;
    return true;
}

static void append_data(char **data, const char *opt)
{
    if (!*data) {
        *data = xstrdup(opt);
        return;
    }
    size_t a = strlen(*data), b = strlen(opt);
    *data = xrealloc(*data, a + b + 2);
    (*data)[a] = ',';
    memcpy(*data + a + 1, opt, b + 1);
}

static int plan_one(const struct spec_mount *m, const char *bundle, size_t idx,
                    struct mount_plan *p, struct oci_err *err)
{
    memset(p, 0, sizeof(*p));
    p->m = m;
    p->tree_fd = -1;
    unsigned long clr = 0;
    for (size_t i = 0; i < m->options.n; i++) {
        const char *o = m->options.items[i];
        if (!strcmp(o, "idmap") || !strcmp(o, "ridmap")) {
            p->idmap = true;
            p->recursive_idmap = o[0] == 'r';
        } else if (!strcmp(o, "tmpcopyup")) {
            /* runc's tmpfs copy-up is an extension oci-rt does not need */
        } else if (!mount_option_lookup(o, &p->flags, &clr, &p->prop, &p->attr_set, &p->attr_clr)) {
            append_data(&p->data, o);
        }
    }
    const char *type = m->type ? m->type : "";
    if (!strcmp(type, "bind") || !strcmp(type, "rbind")) {
        p->flags |= MS_BIND;
        if (type[0] == 'r')
            p->flags |= MS_REC;
    }
    p->bind = (p->flags & MS_BIND) != 0;
    if (m->uid_mappings.n || m->gid_mappings.n)
        p->idmap = true;
    if (p->idmap && !p->bind)
        return err_set(err, 0, "mounts[%zu] (%s): idmap is for bind mounts", idx, m->destination);
    if (p->bind) {
        if (!m->source || !*m->source)
            return err_set(err, 0, "mounts[%zu] (%s): a bind mount needs a source", idx,
                           m->destination);
        if (m->source[0] == '/')
            p->source = xstrdup(m->source);
        else
            xasprintf(&p->source, "%s/%s", bundle, m->source);
        struct stat st;
        if (stat(p->source, &st) < 0)
            return err_set(err, errno, "mounts[%zu]: bind source %s", idx, p->source);
        p->src_is_file = !S_ISDIR(st.st_mode);
    } else {
        p->source = xstrdup(m->source && *m->source ? m->source : type);
        if (!*type)
            return err_set(err, 0, "mounts[%zu] (%s): a mount that is not a bind needs a type", idx,
                           m->destination);
    }
    return 0;
}

int mounts_plan(const struct spec_config *c, const char *bundle, struct mount_plan **out, size_t *n,
                struct oci_err *err)
{
    struct mount_plan *p = xzalloc(sizeof(*p) * (c->n_mounts ? c->n_mounts : 1));
    for (size_t i = 0; i < c->n_mounts; i++) {
        if (plan_one(&c->mounts[i], bundle, i, &p[i], err) < 0) {
            mounts_plan_free(p, i + 1);
            return -1;
        }
    }
    *out = p;
    *n = c->n_mounts;
    return 0;
}

bool mounts_need_idmap(const struct mount_plan *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].idmap)
            return true;
    return false;
}

int mounts_plan_more(const struct spec_config *c, const char *bundle, struct mount_plan **p,
                     size_t *n, struct oci_err *err)
{
    *p = xrealloc(*p, sizeof(**p) * (c->n_mounts ? c->n_mounts : 1));
    for (size_t i = 0; i < *n; i++)
        (*p)[i].m = &c->mounts[i]; /* the list may have moved */
    while (*n < c->n_mounts) {
        size_t i = (*n)++; /* freed with the rest, planned or not */
        if (plan_one(&c->mounts[i], bundle, i, &(*p)[i], err) < 0)
            return -1;
    }
    return 0;
}

void mounts_plan_free(struct mount_plan *p, size_t n)
{
    if (!p)
        return;
    for (size_t i = 0; i < n; i++) {
        if (p[i].tree_fd >= 0)
            close(p[i].tree_fd);
        free(p[i].source);
        free(p[i].data);
    }
    free(p);
}

/* ---- applying, in the init ---- */

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *a)
{
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, a, sizeof(*a));
}

static const char *cg_subdir(const struct cg_hier *h)
{
    const char *s = strrchr(h->mnt, '/');
    return s ? s + 1 : h->mnt;
}

/* One cgroup hierarchy below /sys/fs/cgroup: its own mount in a cgroup
 * namespace, else a bind of the container's cgroup directory. (basefd is
 * a directory of the tmpfs just made, which only this process sees.) */
static int mount_cg_hier(struct mount_env *env, int basefd, const char *name, const char *fstype,
                         const char *data, const char *hostdir, unsigned long flags,
                         struct oci_err *err)
{
    char what[128];
    snprintf(what, sizeof(what), "cgroup mount %s", name);
    if (mkdirat(basefd, name, 0755) < 0 && errno != EEXIST)
        return err_set(err, errno, "%s: mkdir", what);
    _cleanup_close_ int fd = openat(basefd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno, "%s", what);
    if (env->cgroupns)
        return mountfd_new(fstype, fstype, flags, data, fd) < 0 ? err_set(err, errno, "%s", what)
                                                                : 0;
    _cleanup_close_ int top = -1;
    if (mountfd_bind(-1, hostdir, true, fd, &top) < 0)
        return err_set(err, errno, "%s", what);
    if (top < 0) /* no fd on the new mount: the name leads to it */
        top = openat(basefd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (top < 0 || mountfd_remount_bind(top, NULL, flags) < 0)
        return err_set(err, errno, "%s", what);
    return 0;
}

/* cgroup v2: its own mount in a cgroup namespace, else a bind of the
 * container's cgroup (remounted with the entry's flags). */
static int mount_cgroup2(struct mount_env *env, struct mount_plan *p, int dfd, unsigned long flags,
                         struct oci_err *err)
{
    const struct cgroup *cg = env->cg;
    const char *dest = p->m->destination;
    if (env->cgroupns || !cg || cg->mode == CG_DISABLED)
        return mountfd_new("cgroup2", "cgroup2", flags, NULL, dfd) < 0
                   ? err_set(err, errno, "mount cgroup2 on %s", dest)
                   : 0;
    char host[4096];
    snprintf(host, sizeof(host), "%s%s", cg->v2_mnt, cg->path);
    _cleanup_close_ int top = -1;
    if (mountfd_bind(-1, host, true, dfd, &top) < 0)
        return err_set(err, errno, "bind cgroup %s on %s", host, dest);
    if (top < 0 && (top = mountfd_reopen_top(env->rootfd, dest, dfd, err)) < 0)
        return -1;
    if (mountfd_remount_bind(top, NULL, flags) < 0)
        return err_set(err, errno, "remount cgroup on %s", dest);
    return 0;
}

static int mount_cgroup(struct mount_env *env, struct mount_plan *p, int dfd, struct oci_err *err)
{
    const struct cgroup *cg = env->cg;
    const char *dest = p->m->destination;
    char host[4096];
    unsigned long flags = (p->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC) & ~MS_BIND & ~MS_REC;
    if (!cg || cg->mode == CG_DISABLED || cg->mode == CG_UNIFIED)
        return mount_cgroup2(env, p, dfd, flags, err);
    /* v1 and hybrid: a tmpfs holding one directory per hierarchy */
    _cleanup_close_ int base = -1;
    if (mountfd_new_top("tmpfs", "tmpfs", flags & ~MS_RDONLY, "mode", "755", dfd, &base) < 0) {
        if (errno != ENOSYS && errno != EPERM && errno != EOPNOTSUPP)
            return err_set(err, errno, "mount tmpfs for cgroups on %s", dest);
        if (mountfd_new("tmpfs", "tmpfs", flags & ~MS_RDONLY, "mode=755", dfd) < 0)
            return err_set(err, errno, "mount tmpfs for cgroups on %s", dest);
        if ((base = mountfd_reopen_top(env->rootfd, dest, dfd, err)) < 0)
            return -1;
    }
    _cleanup_close_ int basedir = openat(base, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (basedir < 0)
        return err_set(err, errno, "open %s", dest);
    for (size_t i = 0; i < cg->n_hier; i++) {
        const struct cg_hier *h = &cg->hier[i];
        char data[300];
        if (!strncmp(h->controllers, "name=", 5))
            snprintf(data, sizeof(data), "none,%s", h->controllers);
        else
            snprintf(data, sizeof(data), "%s", h->controllers);
        snprintf(host, sizeof(host), "%s%s", h->mnt, cg->path);
        if (mount_cg_hier(env, basedir, cg_subdir(h), "cgroup", data, host, flags, err) < 0)
            return -1;
    }
    if (cg->mode == CG_HYBRID) {
        snprintf(host, sizeof(host), "%s%s", cg->v2_mnt, cg->path);
        if (mount_cg_hier(env, basedir, "unified", "cgroup2", NULL, host, flags, err) < 0)
            return -1;
    }
    if ((p->flags & MS_RDONLY) &&
        procfs_mount(-1, NULL, base, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) < 0)
        return err_set(err, errno, "remount %s read-only", dest);
    return 0;
}

/* After the first mount: the bind remount with the entry's flags, the
 * propagation and the recursive attributes, all on the new mount's root:
 * top, or (when the kernel gave no fd on it) the mount found again and
 * checked to be the one just made on dfd. */
static int finish_mount(struct mount_env *env, struct mount_plan *p, int top, int dfd,
                        unsigned long remount, struct oci_err *err)
{
    const char *dest = p->m->destination;
    _cleanup_close_ int found = -1;
    if (top < 0 && (top = found = mountfd_reopen_top(env->rootfd, dest, dfd, err)) < 0)
        return -1;
    if (remount && mountfd_remount_bind(top, NULL, remount) < 0)
        return err_set(err, errno, "mount %s: remount with its options", dest);
    if (p->prop && procfs_mount(-1, NULL, top, NULL, p->prop, NULL) < 0)
        return err_set(err, errno, "mount %s: set propagation", dest);
    if (p->attr_set || p->attr_clr) {
        struct mount_attr a = {.attr_set = p->attr_set, .attr_clr = p->attr_clr};
        if (sys_mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
            return err_set(err, errno, "mount %s: recursive options", dest);
    }
    return 0;
}

/* A mount that is not a bind: mount(2) on dfd. In a user namespace that
 * may not mount sysfs or mqueue, the host's is bound instead (top: it). */
static int mount_fs(struct mount_env *env, struct mount_plan *p, int dfd, int *top,
                    unsigned long *remount, struct oci_err *err)
{
    const struct spec_mount *m = p->m;
    const char *type = m->type ? m->type : "";
    unsigned long flags = p->flags & ~MS_REMOUNT;
    if (!strcmp(m->destination, "/dev") && (flags & MS_RDONLY)) {
        flags &= ~MS_RDONLY; /* devices are made in it first */
        env->dev_ro = true;
    }
    int r = mountfd_new(p->source, type, flags, p->data, dfd);
    if (r < 0 && errno == EINVAL && env->userns && p->data && strstr(p->data, "gid=")) {
        /* devpts gid=5 when gid 5 is not mapped: mount without it */
        r = mountfd_new(p->source, type, flags, NULL, dfd);
    }
    const char *host = !strcmp(type, "sysfs")    ? "/sys"
                       : !strcmp(type, "mqueue") ? "/dev/mqueue"
                                                 : NULL;
    if (r < 0 && errno == EPERM && env->userns && host) {
        /* a user namespace without its own network (sysfs) or ipc
         * (mqueue) namespace may not mount them: bind the host's */
        r = mountfd_bind(-1, host, true, dfd, top);
        if (r == 0) {
            *remount = flags & ~(MS_BIND | MS_REC);
            if (flags & MS_RDONLY) /* the host's submounts too */
                p->attr_set |= MOUNT_ATTR_RDONLY;
        }
    }
    if (r < 0)
        return err_set(err, errno, "mount %s (%s) on %s", p->source, type, m->destination);
    return 0;
}

static int mount_one(struct mount_env *env, struct mount_plan *p, struct oci_err *err)
{
    const struct spec_mount *m = p->m;
    enum path_create how = p->src_is_file ? PATH_CREATE_FILE : PATH_CREATE_DIR;
    _cleanup_close_ int dfd = path_open_in_root(env->rootfd, m->destination, how, "mount", err);
    if (dfd < 0)
        return -1;
    /* checked on the fd the mount goes onto: no path is resolved again */
    if (mountfd_check_target(m->destination, dfd, false, "mount", err) < 0)
        return -1;
    const char *type = m->type ? m->type : "";
    unsigned long remount = 0;
    _cleanup_close_ int top = -1; /* the new mount's root, when known */
    if (!strcmp(type, "cgroup") || !strcmp(type, "cgroup2"))
        return mount_cgroup(env, p, dfd, err);
    if (p->idmap) {
        if (p->tree_fd < 0)
            return err_set(err, 0, "mount %s on %s: no idmapped tree", p->source, m->destination);
        top = TAKE_FD(p->tree_fd);
        if (syscall(SYS_move_mount, top, "", dfd, "",
                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return err_set(err, errno, "mount %s on %s (idmapped)", p->source, m->destination);
        remount = p->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    } else if (p->bind) {
        if (mountfd_bind(-1, p->source, (p->flags & MS_REC) != 0, dfd, &top) < 0)
            return err_set(err, errno, "mount %s on %s", p->source, m->destination);
        if (!strcmp(m->destination, "/dev"))
            env->dev_bound = true;
        remount = p->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    } else if (mount_fs(env, p, dfd, &top, &remount, err) < 0) {
        return -1;
    }
    if (remount || p->prop || p->attr_set || p->attr_clr)
        return finish_mount(env, p, top, dfd, remount, err);
    return 0;
}

int mounts_apply(struct mount_env *env, struct mount_plan *p, size_t n, struct oci_err *err)
{
    for (size_t i = 0; i < n; i++) {
        TRACE_BEGINF(span, "mount %s", p[i].m->destination);
        int rc = mount_one(env, &p[i], err);
        TRACE_END_RC(span, rc);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int mount_id_of(const char *path, uint64_t *id)
{
    struct statx stx;
    if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx) < 0)
        return -1;
    if (!(stx.stx_mask & STATX_MNT_ID)) {
        errno = ENOSYS;
        return -1;
    }
    *id = stx.stx_mnt_id;
    return 0;
}

int mount_unstack(const char *path, uint64_t before)
{
    for (int i = 0; i < 64; i++) {
        uint64_t id;
        if (mount_id_of(path, &id) < 0)
            return errno == ENOENT ? 0 : -1;
        if (id == before)
            return 0;
        if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
            return -1;
    }
    errno = EBUSY;
    return -1;
}
