/* seccomp: linux.seccomp as a BPF program.
 *
 * The parent compiles the profile with libseccomp before anything is
 * created (seccomp_plan_build); the init, which inherits the plan, loads it
 * with seccomp(2) as late as it can (seccomp_plan_load): no libseccomp call
 * and no allocation in the child. With SCMP_ACT_NOTIFY the load returns a
 * listener fd; the init passes it up the sync socket and the parent sends it
 * to linux.seccomp.listenerPath with the container process state
 * (seccomp_notify.h). Compiled programs are cached (seccomp_cache.h); a
 * plan's answer for a system call is computed without loading it
 * (seccomp_bpf.h). */
#ifndef OCI_SECCOMP_H
#define OCI_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "specs/spec_config.h"
#include "specs/state.h"

struct seccomp_plan {
    struct sock_filter *filter; /* NULL: no seccomp (linux.seccomp absent) */
    unsigned short len;         /* instructions in filter */
    unsigned int flags;         /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    bool listener;              /* NEW_LISTENER: the load returns a notify fd */
    size_t n_skipped;           /* syscall names unknown to libseccomp, skipped */
};

/* Compile s (NULL: an empty plan) into out. Errors name the place:
 * `linux.seccomp.syscalls[3]: unknown action "SCMP_ACT_FOO"`. Syscall names
 * libseccomp does not know are skipped (log_debug), like runc and crun; so
 * are rules whose action is the default action. */
int seccomp_plan_build(const struct spec_seccomp *s, struct seccomp_plan *out, struct oci_err *err);
void seccomp_plan_free(struct seccomp_plan *p);

/* How libseccomp lays the program out. LINEAR: a chain of syscall numbers,
 * the fastest to generate (seccomp_plan_build). TREE: a binary tree
 * (SCMP_FLTATR_CTL_OPTIMIZE 2): slower to generate, but the kernel loads
 * it several times faster (its action cache runs the filter for every
 * syscall number), so worth it once the program is cached. */
enum seccomp_shape { SECCOMP_SHAPE_LINEAR = 1, SECCOMP_SHAPE_TREE = 2 };
int seccomp_plan_compile(const struct spec_seccomp *s, enum seccomp_shape shape,
                         struct seccomp_plan *out, struct oci_err *err);

/* Child side: install the filter with seccomp(2). Without CAP_SYS_ADMIN
 * the process must have set no_new_privs first. *listener_fd gets the
 * notify fd (O_CLOEXEC) when p->listener, else -1. A no-op for an empty
 * plan. Every syscall the process makes afterwards goes through the filter:
 * call it last, right before passing the listener up and exec. */
int seccomp_plan_load(const struct seccomp_plan *p, int *listener_fd, struct oci_err *err);

/* The libseccomp token of an architecture name of the runtime-spec
 * (spec_seccomp_archs: "SCMP_ARCH_X86_64"), by seccomp_arch_resolve_name
 * ("x86_64"): 1 and *token; 0 for a name of the spec this libseccomp does
 * not know (newer than it); -1 for a name the spec does not list. */
int seccomp_arch_token(const char *name, uint32_t *token);

/* Whether the running kernel knows this filter flag (a name of
 * spec_seccomp_flags); false for a name oci-rt does not know. */
bool seccomp_flag_supported(const char *name);

#endif
