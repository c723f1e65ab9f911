/* Small shared helpers of libcontainer/: the monotonic clock (util.c) and
 * the error type (error.c). */
#include "config.h"
#include "libcontainer/error.h"
#include "libcontainer/util.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <time.h>

START_TEST(now_ms_is_monotonic_milliseconds)
{
    uint64_t a = now_ms();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec nap = {0, 120 * 1000000};
    while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t b = now_ms();
    uint64_t slept =
        (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (uint64_t)((t1.tv_nsec - t0.tv_nsec) / 1000000);
    /* milliseconds: the nap is seen whole, and not a thousand times over
     * (the bound is loose: the host may be busy) */
    ck_assert_uint_ge(b - a, 120);
    ck_assert_uint_ge(b - a + 1, slept);
    ck_assert_uint_lt(b - a, 10000);
    /* of the monotonic clock, not the wall clock (which reads decades) */
    uint64_t mono = (uint64_t)t1.tv_sec * 1000 + (uint64_t)t1.tv_nsec / 1000000;
    ck_assert_uint_le(mono, b);
    ck_assert_uint_lt(b - mono, 10000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *t = tcase_create("util");
    tcase_add_test(t, now_ms_is_monotonic_milliseconds);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
