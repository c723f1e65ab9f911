/* Mount options (libcontainer/mounts.c): names to flags, attributes and
 * propagation; the mount table (mountinfo.c): fields of each mount, the
 * same as libmount's table API reads, and the cgroup v1 hierarchies found
 * in it (cgroups.c). Fixtures in $srcdir/tests/unit/data/. Root-only cases
 * work in a private mount namespace (Check forks each test). */
#include "config.h"
#include "libcontainer/cgroups.h"
#include "libcontainer/mountinfo.h"
#include "libcontainer/mounts.h"
#include "libcontainer/util.h"
#include "specs/spec_config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <libmount/libmount.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

struct lookup {
    bool found;
    unsigned long set, clr, prop;
    uint64_t attr_set, attr_clr;
};

static struct lookup lookup(const char *opt)
{
    struct lookup l = {0};
    l.found = mount_option_lookup(opt, &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr);
    return l;
}

/* The propagation options are the names of the one propagation table
 * (spec_propagations): each sets only the propagation, with the table's
 * flags, and `features` lists each. */
START_TEST(propagation_options)
{
    const char *names[128];
    size_t n = mount_option_names(names, ARRAY_SIZE(names));
    size_t seen = 0;
    for (const struct spec_propagation *p = spec_propagations; p->name; p++, seen++) {
        struct lookup l = lookup(p->name);
        ck_assert_msg(l.found, "%s", p->name);
        ck_assert_uint_eq(l.prop, p->flags);
        ck_assert(!l.set && !l.clr && !l.attr_set && !l.attr_clr);
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            listed |= !strcmp(names[i], p->name);
        ck_assert_msg(listed, "features does not list %s", p->name);
    }
    ck_assert_uint_eq(seen, 8);
    ck_assert_uint_eq(lookup("rshared").prop, MS_SHARED | MS_REC);
    ck_assert_uint_eq(lookup("unbindable").prop, MS_UNBINDABLE);
    /* the last propagation option wins; other options leave it alone */
    struct lookup l = {0};
    ck_assert(mount_option_lookup("rslave", &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr));
    ck_assert(mount_option_lookup("private", &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr));
    ck_assert(mount_option_lookup("nosuid", &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr));
    ck_assert_uint_eq(l.prop, MS_PRIVATE);
    ck_assert_uint_eq(l.set, MS_NOSUID);
    /* data, not a flag */
    ck_assert(!lookup("mode=755").found);
    ck_assert(!lookup("rshare").found);
}
END_TEST

/* The names `features` reports: sorted, no name twice. */
START_TEST(option_names_sorted_unique)
{
    const char *names[128];
    size_t n = mount_option_names(names, ARRAY_SIZE(names));
    ck_assert_uint_gt(n, 50);
    ck_assert_uint_lt(n, ARRAY_SIZE(names));
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(strcmp(names[i - 1], names[i]) < 0, "%s, %s", names[i - 1], names[i]);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(lookup(names[i]).found || !strcmp(names[i], "idmap") ||
                          !strcmp(names[i], "ridmap"),
                      "%s is listed but not known", names[i]);
}
END_TEST

/* libmount's optmap gives the same answer for every name both know: each
 * option of its Linux map is oci-rt's, with the same flag set or cleared
 * (or the same propagation); the names it lacks are oci-rt's recursive
 * attributes, idmap and ridmap. "defaults" is in its userspace map, with
 * no flag. */
