/* Fixtures shared by the config.json parser's unit tests
 * (check_specs_fields.c, check_specs_parser.c): documents read from
 * $srcdir/tests/unit/data/. */
#ifndef OCI_RT_TESTS_SPECS_FIXTURES_H
#define OCI_RT_TESTS_SPECS_FIXTURES_H

#include "specs/spec_config.h"

#include <stddef.h>

/* The path of the fixture name (in a static buffer). */
char *fixture(const char *name);
/* The fixture's config (a failed load fails the test). */
struct spec_config *load(const char *name);
/* v holds exactly the n strings that follow. */
void assert_strv(const struct spec_strv *v, size_t n, ...);

#endif
