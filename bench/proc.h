/* Running the commands oci-bench measures: argv vectors, spawn, a timed
 * wait with a timeout, stdout and stderr kept in memory files, and the stop
 * flag set by Ctrl-C. Children get their own process group, so that a
 * Ctrl-C on the terminal reaches only oci-bench, which then ends them in
 * order and cleans up. */
#ifndef OCI_BENCH_PROC_H
#define OCI_BENCH_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "libcontainer/error.h"

/* Set by SIGINT/SIGTERM: every wait returns, the run cleans up and reports. */
extern volatile sig_atomic_t bench_stop;

struct bench_argv {
    char **v; /* NULL-terminated */
    size_t n, cap;
};

void bench_argv_add(struct bench_argv *a, const char *s);
void bench_argv_addf(struct bench_argv *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bench_argv_addv(struct bench_argv *a, char *const *v);
void bench_argv_free(struct bench_argv *a);
/* the command as one line (for messages), malloc'd */
char *bench_argv_join(char *const *v);

struct bench_proc {
    pid_t pid; /* 0: none */
    int pidfd;
    int outfd, errfd;
    double t0; /* monotonic seconds, just before the spawn */
    char *cmd; /* the command line, for messages */
};

/* Spawn argv (PATH searched) with stdin /dev/null, stdout to a memory file
 * when capture (else /dev/null) and stderr to a memory file. */
int bench_spawn(char *const *argv, bool capture, struct bench_proc *p, struct oci_err *err);
/* Wait for it: ms is the wall time from before the spawn to its exit. A
 * non-zero exit is an error naming the command, the status and the last line
 * of its stderr. On timeout or bench_stop the process group is killed. out
 * (may be NULL) receives stdout when captured. */
int bench_wait(struct bench_proc *p, double timeout, double *ms, char **out, struct oci_err *err);
/* Has it ended (not reaped yet)? */
bool bench_proc_exited(const struct bench_proc *p);
/* Kill its process group and reap it. */
void bench_proc_kill(struct bench_proc *p);
/* spawn + wait */
int bench_exec(char *const *argv, double timeout, double *ms, char **out, struct oci_err *err);
/* A clean-up command: runs to its end after Ctrl-C too. */
int bench_exec_cleanup(char *const *argv, double timeout, struct oci_err *err);
/* The same, ignoring the result. */
void bench_exec_quiet(char *const *argv, double timeout);

/* CLOCK_MONOTONIC in seconds */
double bench_now(void);

/* Sleep up to s seconds; false when bench_stop cut it short. */
bool bench_sleep(double s);

#endif
