/* Fixtures shared by the seccomp unit tests (check_seccomp_*.c): profiles
 * from $srcdir/tests/unit/data/seccomp/ or inline, compiled and loaded in a
 * child; the runtime's log captured. */
#ifndef OCI_RT_TESTS_SECCOMP_FIXTURES_H
#define OCI_RT_TESTS_SECCOMP_FIXTURES_H

#include "libcontainer/log.h"
#include "libcontainer/seccomp.h"
#include "specs/spec_config.h"

#include <stdbool.h>

extern char tmpdir[64];

typedef int (*child_fn)(void *arg);

const char *srcdir(void);
char *read_fixture(const char *name);
/* A config.json around a linux.seccomp object; ' becomes ". */
struct spec_config *config_with(const char *seccomp);
struct spec_config *config_fixture(const char *name);
void compile_ok(const struct spec_seccomp *s, enum seccomp_shape shape, struct seccomp_plan *p);
void build_ok(const struct spec_seccomp *s, struct seccomp_plan *p);
void make_tmpdir(void);
void remove_tmpdir(void);
/* Fork a child that sets no_new_privs (unless nnp is false), loads the
 * plan and returns fn's value as its exit status (250: the load failed).
 * Returns the wait status. */
int run_filtered(const struct seccomp_plan *p, bool nnp, child_fn fn, void *arg);
void assert_exit(int status, int code);
/* errno of mkdir in tmpdir (0: created); arg: NULL or an int mode. */
int do_mkdir(void *arg);
/* *field becomes a copy of value (a string of a parsed config). */
void replace(char **field, const char *value);

/* The log lines log_capture received (log_set_sink(log_capture, ...)),
 * each ending in a newline; a test empties it by log_buf[0] = '\0'. */
extern char log_buf[4096];
void log_capture(enum log_level level, const char *msg);

#endif