START_TEST(options_agree_with_libmount_optmap)
{
    size_t seen = 0;
    for (const struct libmnt_optmap *o = mnt_get_builtin_optmap(MNT_LINUX_MAP); o->name; o++) {
        struct lookup l = lookup(o->name);
        ck_assert_msg(l.found, "libmount knows %s, oci-rt does not", o->name);
        ck_assert_msg(!l.attr_set && !l.attr_clr, "%s", o->name);
        unsigned long flag = (unsigned long)o->id;
        if (spec_propagation_flags(o->name)) {
            ck_assert_msg(l.prop == flag && !l.set && !l.clr, "%s: %#lx, libmount %#lx", o->name,
                          l.prop, flag);
        } else if (o->mask & MNT_INVERT) {
            ck_assert_msg(l.clr == flag && !l.set && !l.prop, "%s: clears %#lx, libmount %#lx",
                          o->name, l.clr, flag);
        } else {
            ck_assert_msg(l.set == flag && !l.clr && !l.prop, "%s: sets %#lx, libmount %#lx",
                          o->name, l.set, flag);
        }
        seen++;
    }
    ck_assert_uint_ge(seen, 40);
    const struct libmnt_optmap *u = mnt_get_builtin_optmap(MNT_USERSPACE_MAP);
    while (u->name && strcmp(u->name, "defaults"))
        u++;
    ck_assert_ptr_nonnull(u->name);
    struct lookup d = lookup("defaults");
    ck_assert(d.found && u->id == 0 && !d.set && !d.clr && !d.prop && !d.attr_set);
    /* every name of oci-rt's that libmount lacks is oci-rt's own kind */
    const char *names[128];
    size_t n = mount_option_names(names, ARRAY_SIZE(names));
    for (size_t i = 0; i < n; i++) {
        bool in_map = false;
        for (const struct libmnt_optmap *o = mnt_get_builtin_optmap(MNT_LINUX_MAP); o->name; o++)
            in_map |= !strcmp(o->name, names[i]);
        if (in_map || !strcmp(names[i], "defaults"))
            continue;
        struct lookup l = lookup(names[i]);
        bool attr = l.found && !l.set && !l.clr && !l.prop && (l.attr_set || l.attr_clr);
        ck_assert_msg(attr || !strcmp(names[i], "idmap") || !strcmp(names[i], "ridmap"),
                      "%s: not in libmount's map and not a recursive attribute", names[i]);
    }
}
END_TEST

/* ---- the mount table ---- */

static const char *fixture(const char *name)
{
    static char path[4096];
    const char *dir = getenv("srcdir");
    snprintf(path, sizeof(path), "%s/tests/unit/data/%s", dir && *dir ? dir : ".", name);
    return path;
}

struct row {
    int id, parent;
    char *root, *target, *fstype, *source, *vfs, *fs;
};

struct rows {
    struct row r[512];
    size_t n, stop_at;
};

static int collect(const struct mountinfo_mount *m, void *arg)
{
    struct rows *t = arg;
    ck_assert_uint_lt(t->n, ARRAY_SIZE(t->r));
    t->r[t->n++] = (struct row){m->id,
                                m->parent_id,
                                xstrdup(m->root),
                                xstrdup(m->target),
                                xstrdup(m->fstype),
                                xstrdup(m->source),
                                xstrdup(m->vfs_options),
                                xstrdup(m->fs_options)};
    return t->stop_at && t->n == t->stop_at ? 7 : 0;
}

