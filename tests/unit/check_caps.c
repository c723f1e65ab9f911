/* Capabilities (libcontainer/caps.c): names as config.json writes them,
 * and an error in the middle of applying the sets. */
#include "config.h"
#include "libcontainer/caps.h"
#include "libcontainer/util.h"

#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

START_TEST(name_of_each_capability)
{
    char *n = caps_name(CAP_CHOWN);
    ck_assert_str_eq(n, "CAP_CHOWN");
    free(n);
    n = caps_name(CAP_SYS_ADMIN);
    ck_assert_str_eq(n, "CAP_SYS_ADMIN");
    free(n);
    n = caps_name(CAP_NET_BIND_SERVICE);
    ck_assert_str_eq(n, "CAP_NET_BIND_SERVICE");
    free(n);
    /* every name libcap has: upper case, and libcap reads it back */
    int named = 0;
    for (int i = 0; i < 64; i++) {
        n = caps_name(i);
        if (!n)
            continue;
        named++;
        ck_assert_msg(!strncmp(n, "CAP_", 4), "%d: %s", i, n);
        for (const char *p = n; *p; p++)
            ck_assert_msg(!(*p >= 'a' && *p <= 'z'), "%d: %s", i, n);
        cap_value_t v;
        ck_assert_int_eq(cap_from_name(n, &v), 0);
        ck_assert_int_eq(v, i);
        free(n);
    }
    ck_assert_int_ge(named, CAP_AUDIT_READ + 1);
    /* no name for a number libcap does not know */
    ck_assert_ptr_null(caps_name(63));
    ck_assert_ptr_null(caps_name(-1));
}
END_TEST

/* The ambient loop stops at its first error: a second err_set on the same
 * error would abort the init on err_set's assert. Capabilities 62 and 63
 * do not exist, so the kernel refuses to raise either (EINVAL). The sets
 * are this process's own (a forked test). */
START_TEST(ambient_stops_at_first_error)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
    uint64_t perm = (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
    uint64_t eff = (uint64_t)d[0].effective | ((uint64_t)d[1].effective << 32);
    struct caps_plan p = {.set = true,
                          .bounding = perm,
                          .effective = eff & perm,
                          .permitted = perm,
                          .held = perm,
                          .ambient = 3ull << 62};
    struct oci_err err = {0};
    ck_assert_int_eq(caps_apply(&p, 0, &err), -1);
    ck_assert_int_eq(err.errnum, EINVAL);
    ck_assert_str_eq(err.msg, "raise ambient capability 62: invalid argument");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("caps");
    TCase *t = tcase_create("caps");
    tcase_add_test(t, name_of_each_capability);
    tcase_add_test(t, ambient_stops_at_first_error);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
