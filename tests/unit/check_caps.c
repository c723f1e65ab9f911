/* Capabilities (libcontainer/caps.c): names as config.json writes them. */
#include "config.h"
#include "libcontainer/caps.h"
#include "libcontainer/util.h"

#include <check.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>

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

int main(void)
{
    Suite *s = suite_create("caps");
    TCase *t = tcase_create("caps");
    tcase_add_test(t, name_of_each_capability);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
