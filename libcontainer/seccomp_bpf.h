/* A seccomp plan's answers, computed by running its BPF program here
 * (seccomp_bpf.c). */
#ifndef OCI_SECCOMP_BPF_H
#define OCI_SECCOMP_BPF_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "seccomp.h"

/* What the plan's filter answers for system call nr with these arguments
 * on the native architecture (a SECCOMP_RET_* value), computed without
 * loading it (seccomp_bpf.c); SECCOMP_RET_ALLOW for an empty plan, the
 * worst answer when the program cannot be evaluated. */
uint32_t seccomp_plan_action(const struct seccomp_plan *p, long nr, const uint64_t args[6]);
/* The answer lets the call run (ALLOW or LOG). */
bool seccomp_plan_allows(const struct seccomp_plan *p, long nr, const uint64_t args[6]);
/* Run a classic BPF program on d: 0 and *ret, or -1 for an instruction a
 * seccomp filter cannot hold. */
struct seccomp_data;
int seccomp_bpf_run(const struct sock_filter *f, unsigned len, const struct seccomp_data *d,
                    uint32_t *ret);

#endif
