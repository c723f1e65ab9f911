/* Running a unit test program's Check suite: main returns what these
 * return (EXIT_SUCCESS when every test passed, else EXIT_FAILURE). A
 * program that cannot run here returns unit_skip() instead (skip.h). */
#ifndef OCI_RT_TESTS_UNIT_RUN_H
#define OCI_RT_TESTS_UNIT_RUN_H

#include <check.h>
#include <stdlib.h>

/* Runs every test of s (the runner frees s). */
static inline int unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A suite of one test case holding one test; timeout in seconds, 0 for
 * Check's default. */
static inline int unit_run_one(const char *suite, const char *tcase, const TTest *test,
                               double timeout)
{
    Suite *s = suite_create(suite);
    TCase *t = tcase_create(tcase);
    if (timeout > 0)
        tcase_set_timeout(t, timeout);
    tcase_add_test(t, test);
    suite_add_tcase(s, t);
    return unit_run(s);
}

#endif
