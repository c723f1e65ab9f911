/* Small shared helpers of libcontainer/: the monotonic clock (util.c) and
 * the error type (error.c). Check forks each test (the abort case too). */
#include "config.h"
#include "libcontainer/error.h"
#include "libcontainer/util.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
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

/* A scratch error moved into the caller's keeps its errno, and context
 * goes before it once. */
START_TEST(err_copy_keeps_errno)
{
    struct oci_err scratch = {0}, err = {0};
    ck_assert_int_eq(err_set(&scratch, EACCES, "write /proc/1/setgroups"), -1);
    ck_assert_int_eq(err_copy(&err, &scratch), -1);
    ck_assert_int_eq(err.errnum, EACCES);
    ck_assert(err.set);
    ck_assert_str_eq(err.msg, "write /proc/1/setgroups: permission denied");
    ck_assert_int_eq(err_wrap(&err, "user namespace"), -1);
    ck_assert_int_eq(err.errnum, EACCES);
    ck_assert_str_eq(err.msg, "user namespace: write /proc/1/setgroups: permission denied");
    /* an error without a cause stays without one */
    struct oci_err none = {0}, out = {0};
    err_set(&none, 0, "container \"x\" is stopped");
    err_copy(&out, &none);
    ck_assert_int_eq(out.errnum, 0);
    ck_assert_str_eq(out.msg, "container \"x\" is stopped");
}
END_TEST

/* rfc3339_utc spells what gmtime_r and strftime spell, over leap days,
 * century years, the epoch, times before it, and many points between. */
static void check_time(time_t t, long ns)
{
    struct timespec ts = {t, ns};
    char got[64], want[64];
    struct tm tm;
    ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
    size_t n = strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(want + n, sizeof(want) - n, ".%09ldZ", ns);
    rfc3339_utc(got, sizeof(got), &ts);
    ck_assert_msg(!strcmp(got, want), "%lld: %s, gmtime_r: %s", (long long)t, got, want);
}

START_TEST(rfc3339_utc_is_gmtime)
{
    char buf[64];
    struct timespec ts = {1796395745, 123456789};
    rfc3339_utc(buf, sizeof(buf), &ts);
    ck_assert_str_eq(buf, "2026-12-04T14:49:05.123456789Z");
    const time_t fixed[] = {0,
                            -1,
                            59,
                            86399,
                            86400,
                            951782400 /* 2000-02-29 */,
                            951868800,
                            4107456000 /* 2100-02-28 */,
                            4107542400 /* 2100-03-01 */,
                            -2208988800 /* 1900-01-01 */,
                            253402300799 /* 9999-12-31 */,
                            1709164800 /* 2024-02-29 */,
                            1709251199,
                            1709251200};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_time(fixed[i], 0);
    uint64_t x = 88172645463325252ull; /* xorshift: the same points every run */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check_time((time_t)(x % 8000000000ull) - 1000000000, (long)(x % 1000000000));
    }
}
END_TEST

/* Setting an error that is set already is a bug: the assert stops it. */
START_TEST(err_set_twice_aborts)
{
    struct oci_err err = {0}, other = {0};
    if (!freopen("/dev/null", "w", stderr)) /* the assert's message is expected */
        _exit(2);
    err_set(&other, ENOENT, "b");
    err_set(&err, EPERM, "a");
    err_copy(&err, &other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *t = tcase_create("util");
    tcase_add_test(t, now_ms_is_monotonic_milliseconds);
    tcase_add_test(t, err_copy_keeps_errno);
    tcase_add_test(t, rfc3339_utc_is_gmtime);
    tcase_add_test_raise_signal(t, err_set_twice_aborts, SIGABRT);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
