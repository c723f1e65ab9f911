/* Unit tests for libcontainer/seccomp.c: loading a plan (actions, argument
 * conditions, no_new_privs) and seccomp_plan_action against the kernel.
 * Check forks each test; filters are loaded in a further child, so a killed
 * or filtered process is never the test. A filter for 32-bit syscalls on
 * x86_64: check_seccomp_ia32.c. */
#include "libcontainer/error.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_bpf.h"
#include "specs/spec_config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_fixtures.h"
#include "unit_run.h"

/* ---- helpers of these tests (shared ones: seccomp_fixtures.c) ---- */

static int mkdir_status_with(const char *seccomp)
{
    struct spec_config *c = config_with(seccomp);
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    make_tmpdir();
    int status = run_filtered(&p, true, do_mkdir, NULL);
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);
    return status;
}

/* ---- loading ---- */

START_TEST(load_errno)
{
    assert_exit(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                  "{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}"),
                EPERM);
    char *data = read_fixture("errno-mkdir.json");
    assert_exit(mkdir_status_with(data), 42);
    free(data);
    /* no filter: mkdir works */
    make_tmpdir();
    struct seccomp_plan none = {0};
    assert_exit(run_filtered(&none, true, do_mkdir, NULL), 0);
    remove_tmpdir();
}
END_TEST

START_TEST(load_other_actions)
{
    /* TRACE without a tracer: ENOSYS */
    assert_exit(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                  "{'names': ['mkdir'], 'action': 'SCMP_ACT_TRACE', "
                                  "'errnoRet': 5}]}"),
                ENOSYS);
    /* LOG: the syscall runs */
    assert_exit(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                  "{'names': ['mkdir'], 'action': 'SCMP_ACT_LOG'}]}"),
                0);
    /* the default action with its errno */
    assert_exit(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 77, "
                                  "'syscalls': [{'names': ['exit_group', 'exit'], "
                                  "'action': 'SCMP_ACT_ALLOW'}]}"),
                77);
}
END_TEST

/* seccomp_plan_action answers what the kernel then does: the same profile
 * evaluated, then loaded and tried. */
START_TEST(plan_action_matches_kernel)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': ["
                    "{'names': ['exit_group', 'exit', 'getpid'], "
                    "'action': 'SCMP_ACT_ALLOW'},"
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42,"
                    " 'args': [{'index': 1, 'value': 511, 'op': 'SCMP_CMP_EQ'}]},"
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_ALLOW',"
                    " 'args': [{'index': 1, 'value': 511, 'op': 'SCMP_CMP_NE'}]},"
                    "{'names': ['getppid'], 'action': 'SCMP_ACT_KILL_PROCESS'},"
                    "{'names': ['getuid'], 'action': 'SCMP_ACT_LOG'}]}");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    uint64_t mode777[6] = {0, 0777, 0, 0, 0, 0};
    uint64_t mode700[6] = {0, 0700, 0, 0, 0, 0};
    ck_assert(seccomp_plan_allows(&p, SYS_getpid, NULL));
    ck_assert(seccomp_plan_allows(&p, SYS_getuid, NULL)); /* LOG lets it run */
    ck_assert(!seccomp_plan_allows(&p, SYS_getppid, NULL));
    ck_assert_uint_eq(seccomp_plan_action(&p, SYS_getppid, NULL), SECCOMP_RET_KILL_PROCESS);
    ck_assert_uint_eq(seccomp_plan_action(&p, SYS_close_range, NULL), SECCOMP_RET_ERRNO | 38);
    ck_assert_uint_eq(seccomp_plan_action(&p, SYS_mkdir, mode777), SECCOMP_RET_ERRNO | 42);
    ck_assert(seccomp_plan_allows(&p, SYS_mkdir, mode700));
    /* and the kernel agrees */
    make_tmpdir();
    int mode = 0777;
    assert_exit(run_filtered(&p, true, do_mkdir, &mode), 42);
    remove_tmpdir();
    make_tmpdir();
    mode = 0700;
    assert_exit(run_filtered(&p, true, do_mkdir, &mode), 0);
    remove_tmpdir();
    seccomp_plan_free(&p);
    /* an empty plan allows everything */
    struct seccomp_plan none = {0};
    ck_assert(seccomp_plan_allows(&none, SYS_close_range, NULL));
    spec_config_free(c);
}
END_TEST

