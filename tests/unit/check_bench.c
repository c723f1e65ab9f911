/* oci-bench's pure parts: its statistics (nearest-rank percentiles, sd),
 * the splitting of a runtime's command line, and the reading and writing of
 * numbers and sizes. */
#include "config.h"
#include "bench/bench.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct bench_samples of(const double *v, size_t n)
{
    struct bench_samples s = {0};
    for (size_t i = 0; i < n; i++)
        bench_samples_add(&s, v[i]);
    return s;
}

START_TEST(stats_nearest_rank)
{
    /* 1..100 in a shuffled order: pN is N */
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (double)((i * 37) % 100 + 1);
    struct bench_samples s = of(v, 100);
    struct bench_stats st;
    ck_assert(bench_stats_of(&s, &st));
    ck_assert_uint_eq(st.n, 100);
    ck_assert_double_eq(st.min, 1);
    ck_assert_double_eq(st.p25, 25);
    ck_assert_double_eq(st.p50, 50);
    ck_assert_double_eq(st.p90, 90);
    ck_assert_double_eq(st.p99, 99);
    ck_assert_double_eq(st.max, 100);
    ck_assert_double_eq_tol(st.mean, 50.5, 1e-9);
    ck_assert_double_eq_tol(st.sd, 29.011491975882016, 1e-9); /* sample sd, n - 1 */
    bench_samples_free(&s);
}
END_TEST

START_TEST(stats_few_samples)
{
    /* with fewer than 100 samples p99 is the max; one sample has sd 0 */
    const double v[] = {3, 1, 2};
    struct bench_samples s = of(v, 3);
    struct bench_stats st;
    ck_assert(bench_stats_of(&s, &st));
    ck_assert_double_eq(st.p50, 2);
    ck_assert_double_eq(st.p90, 3);
    ck_assert_double_eq(st.p99, 3);
    ck_assert_double_eq_tol(st.sd, 1, 1e-12);
    bench_samples_free(&s);
    const double one[] = {7};
    s = of(one, 1);
    ck_assert(bench_stats_of(&s, &st));
    ck_assert_double_eq(st.sd, 0);
    ck_assert_double_eq(st.p50, 7);
    bench_samples_free(&s);
    ck_assert(!bench_stats_of(&s, &st));
    ck_assert_uint_eq(st.n, 0);
}
END_TEST

static void check_split(const char *line, const char *const *want)
{
    struct oci_err err = {0};
    char **argv;
    size_t argc;
    ck_assert_msg(bench_split_command(line, &argv, &argc, &err) == 0, "%s: %s", line, err.msg);
    size_t n = 0;
    while (want[n])
        n++;
    ck_assert_uint_eq(argc, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(argv[i], want[i]);
        free(argv[i]);
    }
    ck_assert_ptr_null(argv[n]);
    free(argv);
}

START_TEST(split_like_a_shell)
{
    check_split("crun", (const char *const[]){"crun", NULL});
    check_split("  env LD_PRELOAD=/tmp/x.so   crun ",
                (const char *const[]){"env", "LD_PRELOAD=/tmp/x.so", "crun", NULL});
    check_split("runsc --platform=ptrace",
                (const char *const[]){"runsc", "--platform=ptrace", NULL});
    check_split("sh -c 'echo a b; exit 1' x",
                (const char *const[]){"sh", "-c", "echo a b; exit 1", "x", NULL});
    check_split("a\\ b \"c \\\"d\\\" $e\" 'f\\g'",
                (const char *const[]){"a b", "c \"d\" $e", "f\\g", NULL});
    check_split("x''y \"\"", (const char *const[]){"xy", "", NULL});
}
END_TEST

START_TEST(split_errors)
{
    struct oci_err err = {0};
    char **argv = (char **)1;
    size_t argc = 1;
    ck_assert_int_lt(bench_split_command("crun 'oops", &argv, &argc, &err), 0);
    ck_assert_str_eq(err.msg, "unterminated ' quote");
    ck_assert_ptr_null(argv);
    ck_assert_uint_eq(argc, 0);
    err_clear(&err);
    ck_assert_int_lt(bench_split_command("   ", &argv, &argc, &err), 0);
    ck_assert_str_eq(err.msg, "empty command");
}
END_TEST

START_TEST(numbers_and_sizes)
{
    const char *sysbench = "General statistics:\n    total time:                          0.7073s\n"
                           "10240.00 MiB transferred (27588.39 MiB/sec)\n";
    double v;
    ck_assert(bench_find_number(sysbench, "total time:", &v));
    ck_assert_double_eq_tol(v, 0.7073, 1e-12);
    ck_assert(bench_find_number(sysbench, "MiB transferred", &v));
    ck_assert_double_eq_tol(v, 27588.39, 1e-9);
    ck_assert(!bench_find_number(sysbench, "events per second:", &v));
    ck_assert(!bench_find_number("lps: none", "lps", &v));
    char buf[32];
    bench_size_arg(1 << 20, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1M");
    bench_size_arg(100ULL << 30, buf, sizeof(buf));
    ck_assert_str_eq(buf, "100G");
    bench_size_arg(16 << 10, buf, sizeof(buf));
    ck_assert_str_eq(buf, "16K");
    bench_size_arg(1536 << 10, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1536K");
    bench_size_arg(1000, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1000");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("bench");
    tcase_add_test(tc, stats_nearest_rank);
    tcase_add_test(tc, stats_few_samples);
    tcase_add_test(tc, split_like_a_shell);
    tcase_add_test(tc, split_errors);
    tcase_add_test(tc, numbers_and_sizes);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
