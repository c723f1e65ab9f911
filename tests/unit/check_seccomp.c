/* Unit tests for libcontainer/seccomp.c and seccomp_notify.c: building,
 * loading, notify and the cache (Docker's profile and the BPF model are in
 * check_seccomp_profile.c). Profiles are read from
 * $srcdir/tests/unit/data/seccomp/ or written inline (single quotes for
 * readability). Check forks each test; filters are loaded in a further
 * child, so a killed or filtered process is never the test. A filter for
 * 32-bit syscalls on x86_64: check_seccomp_ia32.c. */
#include "libcontainer/error.h"
#include "libcontainer/log.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_bpf.h"
#include "libcontainer/seccomp_cache.h"
#include "libcontainer/seccomp_notify.h"
#include "specs/spec_config.h"
#include "specs/state.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "seccomp_fixtures.h"

/* ---- helpers of these tests (shared ones: seccomp_fixtures.c) ---- */

static void replace(char **field, const char *value)
{
    free(*field);
    *field = strdup(value);
}

/* Build and expect this exact error. */
static void expect_error(struct spec_seccomp *s, const char *want)
{
    struct seccomp_plan p;
    struct oci_err err = {0};
    ck_assert_int_lt(seccomp_plan_build(s, &p, &err), 0);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(p.filter);
}

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

static char log_buf[4096];

static void log_capture(enum log_level level, const char *msg)
{
    (void)level;
    size_t n = strlen(log_buf);
    snprintf(log_buf + n, sizeof(log_buf) - n, "%s\n", msg);
}

/* ---- building ---- */

START_TEST(build_absent)
{
    struct seccomp_plan p;
    struct oci_err err = {0};
    ck_assert_int_eq(seccomp_plan_build(NULL, &p, &err), 0);
    ck_assert_ptr_null(p.filter);
    int lfd = 7;
    ck_assert_int_eq(seccomp_plan_load(&p, &lfd, &err), 0);
    ck_assert_int_eq(lfd, -1);
    seccomp_plan_free(&p);
}
END_TEST

START_TEST(build_unknown_action)
{
    struct spec_config *c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                        "{'names': ['getpid'], 'action': 'SCMP_ACT_LOG'},"
                                        "{'names': ['getppid'], 'action': 'SCMP_ACT_LOG'},"
                                        "{'names': ['getuid'], 'action': 'SCMP_ACT_LOG'},"
                                        "{'names': ['getgid'], 'action': 'SCMP_ACT_LOG'}]}");
    struct spec_seccomp *s = c->linux_->seccomp;
    replace(&s->syscalls[3].action, "SCMP_ACT_FOO");
    expect_error(s, "linux.seccomp.syscalls[3]: unknown action \"SCMP_ACT_FOO\"");
    replace(&s->syscalls[3].action, "SCMP_ACT_LOG");
    replace(&s->default_action, "SCMP_ACT_BAR");
    expect_error(s, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BAR\"");
    spec_config_free(c);
}
END_TEST

START_TEST(build_unknown_operator_and_index)
{
    struct spec_config *c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                        "{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO'},"
                                        "{'names': ['dup'], 'action': 'SCMP_ACT_ERRNO', 'args': ["
                                        "{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
                                        "{'index': 1, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}");
    struct spec_seccomp *s = c->linux_->seccomp;
    replace(&s->syscalls[1].args[1].op, "SCMP_CMP_FOO");
    expect_error(s, "linux.seccomp.syscalls[1].args[1]: unknown operator \"SCMP_CMP_FOO\"");
    replace(&s->syscalls[1].args[1].op, "SCMP_CMP_NE");
    s->syscalls[1].args[0].index = 6;
    expect_error(s, "linux.seccomp.syscalls[1].args[0]: index 6 is out of range (0-5)");
    spec_config_free(c);
}
END_TEST

START_TEST(build_unknown_arch_and_flag)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86', "
                    "'SCMP_ARCH_X32'], 'flags': ['SECCOMP_FILTER_FLAG_LOG', "
                    "'SECCOMP_FILTER_FLAG_TSYNC']}");
    struct spec_seccomp *s = c->linux_->seccomp;
    replace(&s->architectures.items[1], "SCMP_ARCH_FOO");
    expect_error(s, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");
    replace(&s->architectures.items[1], "SCMP_ARCH_X32");
    replace(&s->flags.items[1], "SECCOMP_FILTER_FLAG_FOO");
    expect_error(s, "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");
    spec_config_free(c);
}
END_TEST

