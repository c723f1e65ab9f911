/* The runtime's procfs handle (procfs.c) and mounting by fd (mountfd.c)
 * where mounts are in the way: a privileged process gets a private procfs
 * handle; writes reach procfs's own file or are refused whatever is
 * mounted over /proc, with openat2 and with the checks by hand; fds are
 * mounted onto fds, and a mount is found again and checked. Each case runs
 * in a private mount and network namespace (Check forks each test), so
 * nothing of the host is touched. It needs root; elsewhere it exits 77
 * (Automake: SKIP) and says why. */
#include "config.h"
#include "libcontainer/mountfd.h"
#include "libcontainer/procfs.h"
#include "libcontainer/util.h"
#include "skip.h"

#include <check.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

static char tmp[64];

/* A private mount and network namespace with a tmpfs at tmp. */
static void private_ns(void)
{
    ck_assert_int_eq(unshare(CLONE_NEWNS | CLONE_NEWNET), 0);
    ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    snprintf(tmp, sizeof(tmp), "/tmp/check_procfs.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    ck_assert_int_eq(mount("tmpfs", tmp, "tmpfs", 0, "size=1m"), 0);
}

static void cleanup_tmp(void)
{
    umount2(tmp, MNT_DETACH);
    rmdir(tmp);
}

static void put(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write_all(fd, s, strlen(s)), 0);
    close(fd);
}

/* A private namespace (private_ns) with two entries made in tmp, their
 * paths into dir_path and other_path (TMP_PATH bytes each): the directory
 * tmp/dir, and tmp/other, a file holding content or, when content is NULL,
 * a directory too. */
#define TMP_PATH 160
static void private_ns_with(char *dir_path, const char *dir, char *other_path, const char *other,
                            const char *content)
{
    private_ns();
    snprintf(dir_path, TMP_PATH, "%s/%s", tmp, dir);
    snprintf(other_path, TMP_PATH, "%s/%s", tmp, other);
    ck_assert_int_eq(mkdir(dir_path, 0755), 0);
    if (content)
        put(other_path, content);
    else
        ck_assert_int_eq(mkdir(other_path, 0755), 0);
}

static char *slurp(const char *path)
{
    char *s = NULL;
    ck_assert_int_eq(read_file_at(AT_FDCWD, path, &s, NULL, 1 << 16), 0);
    return s;
}

START_TEST(handle_is_private)
{
    struct oci_err err = {0};
    ck_assert_msg(procfs_handle(&err) >= 0, "%s", err.msg);
    ck_assert_int_eq(procfs_handle_kind(), PROCFS_PRIVATE);
}
END_TEST

/* Over this process's oom_score_adj, its own comm (a file of the same
 * procfs instance: only the mount tells them apart); over
 * /proc/sys/net/ipv4 a bait dir (in the test's own namespaces). A private
 * or cloned handle does not see them (the writes reach procfs's files), a
 * plain one refuses to cross them; the baits never change. */
START_TEST(overmounts_avoided_or_refused)
{
    char baitdir[TMP_PATH], oom[64], comm[64], fake[TMP_PATH];
    private_ns_with(baitdir, "ipv4", fake, "ipv4/ip_forward", "fake\n");
    snprintf(oom, sizeof(oom), "/proc/%d/oom_score_adj", (int)getpid());
    snprintf(comm, sizeof(comm), "/proc/%d/comm", (int)getpid());
    ck_assert_int_eq(prctl(PR_SET_NAME, "bait", 0, 0, 0), 0);
    ck_assert_int_eq(mount(comm, oom, NULL, MS_BIND, NULL), 0);
    ck_assert_int_eq(mount(baitdir, "/proc/sys/net/ipv4", NULL, MS_BIND, NULL), 0);
    struct {
        enum procfs_kind kind;
        bool by_hand, refused;
    } cases[] = {{PROCFS_PRIVATE, false, false},
                 {PROCFS_CLONE, false, false},
                 {PROCFS_PLAIN, false, true},
                 {PROCFS_PLAIN, true, true},
                 {PROCFS_CLONE, true, false}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct oci_err err = {0};
        ck_assert_msg(procfs_test_open(cases[i].kind, &err) >= 0, "%s", err.msg);
        procfs_test_by_hand(cases[i].by_hand);
        int r1 = procfs_write(PROCFS_SELF, 0, "oom_score_adj", "234", 3, &err);
        if (cases[i].refused) {
            ck_assert_int_lt(r1, 0);
            ck_assert_int_eq(err.errnum, EXDEV);
            ck_assert_msg(strstr(err.msg, "another mount covers it: refused"), "%s", err.msg);
        } else {
            ck_assert_msg(r1 == 0, "case %zu: %s", i, err.msg);
        }
        err_clear(&err);
        int r2 = procfs_write(PROCFS_ROOT, 0, "sys/net/ipv4/ip_forward", "1", 1, &err);
        ck_assert_msg(cases[i].refused ? r2 < 0 : r2 == 0, "case %zu: %d %s", i, r2, err.msg);
        char *v = slurp(comm), *f = slurp(fake);
        ck_assert_str_eq(v, "bait\n");
        ck_assert_str_eq(f, "fake\n");
        free(v);
        free(f);
    }
    umount2("/proc/sys/net/ipv4", MNT_DETACH);
    umount2(oom, MNT_DETACH);
    char *v = slurp("/proc/sys/net/ipv4/ip_forward"); /* this test's own netns */
    ck_assert_str_eq(v, "1\n");
    free(v);
    cleanup_tmp();
}
END_TEST