START_TEST(mountinfo_fields)
{
    static struct rows t;
    struct oci_err err = {0};
    ck_assert_int_eq(mountinfo_each(fixture("mountinfo-hybrid.txt"), collect, &t, &err), 0);
    ck_assert_uint_eq(t.n, 12);
    const struct row *r = &t.r[3]; /* one optional field */
    ck_assert_int_eq(r->id, 32);
    ck_assert_int_eq(r->parent, 31);
    ck_assert_str_eq(r->root, "/");
    ck_assert_str_eq(r->target, "/sys/fs/cgroup/cpu,cpuacct");
    ck_assert_str_eq(r->vfs, "rw,nosuid,nodev,noexec,relatime");
    ck_assert_str_eq(r->fstype, "cgroup");
    ck_assert_str_eq(r->source, "cgroup");
    ck_assert_str_eq(r->fs, "rw,cpu,cpuacct");
    r = &t.r[4]; /* two */
    ck_assert_str_eq(r->fstype, "cgroup");
    ck_assert_str_eq(r->fs, "rw,cpuset,clone_children");
    r = &t.r[8]; /* escapes */
    ck_assert_str_eq(r->root, "/srv/my data");
    ck_assert_str_eq(r->target, "/mnt/with space\ttab\\back");
    ck_assert_str_eq(r->fstype, "ext4");
    ck_assert_str_eq(r->source, "/dev/vda");
    r = &t.r[10]; /* stacked on the one before */
    ck_assert_int_eq(r->parent, t.r[9].id);
    ck_assert_str_eq(r->target, t.r[9].target);
    ck_assert_str_eq(r->fs, "rw,size=2048k");
    /* the callback stops the walk with its own value */
    static struct rows u = {.stop_at = 3};
    ck_assert_int_eq(mountinfo_each(fixture("mountinfo-hybrid.txt"), collect, &u, &err), 7);
    ck_assert_uint_eq(u.n, 3);
    ck_assert_int_eq(mountinfo_each("/nonexistent/mountinfo", collect, &u, &err), -1);
    ck_assert_int_eq(err.errnum, ENOENT);
    ck_assert_str_eq(err.msg, "read /nonexistent/mountinfo: no such file or directory");
}
END_TEST

START_TEST(mountinfo_skips_other_lines)
{
    char text[] = "garbage\n"
                  "1 2\n"
                  "\n"
                  "x 27 0:21 / /p rw - proc proc rw\n"
                  "22 27 0:21 / /q rw shared:1 proc proc rw\n"
                  "22 27 0:21 / /proc rw - proc proc rw\n"
                  "23 27 0:22 / /sys rw - sysfs sysfs";
    static struct rows t;
    ck_assert_int_eq(mountinfo_parse(text, collect, &t), 0);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_str_eq(t.r[0].target, "/proc");
}
END_TEST

/* libmount's table API is the reference: every field of every mount is
 * what mnt_table_next_fs gives, in the same order, for the fixture and for
 * a copy of this process's own table. */
static void compare_with_libmount(const char *file)
{
    static struct rows t;
    memset(&t, 0, sizeof(t));
    struct oci_err err = {0};
    ck_assert_int_eq(mountinfo_each(file, collect, &t, &err), 0);
    struct libmnt_table *tb = mnt_new_table_from_file(file);
    ck_assert_ptr_nonnull(tb);
    struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
    struct libmnt_fs *fs;
    size_t i = 0;
#define SAME(ours, lm)                                                                             \
    ck_assert_msg(!strcmp(ours, (lm) ? (lm) : ""), "%s line %zu: %s: \"%s\", libmount \"%s\"",     \
                  file, i + 1, #lm, ours, (lm) ? (lm) : "(null)")
    for (; mnt_table_next_fs(tb, it, &fs) == 0; i++) {
        ck_assert_uint_lt(i, t.n);
        const struct row *r = &t.r[i];
        ck_assert_int_eq(r->id, mnt_fs_get_id(fs));
        ck_assert_int_eq(r->parent, mnt_fs_get_parent_id(fs));
        SAME(r->root, mnt_fs_get_root(fs));
        SAME(r->target, mnt_fs_get_target(fs));
        SAME(r->fstype, mnt_fs_get_fstype(fs));
        SAME(r->source, mnt_fs_get_source(fs));
        SAME(r->vfs, mnt_fs_get_vfs_options(fs));
        SAME(r->fs, mnt_fs_get_fs_options(fs));
    }
#undef SAME
    ck_assert_uint_eq(i, t.n);
    mnt_free_iter(it);
    mnt_unref_table(tb);
}

START_TEST(mountinfo_agrees_with_libmount)
{
    compare_with_libmount(fixture("mountinfo-hybrid.txt"));
    /* this process's table, copied once (other processes mount meanwhile) */
    char copy[] = "/tmp/check_mounts.XXXXXX";
    int fd = mkstemp(copy);
    ck_assert_int_ge(fd, 0);
    _cleanup_free_ char *text = NULL;
    size_t len;
    ck_assert_int_eq(read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, &len, 64 << 20), 0);
    ck_assert_int_eq(write_all(fd, text, len), 0);
    close(fd);
    compare_with_libmount(copy);
    unlink(copy);
}
END_TEST