/* Every architecture config-linux.md lists resolves through libseccomp's
 * own names (SCMP_ARCH_X86_64 -> "x86_64") to the token of libseccomp's
 * constant, or is "not known to this libseccomp" where its header has no
 * such constant (LoongArch, m68k and SuperH came with 2.6). */
START_TEST(arch_names_resolve)
{
    static const struct {
        const char *name;
        uint32_t token; /* 0: this libseccomp's header lacks it */
    } spec[] = {
        {"SCMP_ARCH_X86", SCMP_ARCH_X86},
        {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
        {"SCMP_ARCH_X32", SCMP_ARCH_X32},
        {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
        {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
        {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
        {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
        {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
        {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
        {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
        {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
        {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
        {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
        {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
        {"SCMP_ARCH_S390", SCMP_ARCH_S390},
        {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
        {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
        {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
        {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
        {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#else
        {"SCMP_ARCH_LOONGARCH64", 0},
#endif
#ifdef SCMP_ARCH_M68K
        {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#else
        {"SCMP_ARCH_M68K", 0},
#endif
#ifdef SCMP_ARCH_SH
        {"SCMP_ARCH_SH", SCMP_ARCH_SH},
        {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#else
        {"SCMP_ARCH_SH", 0},
        {"SCMP_ARCH_SHEB", 0},
#endif
    };
    size_t n = sizeof(spec) / sizeof(spec[0]);
    ck_assert_uint_eq(n, 23);
    size_t listed = 0;
    for (; spec_seccomp_archs[listed]; listed++)
        ;
    ck_assert_uint_eq(listed, n); /* and each is in it: seccomp_arch_token >= 0 below */
    for (size_t i = 0; i < n; i++) {
        uint32_t token = 1;
        int r = seccomp_arch_token(spec[i].name, &token);
        ck_assert_msg(r == (spec[i].token != 0), "%s: %d", spec[i].name, r);
        if (r == 1)
            ck_assert_msg(token == spec[i].token, "%s: %u, libseccomp's constant is %u",
                          spec[i].name, token, spec[i].token);
    }
    /* the native one is among them */
    uint32_t t;
    ck_assert_int_eq(seccomp_arch_token("SCMP_ARCH_X86_64", &t), 1);
    ck_assert_uint_eq(t, SCMP_ARCH_X86_64);
#if defined(__x86_64__)
    ck_assert_uint_eq(t, seccomp_arch_native());
#endif
    /* not names of the spec, whatever libseccomp would say of them */
    ck_assert_int_eq(seccomp_arch_token("SCMP_ARCH_FOO", &t), -1);
    ck_assert_int_eq(seccomp_arch_token("SCMP_ARCH_x86_64", &t), -1);
    ck_assert_int_eq(seccomp_arch_token("x86_64", &t), -1);
    ck_assert_int_eq(seccomp_arch_token("SCMP_ARCH_NATIVE", &t), -1);
    ck_assert_int_eq(seccomp_arch_token("SCMP_ARCH_RISCV32", &t), -1);
    ck_assert_int_eq(seccomp_arch_token("", &t), -1);
    ck_assert_int_eq(seccomp_arch_token(NULL, &t), -1);
}
END_TEST

START_TEST(build_errno_ret_rules)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'defaultErrnoRet': 5, 'syscalls': ["
                    "{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 70000}]}");
    struct spec_seccomp *s = c->linux_->seccomp;
    expect_error(s, "linux.seccomp: defaultErrnoRet is only valid with SCMP_ACT_ERRNO and "
                    "SCMP_ACT_TRACE, not SCMP_ACT_ALLOW");
    s->has_default_errno_ret = false;
    expect_error(s, "linux.seccomp.syscalls[0]: errnoRet 70000 is out of range (0-65535)");
    replace(&s->syscalls[0].action, "SCMP_ACT_KILL_PROCESS");
    expect_error(s, "linux.seccomp.syscalls[0]: errnoRet is only valid with SCMP_ACT_ERRNO and "
                    "SCMP_ACT_TRACE, not SCMP_ACT_KILL_PROCESS");
    spec_config_free(c);
}
END_TEST

START_TEST(build_notify_rules)
{
    struct spec_config *c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                        "{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
    struct spec_seccomp *s = c->linux_->seccomp;
    expect_error(s, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
    s->listener_path = strdup("/run/agent.sock");
    replace(&s->syscalls[0].names.items[0], "sendmsg");
    expect_error(s, "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg (the "
                    "runtime needs it to pass the listener on)");
    replace(&s->default_action, "SCMP_ACT_NOTIFY");
    expect_error(s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    spec_config_free(c);
}
END_TEST

START_TEST(build_libseccomp_rejects_rule)
{
    /* the same condition twice with two actions: libseccomp says EEXIST */
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    "{'names': ['dup'], 'action': 'SCMP_ACT_ERRNO', 'args': ["
                    "{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'}]},"
                    "{'names': ['getpid', 'dup'], 'action': 'SCMP_ACT_KILL', 'args': ["
                    "{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}");
    expect_error(c->linux_->seccomp,
                 "linux.seccomp.syscalls[1]: add the rule for \"dup\": file exists");
    spec_config_free(c);
}
END_TEST

START_TEST(build_unknown_syscall_skipped)
{
    struct spec_config *c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                                        "{'names': ['no_such_syscall', 'mkdir', 'another_fake'], "
                                        "'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}");
    log_set_sink(log_capture, LOG_LVL_DEBUG);
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    ck_assert_uint_eq(p.n_skipped, 2);
    ck_assert_ptr_nonnull(
        strstr(log_buf, "linux.seccomp.syscalls[0]: unknown syscall \"no_such_syscall\" skipped"));
    make_tmpdir();
    assert_exit(run_filtered(&p, true, do_mkdir, NULL), 42);
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(build_default_action_rule_skipped)
{
    /* libseccomp refuses a rule with the default action; the rule is dropped */
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 42, 'syscalls': ["
                    "{'names': ['getpid', 'exit_group', 'exit', 'write'], 'action': "
                    "'SCMP_ACT_ALLOW'},"
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    make_tmpdir();
    assert_exit(run_filtered(&p, true, do_mkdir, NULL), 42);
    /* the same action with another errno is a different action */
    c->linux_->seccomp->syscalls[1].errno_ret = 43;
    seccomp_plan_free(&p);
    build_ok(c->linux_->seccomp, &p);
    assert_exit(run_filtered(&p, true, do_mkdir, NULL), 43);
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(build_flags)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_TSYNC', "
                    "'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], 'syscalls': ["
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    ck_assert_uint_eq(p.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
                                   SECCOMP_FILTER_FLAG_SPEC_ALLOW);
    ck_assert(!p.listener);
    make_tmpdir();
    assert_exit(run_filtered(&p, true, do_mkdir, NULL), 42); /* the kernel takes them */
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);

    c = config_fixture("notify-mkdir.json");
    struct spec_seccomp *s = c->linux_->seccomp;
    build_ok(s, &p);
    ck_assert(p.listener);
    ck_assert_uint_eq(p.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER);
    seccomp_plan_free(&p);
    spec_config_free(c);

    c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/run/a.sock', "
                    "'flags': ['SECCOMP_FILTER_FLAG_TSYNC', "
                    "'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], 'syscalls': ["
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
    build_ok(c->linux_->seccomp, &p);
    ck_assert_uint_eq(p.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV |
                                   SECCOMP_FILTER_FLAG_NEW_LISTENER |
                                   SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(build_wait_killable_without_listener)
{
    /* the kernel refuses WAIT_KILLABLE_RECV without a listener: dropped */
    struct spec_config *c = config_with(
        "{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
        " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    ck_assert_uint_eq(p.flags, 0);
    make_tmpdir();
    assert_exit(run_filtered(&p, true, do_mkdir, NULL), 42);
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(build_arch_list)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    "{'names': ['mkdir', 'getpid'], 'action': 'SCMP_ACT_ERRNO'}]}");
    struct seccomp_plan native, multi;
    build_ok(c->linux_->seccomp, &native);
    spec_config_free(c);
    /* every architecture of the spec's list is known, the native one included */
    c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ["
                    "'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', "
                    "'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', "
                    "'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', "
                    "'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', "
                    "'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', "
                    "'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', "
                    "'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', "
                    "'SCMP_ARCH_SHEB'], 'syscalls': ["
                    "{'names': ['mkdir', 'getpid'], 'action': 'SCMP_ACT_ERRNO'}]}");
    build_ok(c->linux_->seccomp, &multi);
    ck_assert_uint_gt(multi.len, native.len);
    make_tmpdir();
    assert_exit(run_filtered(&native, true, do_mkdir, NULL), EPERM);
    assert_exit(run_filtered(&multi, true, do_mkdir, NULL), EPERM);
    remove_tmpdir();
    seccomp_plan_free(&native);
    seccomp_plan_free(&multi);
    spec_config_free(c);
}
END_TEST

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

/* ---- notify ---- */

START_TEST(process_state_json)
{
    struct spec_kv ann[] = {{"org.example.key", "value \"quoted\""}};
    struct spec_state st = {.oci_version = "1.2.0",
                            .id = "ctr1",
                            .status = "creating",
                            .pid = 4422,
                            .bundle = "/containers/redis",
                            .annotations = {.items = ann, .n = 1},
                            .rootfs = "/not/in/the/state"};
    char *json = seccomp_process_state_json(&st, 4423, "MKNOD=/dev/null");
    ck_assert_ptr_nonnull(json);
    ck_assert_str_eq(json, "{\"ociVersion\":\"" SPEC_OCI_VERSION "\",\"fds\":[\"seccompFd\"],"
                           "\"pid\":4423,\"metadata\":\"MKNOD=/dev/null\",\"state\":{"
                           "\"ociVersion\":\"1.2.0\",\"id\":\"ctr1\",\"status\":\"creating\","
                           "\"pid\":4422,\"bundle\":\"/containers/redis\",\"annotations\":{"
                           "\"org.example.key\":\"value \\\"quoted\\\"\"}}}");
    free(json);
    st.annotations.n = 0;
    st.oci_version = NULL;
    json = seccomp_process_state_json(&st, 1, NULL);
    ck_assert_str_eq(json, "{\"ociVersion\":\"" SPEC_OCI_VERSION "\",\"fds\":[\"seccompFd\"],"
                           "\"pid\":1,\"state\":{\"ociVersion\":\"" SPEC_OCI_VERSION
                           "\",\"id\":\"ctr1\",\"status\":\"creating\",\"pid\":4422,"
                           "\"bundle\":\"/containers/redis\"}}");
    free(json);
}
END_TEST

START_TEST(notify_send_no_listener)
{
    struct oci_err err = {0};
    ck_assert_int_lt(seccomp_notify_send("/nonexistent/agent.sock", 0, "{}", &err), 0);
    ck_assert_str_eq(err.msg, "linux.seccomp.listenerPath: /nonexistent/agent.sock: connect: no "
                              "such file or directory");
}
END_TEST

static int send_fd(int sk, int fd)
{
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(sk, &m, 0) == 1 ? 0 : -1;
}

/* Receive data (NUL-terminated) and one fd. */
static ssize_t recv_fd(int sk, char *buf, size_t len, int *fd)
{
    struct iovec iov = {buf, len - 1};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
    ssize_t n = recvmsg(sk, &m, MSG_CMSG_CLOEXEC);
    *fd = -1;
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
    if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy(fd, CMSG_DATA(c), sizeof(int));
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

static int notify_sk; /* the child's end of the socketpair */

/* The init's part: load, pass the listener up, then make the calls the
 * agent answers. */
static int run_notify_child(const struct seccomp_plan *p, const char *dir)
{
    alarm(10);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return 100;
    struct oci_err err = {0};
    int lfd;
    if (seccomp_plan_load(p, &lfd, &err) < 0 || lfd < 0)
        return 101;
    if (send_fd(notify_sk, lfd) < 0)
        return 102;
    close(lfd);
    char path[128];
    snprintf(path, sizeof(path), "%s/d", dir);
    errno = 0;
    if (syscall(SYS_mkdir, path, 0700) != -1 || errno != EDQUOT)
        return 103; /* answered with an error */
    if (syscall(SYS_mkdir, path, 0700) != 7)
        return 104; /* answered with a value */
    struct stat sb;
    if (stat(path, &sb) == 0)
        return 105; /* the kernel never ran it */
    return 0;
}

static const char *json_str(yajl_val root, const char **path)
{
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static void check_state_json(const char *data, pid_t pid)
{
    char ebuf[256];
    yajl_val root = yajl_tree_parse(data, ebuf, sizeof(ebuf));
    ck_assert_msg(root != NULL, "state JSON: %s: %s", ebuf, data);
    const char *p_ver[] = {"ociVersion", NULL}, *p_fds[] = {"fds", NULL}, *p_pid[] = {"pid", NULL},
               *p_md[] = {"metadata", NULL}, *p_st[] = {"state", NULL},
               *p_id[] = {"state", "id", NULL}, *p_status[] = {"state", "status", NULL};
    ck_assert_str_eq(json_str(root, p_ver), SPEC_OCI_VERSION);
    yajl_val fds = yajl_tree_get(root, p_fds, yajl_t_array);
    ck_assert_ptr_nonnull(fds);
    ck_assert_uint_eq(YAJL_GET_ARRAY(fds)->len, 1);
    ck_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(fds)->values[0]), "seccompFd");
    yajl_val vpid = yajl_tree_get(root, p_pid, yajl_t_number);
    ck_assert_ptr_nonnull(vpid);
    ck_assert_int_eq(YAJL_GET_INTEGER(vpid), pid);
    ck_assert_str_eq(json_str(root, p_md), "MKNOD=/dev/null;BPF_MAP_TYPES=hash");
    ck_assert_ptr_nonnull(yajl_tree_get(root, p_st, yajl_t_object));
    ck_assert_str_eq(json_str(root, p_id), "ctr-notify");
    ck_assert_str_eq(json_str(root, p_status), "creating");
    yajl_tree_free(root);
}

/* The agent's part: answer the two notifications. */
static void agent_answer(int nfd, pid_t pid)
{
    for (int i = 0; i < 2; i++) {
        struct pollfd pfd = {.fd = nfd, .events = POLLIN};
        ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
        struct seccomp_notif req;
        memset(&req, 0, sizeof(req));
        ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
        ck_assert_int_eq(req.data.nr, SYS_mkdir);
        ck_assert_int_eq(req.pid, pid);
        struct seccomp_notif_resp resp = {.id = req.id};
        if (i == 0)
            resp.error = -EDQUOT;
        else
            resp.val = 7;
        ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
    }
}

START_TEST(notify_roundtrip)
{
    struct spec_config *c = config_fixture("notify-mkdir.json");
    struct spec_seccomp *s = c->linux_->seccomp;
    make_tmpdir();
    char sock_path[128];
    snprintf(sock_path, sizeof(sock_path), "%s/agent.sock", tmpdir);
    replace(&s->listener_path, sock_path);
    struct seccomp_plan p;
    build_ok(s, &p);

    /* the agent listens */
    int lsk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, sock_path);
    ck_assert_int_eq(bind(lsk, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lsk, 1), 0);

    int sp[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        notify_sk = sp[1];
        _exit(run_notify_child(&p, tmpdir));
    }
    close(sp[1]);

    /* the runtime: the listener from the init, then on to the agent */
    char byte[2];
    int lfd;
    ck_assert_int_eq(recv_fd(sp[0], byte, sizeof(byte), &lfd), 1);
    ck_assert_int_ge(lfd, 0);
    struct spec_state st = {
        .id = "ctr-notify", .status = "creating", .pid = pid, .bundle = "/bundle"};
    char *json = seccomp_process_state_json(&st, pid, s->listener_metadata);
    struct oci_err err = {0};
    ck_assert_msg(seccomp_notify_send(s->listener_path, lfd, json, &err) == 0, "%s", err.msg);
    close(lfd);

    /* the agent: one connection, the state and the fd, then EOF */
    int conn = accept4(lsk, NULL, NULL, SOCK_CLOEXEC);
    ck_assert_int_ge(conn, 0);
    static char data[65536];
    int nfd;
    ssize_t n = recv_fd(conn, data, sizeof(data), &nfd);
    ck_assert_int_eq(n, (ssize_t)strlen(json));
    ck_assert_int_ge(nfd, 0);
    char more;
    ck_assert_int_eq(recv(conn, &more, 1, 0), 0); /* closed after one state */
    check_state_json(data, pid);
    agent_answer(nfd, pid);

    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    assert_exit(status, 0);
    free(json);
    close(nfd);
    close(conn);
    close(lsk);
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(notify_send_long_path)
{
    /* longer than sun_path: reached through /proc/self/fd */
    make_tmpdir();
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/%0100d", tmpdir, 0);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/agent.sock", dir);
    ck_assert_uint_gt(strlen(path), sizeof(((struct sockaddr_un *)0)->sun_path));
    int dfd = open(dir, O_PATH | O_CLOEXEC);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/agent.sock", dfd);
    int lsk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(bind(lsk, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lsk, 1), 0);
    struct oci_err err = {0};
    ck_assert_msg(seccomp_notify_send(path, dfd, "{\"x\":1}", &err) == 0, "%s", err.msg);
    int conn = accept4(lsk, NULL, NULL, SOCK_CLOEXEC);
    char buf[64];
    int fd;
    ck_assert_int_eq(recv_fd(conn, buf, sizeof(buf), &fd), 7);
    ck_assert_str_eq(buf, "{\"x\":1}");
    ck_assert_int_ge(fd, 0);
    remove_tmpdir();
}
END_TEST

/* ---- the cache of compiled programs ---- */

/* The one *.bpf entry in dir (its name into name); their count. */
static int cache_entries(const char *dir, char *name, size_t len)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "cd %s && ls *.bpf 2>/dev/null", dir);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    int n = 0;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0 && name)
            snprintf(name, len, "%s", line);
    }
    pclose(f);
    return n;
}

static void build_cached_ok(const struct spec_seccomp *s, int dirfd, struct seccomp_plan *p)
{
    struct oci_err err = {0};
    log_buf[0] = '\0';
    int rc = seccomp_plan_build_cached(s, dirfd, p, &err);
    ck_assert_msg(rc == 0, "build: %s", err.msg);
    ck_assert_ptr_nonnull(p->filter);
}

static void assert_same_plan(const struct seccomp_plan *a, const struct seccomp_plan *b)
{
    ck_assert_uint_eq(a->len, b->len);
    ck_assert_uint_eq(a->flags, b->flags);
    ck_assert_int_eq(a->listener, b->listener);
    ck_assert_uint_eq(a->n_skipped, b->n_skipped);
    ck_assert_int_eq(memcmp(a->filter, b->filter, a->len * sizeof(a->filter[0])), 0);
}

#define MISS_LOG "unknown syscall \"no_such_syscall\" skipped"

START_TEST(cache_hit_and_miss)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ERRNO', 'listenerPath': '/run/a.sock', "
                    "'flags': ['SECCOMP_FILTER_FLAG_LOG'], 'syscalls': ["
                    "{'names': ['no_such_syscall', 'read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
    struct spec_seccomp *s = c->linux_->seccomp;
    log_set_sink(log_capture, LOG_LVL_DEBUG);
    make_tmpdir();
    int dirfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct seccomp_plan ref, miss, hit;
    compile_ok(s, SECCOMP_SHAPE_TREE, &ref);

    build_cached_ok(s, dirfd, &miss); /* libseccomp runs (it logs the skip), entry written */
    ck_assert_ptr_nonnull(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref, &miss);
    char name[128];
    ck_assert_int_eq(cache_entries(tmpdir, name, sizeof(name)), 1);

    build_cached_ok(s, dirfd, &hit); /* from the entry: no libseccomp, same plan */
    ck_assert_ptr_null(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref, &hit);
    ck_assert(hit.listener);
    seccomp_plan_free(&hit);

    /* a damaged entry is a miss, and is written again */
    int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC);
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    char byte;
    ck_assert_int_eq(pread(fd, &byte, 1, st.st_size - 3), 1);
    byte ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &byte, 1, st.st_size - 3), 1);
    close(fd);
    build_cached_ok(s, dirfd, &hit);
    ck_assert_ptr_nonnull(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref, &hit);
    seccomp_plan_free(&hit);
    build_cached_ok(s, dirfd, &hit);
    ck_assert_ptr_null(strstr(log_buf, MISS_LOG));
    seccomp_plan_free(&hit);

    /* another profile under the first one's name (a hash collision): the
     * key differs, so a miss, and the right program */
    struct spec_config *c2 =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    "{'names': ['no_such_syscall', 'mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}");
    struct seccomp_plan ref2;
    compile_ok(c2->linux_->seccomp, SECCOMP_SHAPE_TREE, &ref2);
    build_cached_ok(c2->linux_->seccomp, dirfd, &hit);
    ck_assert_int_eq(cache_entries(tmpdir, NULL, 0), 2);
    seccomp_plan_free(&hit);
    char name2[128], cmd[512];
    snprintf(cmd, sizeof(cmd), "cd %s && ls *.bpf | grep -v '^%s$'", tmpdir, name);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(name2, sizeof(name2), f));
    pclose(f);
    name2[strcspn(name2, "\n")] = '\0';
    snprintf(cmd, sizeof(cmd), "cd %s && cp %s %s", tmpdir, name, name2);
    ck_assert_int_eq(system(cmd), 0);
    build_cached_ok(c2->linux_->seccomp, dirfd, &hit);
    ck_assert_ptr_nonnull(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref2, &hit);
    seccomp_plan_free(&hit);

    seccomp_plan_free(&ref2);
    seccomp_plan_free(&ref);
    seccomp_plan_free(&miss);
    spec_config_free(c2);
    close(dirfd);
    remove_tmpdir();
    spec_config_free(c);
}
END_TEST

START_TEST(cache_untrusted_dir)
{
    struct spec_config *c = config_fixture("errno-mkdir.json");
    make_tmpdir();
    ck_assert_int_eq(chmod(tmpdir, 0777), 0);
    int dirfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct seccomp_plan p;
    build_cached_ok(c->linux_->seccomp, dirfd, &p);
    ck_assert_int_eq(cache_entries(tmpdir, NULL, 0), 0);
    seccomp_plan_free(&p);
    /* no directory: the plain build */
    build_cached_ok(c->linux_->seccomp, -1, &p);
    seccomp_plan_free(&p);
    close(dirfd);
    remove_tmpdir();
    spec_config_free(c);
}
END_TEST

static Suite *seccomp_suite(void)
{
    Suite *s = suite_create("seccomp");
    TCase *b = tcase_create("build");
    tcase_add_test(b, build_absent);
    tcase_add_test(b, build_unknown_action);
    tcase_add_test(b, build_unknown_operator_and_index);
    tcase_add_test(b, build_unknown_arch_and_flag);
    tcase_add_test(b, build_errno_ret_rules);
    tcase_add_test(b, build_notify_rules);
    tcase_add_test(b, build_libseccomp_rejects_rule);
    tcase_add_test(b, build_unknown_syscall_skipped);
    tcase_add_test(b, build_default_action_rule_skipped);
    tcase_add_test(b, build_flags);
    tcase_add_test(b, build_wait_killable_without_listener);
    tcase_add_test(b, build_arch_list);
    tcase_add_test(b, arch_names_resolve);
    suite_add_tcase(s, b);
    TCase *l = tcase_create("load");
    tcase_add_test(l, load_errno);
    tcase_add_test(l, plan_action_matches_kernel);
    tcase_add_test(l, load_other_actions);
    tcase_add_test(l, load_kill);
    tcase_add_test(l, load_arg_conditions);
    tcase_add_test(l, load_without_nnp_or_cap);
    suite_add_tcase(s, l);
    TCase *n = tcase_create("notify");
    tcase_add_test(n, process_state_json);
    tcase_add_test(n, notify_send_no_listener);
    tcase_add_test(n, notify_roundtrip);
    tcase_add_test(n, notify_send_long_path);
    suite_add_tcase(s, n);
    TCase *k = tcase_create("cache");
    tcase_add_test(k, cache_hit_and_miss);
    tcase_add_test(k, cache_untrusted_dir);
    suite_add_tcase(s, k);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(seccomp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
