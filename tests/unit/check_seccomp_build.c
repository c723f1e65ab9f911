/* Unit tests for libcontainer/seccomp.c: building a plan from
 * linux.seccomp (errors, skipped syscalls and rules, flags, architectures;
 * a few built filters are loaded in a child to see the kernel take them).
 * Loading: check_seccomp_load.c; notify: check_seccomp_notify.c; the cache:
 * check_seccomp_cache.c; Docker's profile: check_seccomp_profile.c. Profiles
 * are read from $srcdir/tests/unit/data/seccomp/ or written inline (single
 * quotes for readability). */
#include "libcontainer/error.h"
#include "libcontainer/log.h"
#include "libcontainer/seccomp.h"
#include "specs/spec_config.h"

#include <check.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_fixtures.h"
#include "unit_run.h"

/* ---- helpers of these tests (shared ones: seccomp_fixtures.c) ---- */

/* Build and expect this exact error. */
static void expect_error(struct spec_seccomp *s, const char *want)
{
    struct seccomp_plan p;
    struct oci_err err = {0};
    ck_assert_int_lt(seccomp_plan_build(s, &p, &err), 0);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(p.filter);
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

static Suite *seccomp_build_suite(void)
{
    Suite *s = suite_create("seccomp build");
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
    return s;
}

int main(void)
{
    return unit_run(seccomp_build_suite());
}