/* The mount point holding a path, oci-rt's own search against libmount's
 * mnt_table_find_mountpoint, for paths on this host and under a mount made
 * for the test on top of another (the later mount is the one that holds). */
static bool same_mountpoint(const char *path)
{
    struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
    struct libmnt_fs *fs = tb ? mnt_table_find_mountpoint(tb, path, MNT_ITER_BACKWARD) : NULL;
    _cleanup_free_ char *ours = NULL;
    struct oci_err err = {0};
    int rc = mountinfo_mountpoint_of(path, &ours, &err);
    bool same = fs && rc == 0 && !strcmp(ours, mnt_fs_get_target(fs));
    if (!same)
        fprintf(stderr, "%s: \"%s\" (%s), libmount \"%s\"\n", path, ours ? ours : "",
                rc < 0 ? err.msg : "ok", fs ? mnt_fs_get_target(fs) : "(none)");
    mnt_unref_table(tb);
    return same;
}

START_TEST(mountpoint_agrees_with_libmount)
{
    const char *paths[] = {"/",         "/proc", "/proc/self/fd", "/sys/fs/cgroup",
                           "/dev/null", "/tmp",  "/usr/bin",      "/var/tmp"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        ck_assert_msg(same_mountpoint(paths[i]), "%s (see stderr)", paths[i]);
    if (geteuid() != 0)
        return;
    /* in a private mount namespace: two tmpfs on one directory, a path
     * below them, and a sibling whose name begins with the directory's
     * ("/tmp/x" is no mount point of "/tmp/xy") */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char d[] = "/tmp/check_mounts_mp.XXXXXX";
        char sub[64], sib[64];
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            !mkdtemp(d))
            _exit(77);
        snprintf(sub, sizeof(sub), "%s/sub", d);
        snprintf(sib, sizeof(sib), "%sy", d);
        int rc = mkdir(sib, 0700) < 0 || mount("t1", d, "tmpfs", 0, NULL) < 0 ||
                         mount("t2", d, "tmpfs", 0, NULL) < 0 || mkdir(sub, 0700) < 0
                     ? 2
                 : same_mountpoint(d) && same_mountpoint(sub) && same_mountpoint(sib) ? 0
                                                                                      : 1;
        umount2(d, MNT_DETACH);
        umount2(d, MNT_DETACH);
        rmdir(sib);
        rmdir(d);
        _exit(rc);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 77),
                  "child status %#x (1: a path differs, see stderr; 2: set-up failed)", st);
}
END_TEST

/* The cgroup v1 hierarchies cgroup_init finds are the v1 mounts below
 * /sys/fs/cgroup, as statfs sees them (none on a cgroup v2 host). */
START_TEST(cgroup_hierarchies_of_this_host)
{
    struct cgroup cg;
    struct oci_err err = {0};
    ck_assert_msg(cgroup_init(&cg, (enum cg_mode) - 1, "/x", NULL, &err) == 0, "%s", err.msg);
    size_t want = 0;
    DIR *d = opendir("/sys/fs/cgroup");
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[512];
        struct stat st;
        struct statfs sf;
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", e->d_name);
        if (e->d_name[0] == '.' || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) ||
            statfs(path, &sf) < 0 || sf.f_type != CGROUP_SUPER_MAGIC)
            continue;
        want++;
        bool found = false;
        for (size_t i = 0; i < cg.n_hier; i++)
            found |= !strcmp(cg.hier[i].mnt, path) && cg.hier[i].controllers[0];
        ck_assert_msg(found, "%s is not among the hierarchies found", path);
    }
    if (d)
        closedir(d);
    ck_assert_uint_eq(cg.n_hier, want);
    ck_assert(cg.mode == (want ? CG_HYBRID : CG_UNIFIED) || cg.mode == CG_LEGACY);
    for (size_t i = 0; i < cg.n_hier; i++)
        if (!strcmp(cg.hier[i].mnt, "/sys/fs/cgroup/memory"))
            ck_assert_str_eq(cg.hier[i].controllers, "memory");
    cgroup_release(&cg);
}
END_TEST

