/* The runtime's procfs handle (procfs.c) and the target rules of mounting
 * by fd (mountfd.c): writes and reads reach procfs's own files, symlinks
 * and ".." are refused, with openat2 and with the checks by hand; the
 * target rules of /proc and /sys. What needs root (mounts over /proc,
 * fds mounted onto fds): check_procfs_mounts.c. */
#include "config.h"
#include "libcontainer/mountfd.h"
#include "libcontainer/procfs.h"
#include "libcontainer/util.h"

#include <check.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

static char *slurp(const char *path)
{
    char *s = NULL;
    ck_assert_int_eq(read_file_at(AT_FDCWD, path, &s, NULL, 1 << 16), 0);
    return s;
}

START_TEST(handle_is_a_procfs_root)
{
    struct oci_err err = {0};
    int fd = procfs_handle(&err);
    ck_assert_msg(fd >= 0, "%s", err.msg);
    struct statfs sf;
    struct stat st;
    ck_assert_int_eq(fstatfs(fd, &sf), 0);
    ck_assert(sf.f_type == PROC_SUPER_MAGIC);
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq(st.st_ino, 1);
    ck_assert_int_eq(procfs_handle(&err), fd); /* opened once */
}
END_TEST

START_TEST(write_and_read_self)
{
    struct oci_err err = {0};
    procfs_test_by_hand(_i == 1);
    ck_assert_msg(procfs_write(PROCFS_SELF, 0, "oom_score_adj", "123", 3, &err) == 0, "%s",
                  err.msg);
    char *v = NULL;
    ck_assert_msg(procfs_read(PROCFS_THREAD_SELF, 0, "oom_score_adj", &v, 64, &err) == 0, "%s",
                  err.msg);
    ck_assert_str_eq(v, "123\n");
    free(v);
    v = slurp("/proc/self/oom_score_adj");
    ck_assert_str_eq(v, "123\n");
    free(v);
    ck_assert_msg(procfs_read(PROCFS_PID, getpid(), "oom_score_adj", &v, 64, &err) == 0, "%s",
                  err.msg);
    ck_assert_str_eq(v, "123\n");
    free(v);
}
END_TEST

START_TEST(symlinks_and_dotdot_refused)
{
    procfs_test_by_hand(_i == 1);
    static const char *const links[] = {"self/status", "mounts", "thread-self/stat"};
    for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
        struct oci_err err = {0};
        ck_assert_int_lt(procfs_open(PROCFS_ROOT, 0, links[i], O_RDONLY, &err), 0);
        ck_assert_int_eq(err.errnum, ELOOP);
        ck_assert_msg(strstr(err.msg, "symbolic link: refused"), "%s", err.msg);
    }
    struct oci_err err = {0};
    ck_assert_int_lt(procfs_open(PROCFS_ROOT, 0, "../etc/passwd", O_RDONLY, &err), 0);
    ck_assert_int_eq(err.errnum, EXDEV);
    err_clear(&err);
    ck_assert_int_lt(procfs_open(PROCFS_SELF, 0, "/etc/passwd", O_RDONLY, &err), 0);
}
END_TEST

START_TEST(target_rules)
{
    int proc = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int sys = open("/sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int other = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    ck_assert(proc >= 0 && sys >= 0 && other >= 0);
    struct {
        const char *path;
        int fd;
        bool exact, ok;
    } cases[] = {
        {"/proc/kcore", proc, true, true},      {"/proc/kcore", proc, false, true},
        {"/mnt/x", proc, false, false},         {"/procx/y", proc, false, false},
        {"/proc/../etc/x", proc, false, false}, {"/./proc//kcore", proc, true, true},
        {"/sys/firmware", sys, true, true},     {"/sys/firmware", proc, true, false},
        {"/proc/kcore", sys, false, false},     {"/dev/console", sys, false, false},
        {"/proc/kcore", other, true, false},    {"/proc/kcore", other, false, true},
        {"/etc/hostname", other, true, true},   {"/", other, true, true},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct oci_err err = {0};
        int r = mountfd_check_target(cases[i].path, cases[i].fd, cases[i].exact, "mount", &err);
        ck_assert_msg(cases[i].ok ? r == 0 : r < 0, "%s: %d %s", cases[i].path, r, err.msg);
        if (!cases[i].ok)
            ck_assert_msg(strstr(err.msg, "refused") && strstr(err.msg, cases[i].path), "%s",
                          err.msg);
    }
    close(proc);
    close(sys);
    close(other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("procfs");
    TCase *t = tcase_create("procfs");
    tcase_add_test(t, handle_is_a_procfs_root);
    tcase_add_loop_test(t, write_and_read_self, 0, 2);
    tcase_add_loop_test(t, symlinks_and_dotdot_refused, 0, 2);
    tcase_add_test(t, target_rules);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