START_TEST(mount_fds_onto_fds)
{
    char dir[TMP_PATH], file[TMP_PATH];
    private_ns_with(dir, "d", file, "f", "secret\n");
    for (int k = 0; k < 4; k++) {
        struct oci_err herr = {0};
        ck_assert_msg(procfs_test_open(k < 2 ? PROCFS_PRIVATE : PROCFS_PLAIN, &herr) >= 0, "%s",
                      herr.msg);
        procfs_test_by_hand(k % 2);
        int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int ffd = open(file, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        int null = open("/dev/null", O_PATH | O_CLOEXEC);
        ck_assert(dfd >= 0 && ffd >= 0 && null >= 0);
        ck_assert_int_eq(mountfd_new("tmpfs", "tmpfs", MS_RDONLY, "size=0k", dfd), 0);
        int top = -1;
        ck_assert_int_eq(mountfd_bind(null, NULL, false, ffd, &top), 0);
        ck_assert_int_ge(top, 0);
        struct statfs sf;
        struct stat st;
        ck_assert_int_eq(statfs(dir, &sf), 0);
        ck_assert(sf.f_type == TMPFS_MAGIC && (sf.f_flags & ST_RDONLY));
        ck_assert_int_eq(stat(file, &st), 0);
        ck_assert(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
        /* the new mount's root, remounted through its fd */
        ck_assert_int_eq(mountfd_remount_bind(top, NULL, MS_RDONLY | MS_NOSUID), 0);
        ck_assert_int_eq(statfs(file, &sf), 0);
        ck_assert(sf.f_flags & ST_RDONLY);
        /* reopen an O_PATH fd through the handle: the null device again */
        struct oci_err err = {0};
        int rw = procfs_reopen(null, O_WRONLY, &err);
        ck_assert_msg(rw >= 0, "%s", err.msg);
        ck_assert_int_eq(write(rw, "x", 1), 1);
        close(rw);
        ck_assert_int_eq(umount2(file, MNT_DETACH), 0);
        ck_assert_int_eq(umount2(dir, MNT_DETACH), 0);
        close(top);
        close(null);
        close(ffd);
        close(dfd);
    }
    cleanup_tmp();
}
END_TEST

/* After a mount(2) on a pinned fd: the new mount is found again by its
 * path and checked to be it; a path that leads elsewhere is refused. */
START_TEST(reopen_top_checks_the_mount)
{
    char a[TMP_PATH], c[TMP_PATH];
    private_ns_with(a, "a", c, "c", NULL);
    int root = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int dfd = open(a, O_PATH | O_DIRECTORY | O_CLOEXEC);
    ck_assert(root >= 0 && dfd >= 0);
    ck_assert_int_eq(mountfd_new("tmpfs", "tmpfs", 0, "size=1m", dfd), 0);
    ck_assert_int_eq(mountfd_new("tmpfs", "tmpfs", 0, "size=2m", dfd), 0); /* stacked */
    struct oci_err err = {0};
    int top = mountfd_reopen_top(root, "/a", dfd, &err);
    ck_assert_msg(top >= 0, "%s", err.msg);
    struct statfs sf, want;
    ck_assert_int_eq(fstatfs(top, &sf), 0);
    ck_assert_int_eq(statfs(a, &want), 0);
    ck_assert(sf.f_type == TMPFS_MAGIC && sf.f_blocks == want.f_blocks);
    ck_assert_int_eq(sf.f_blocks * sf.f_bsize, 2 << 20);
    err_clear(&err);
    ck_assert_int_lt(mountfd_reopen_top(root, "/c", dfd, &err), 0);
    ck_assert_msg(strstr(err.msg, "changed during the mount: refused"), "%s", err.msg);
    close(top);
    close(dfd);
    close(root);
    umount2(a, MNT_DETACH);
    umount2(a, MNT_DETACH);
    cleanup_tmp();
}
END_TEST

int main(void)
{
    if (geteuid() != 0)
        return unit_skip("not root (the cases mount in a namespace of their own)");
    Suite *s = suite_create("procfs_mounts");
    TCase *t = tcase_create("procfs_mounts");
    tcase_add_test(t, handle_is_private);
    tcase_add_test(t, overmounts_avoided_or_refused);
    tcase_add_test(t, mount_fds_onto_fds);
    tcase_add_test(t, reopen_top_checks_the_mount);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