/* In a private mount namespace: a hybrid layout whose v1 hierarchy's mount
 * point has a space. The host's pids hierarchy is mounted again there (the
 * same hierarchy; nothing of the host changes), and a v1 mount outside
 * /sys/fs/cgroup is not a hierarchy of the layout. */
START_TEST(cgroup_hierarchy_escaped_mount_point)
{
    ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    /* this namespace's copies of the host's cgroup mounts go (a mount only
     * covered would still be in the table) */
    while (umount2("/sys/fs/cgroup", MNT_DETACH) == 0)
        ;
    ck_assert_int_eq(mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0, "mode=755"), 0);
    ck_assert_int_eq(mkdir("/sys/fs/cgroup/p ids", 0755), 0);
    ck_assert_int_eq(mkdir("/sys/fs/cgroup/unified", 0755), 0);
    ck_assert_int_eq(mount("cgroup", "/sys/fs/cgroup/p ids", "cgroup", MS_NOSUID, "pids"), 0);
    ck_assert_int_eq(mount("cgroup2", "/sys/fs/cgroup/unified", "cgroup2", 0, NULL), 0);
    /* on a tmpfs of this namespace: nothing is left on the host's /tmp */
    ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", 0, "size=64k"), 0);
    ck_assert_int_eq(mkdir("/tmp/elsewhere", 0755), 0);
    ck_assert_int_eq(mount("cgroup", "/tmp/elsewhere", "cgroup", 0, "pids"), 0);
    struct cgroup cg;
    struct oci_err err = {0};
    ck_assert_msg(cgroup_init(&cg, (enum cg_mode) - 1, "/x", NULL, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(cg.mode, CG_HYBRID);
    ck_assert_uint_eq(cg.n_hier, 1);
    ck_assert_str_eq(cg.hier[0].mnt, "/sys/fs/cgroup/p ids");
    ck_assert_str_eq(cg.hier[0].controllers, "pids");
    cgroup_release(&cg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mounts");
    TCase *t = tcase_create("options");
    tcase_add_test(t, propagation_options);
    tcase_add_test(t, option_names_sorted_unique);
    tcase_add_test(t, options_agree_with_libmount_optmap);
    suite_add_tcase(s, t);
    TCase *mi = tcase_create("mountinfo");
    tcase_add_test(mi, mountinfo_fields);
    tcase_add_test(mi, mountinfo_skips_other_lines);
    tcase_add_test(mi, mountinfo_agrees_with_libmount);
    tcase_add_test(mi, mountpoint_agrees_with_libmount);
    tcase_add_test(mi, cgroup_hierarchies_of_this_host);
    struct statfs sf;
    if (geteuid() != 0)
        fprintf(stderr, "SKIP cgroup_hierarchy_escaped_mount_point: not root\n");
    else if (statfs("/sys/fs/cgroup/pids", &sf) < 0 || sf.f_type != CGROUP_SUPER_MAGIC)
        fprintf(stderr, "SKIP cgroup_hierarchy_escaped_mount_point: no cgroup v1 pids "
                        "hierarchy at /sys/fs/cgroup/pids to mount again\n");
    else
        tcase_add_test(mi, cgroup_hierarchy_escaped_mount_point);
    suite_add_tcase(s, mi);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