static void assert_sigsys(int status)
{
    ck_assert_msg(WIFSIGNALED(status), "child exited with %d", WEXITSTATUS(status));
    ck_assert_int_eq(WTERMSIG(status), SIGSYS);
}

START_TEST(load_kill)
{
    char *data = read_fixture("kill-mkdir.json");
    assert_sigsys(mkdir_status_with(data));
    free(data);
    assert_sigsys(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_KILL'}]}"));
    assert_sigsys(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_KILL_THREAD'}]}"));
    assert_sigsys(mkdir_status_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_TRAP'}]}"));
}
END_TEST

static int do_args(void *arg)
{
    (void)arg;
    int bad = 0;
#define EXPECT_ERRNO(call, e)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (call);                                                                          \
        bad = bad * 2 + !(r_ == -1 && errno == (e));                                               \
    } while (0)
    EXPECT_ERRNO(syscall(SYS_getpriority, 0x13, 0), 42); /* (0x13 & 0xf0) == 0x10 */
    EXPECT_ERRNO(syscall(SYS_getpriority, 0x23, 0), EINVAL);
    EXPECT_ERRNO(syscall(SYS_dup, 100), 43); /* arg0 == 100 || arg0 == 200 */
    EXPECT_ERRNO(syscall(SYS_dup, 200), 43);
    EXPECT_ERRNO(syscall(SYS_dup, 300), EBADF);
    EXPECT_ERRNO(syscall(SYS_dup3, 1000, 5, O_CLOEXEC), 44); /* all three hold */
    EXPECT_ERRNO(syscall(SYS_dup3, 1000, 5, 0), EBADF);
    EXPECT_ERRNO(syscall(SYS_dup3, 999, 5, O_CLOEXEC), EBADF);
    EXPECT_ERRNO(syscall(SYS_dup3, 1000, 2000, O_CLOEXEC), EBADF);
    EXPECT_ERRNO(syscall(SYS_lseek, -1, 1LL << 33, SEEK_SET), 45); /* 64-bit compare */
    EXPECT_ERRNO(syscall(SYS_lseek, -1, 5, SEEK_SET), EBADF);
    EXPECT_ERRNO(syscall(SYS_lseek, -1, 1LL << 32, SEEK_SET), EBADF);
#undef EXPECT_ERRNO
    return bad; /* a bit per failed expectation, the first one highest */
}

START_TEST(load_arg_conditions)
{
    struct spec_config *c = config_fixture("args.json");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    int st = run_filtered(&p, true, do_args, NULL);
    ck_assert(WIFEXITED(st));
    ck_assert_msg(WEXITSTATUS(st) == 0, "failed expectations (bits, first highest): 0x%x",
                  WEXITSTATUS(st));
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(load_without_nnp_or_cap)
{
    struct spec_config *c = config_fixture("errno-mkdir.json");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* root loses every capability with its uid */
        if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
            _exit(2);
        struct oci_err err = {0};
        int lfd;
        if (seccomp_plan_load(&p, &lfd, &err) == 0)
            _exit(3);
        _exit(err.errnum == EACCES &&
                      strcmp(err.msg,
                             "load the seccomp filter: the process has neither no_new_privs nor "
                             "CAP_SYS_ADMIN (set process.noNewPrivileges, or keep CAP_SYS_ADMIN): "
                             "permission denied") == 0
                  ? 0
                  : 4);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    assert_exit(st, 0);
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

static Suite *seccomp_load_suite(void)
{
    Suite *s = suite_create("seccomp load");
    TCase *l = tcase_create("load");
    tcase_add_test(l, load_errno);
    tcase_add_test(l, plan_action_matches_kernel);
    tcase_add_test(l, load_other_actions);
    tcase_add_test(l, load_kill);
    tcase_add_test(l, load_arg_conditions);
    tcase_add_test(l, load_without_nnp_or_cap);
    suite_add_tcase(s, l);
    return s;
}

int main(void)
{
    return unit_run(seccomp_load_suite());
}
