/* A unit test program that cannot run here says why and exits 77, which
 * Automake's test harness counts as a SKIP (the reason is in the
 * program's .log file). */
#ifndef OCI_RT_TESTS_SKIP_H
#define OCI_RT_TESTS_SKIP_H

#include <stdio.h>

#define UNIT_SKIP 77

/* Prints "SKIP: <why>"; returns UNIT_SKIP, for main to return. */
static inline int unit_skip(const char *why)
{
    printf("SKIP: %s\n", why);
    fflush(stdout);
    return UNIT_SKIP;
}

#endif
