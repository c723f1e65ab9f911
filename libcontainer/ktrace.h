/* Kernel tracing of a tree of processes, for `oci-rt profile`.
 *
 * ktrace loads the BPF programs of bpf/ktrace.bpf.c (with libbpf), which
 * follow a process and everything it forks, across namespaces, and record
 * its forks, execs, exits and the system calls the rules ask for (with their
 * path arguments). Nothing of tracefs is touched: every BPF object belongs to
 * this process's file descriptors, so the kernel removes them when it exits,
 * even when killed, and two profiles never share anything.
 *
 * The records are kept in memory as they come (struct kt_* of ktrace_abi.h,
 * each behind a size word) for ktrace_model to read. */
#ifndef OCI_KTRACE_H
#define OCI_KTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "ktrace_abi.h"

struct ktrace;

struct ktrace_opts {
    const uint32_t *sysconf; /* KT_SC_* flags by system call number */
    size_t n_sysconf;
    const char *exe;   /* trace every exec of this program (NULL: ktrace_follow) */
    size_t ring_bytes; /* kernel ring buffer (power of two; 0: 16 MiB) */
};

/* Load and attach. Needs root (CAP_BPF and CAP_PERFMON). */
int ktrace_open(const struct ktrace_opts *o, struct ktrace **out, struct oci_err *err);
void ktrace_close(struct ktrace *t);

/* Follow pid and what it forks from now on; it starts an invocation. */
int ktrace_follow(struct ktrace *t, pid_t pid, struct oci_err *err);

/* Move what the kernel recorded so far into memory. */
void ktrace_drain(struct ktrace *t);

/* The records so far: a sequence of (uint32_t size, record) in arrival order. */
const unsigned char *ktrace_records(const struct ktrace *t, size_t *len);
/* Records the kernel could not hand over (ring buffer full). */
uint64_t ktrace_lost(const struct ktrace *t);
/* CLOCK_MONOTONIC and CLOCK_REALTIME read together when tracing began. */
void ktrace_anchor(const struct ktrace *t, uint64_t *mono, uint64_t *real);
/* The working directory of an invocation's first process when it was seen
 * (for its relative paths), or NULL. */
const char *ktrace_root_cwd(const struct ktrace *t, pid_t root);

/* How a traced run ended. */
struct ktrace_end {
    int status;      /* the command's wait status (-1: not waited for) */
    int signal;      /* SIGINT or SIGTERM that stopped the trace, or 0 */
    uint64_t end_ns; /* CLOCK_MONOTONIC when tracing stopped */
};

/* Run argv (execvp) under tracing: fork a child that waits until it is
 * followed, then execs; drain while it runs; return when it exits. SIGINT
 * and SIGTERM sent to this process alone are passed on to the command; a
 * second one stops waiting (the command is left to run). */
int ktrace_run_command(struct ktrace *t, char *const argv[], struct ktrace_end *end,
                       struct oci_err *err);

/* --exe: drain for duration_ms (0: until SIGINT or SIGTERM). */
int ktrace_run_for(struct ktrace *t, int64_t duration_ms, struct ktrace_end *end,
                   struct oci_err *err);

#endif
