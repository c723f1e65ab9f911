/* seccomp: linux.seccomp as a BPF program.
 *
 * The parent compiles the profile with libseccomp before anything is
 * created (seccomp_plan_build); the init, which inherits the plan, loads it
 * with seccomp(2) as late as it can (seccomp_plan_load): no libseccomp call
 * and no allocation in the child. With SCMP_ACT_NOTIFY the load returns a
 * listener fd; the init passes it up the sync socket and the parent sends it
 * to linux.seccomp.listenerPath with the container process state
 * (seccomp_process_state_json, seccomp_notify_send). */
#ifndef OCI_SECCOMP_H
#define OCI_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "specs/config.h"
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

/* seccomp_plan_build through a cache of compiled TREE programs in the
 * directory cache_dirfd (-1: none; used only when owned by the euid and not
 * writable by group or others). A hit costs two stats and one small read
 * instead of libseccomp's milliseconds; a miss compiles and writes the
 * entry (best effort). */
int seccomp_plan_build_cached(const struct spec_seccomp *s, int cache_dirfd,
                              struct seccomp_plan *out, struct oci_err *err);

/* Child side: install the filter with seccomp(2). Without CAP_SYS_ADMIN
 * the process must have set no_new_privs first. *listener_fd gets the
 * notify fd (O_CLOEXEC) when p->listener, else -1. A no-op for an empty
 * plan. Every syscall the process makes afterwards goes through the filter:
 * call it last, right before passing the listener up and exec. */
int seccomp_plan_load(const struct seccomp_plan *p, int *listener_fd, struct oci_err *err);

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

/* The libseccomp token of an architecture name of the runtime-spec
 * (spec_seccomp_archs: "SCMP_ARCH_X86_64"), by seccomp_arch_resolve_name
 * ("x86_64"): 1 and *token; 0 for a name of the spec this libseccomp does
 * not know (newer than it); -1 for a name the spec does not list. */
int seccomp_arch_token(const char *name, uint32_t *token);

/* Whether the running kernel knows this filter flag (a name of
 * spec_seccomp_flags); false for a name oci-rt does not know. */
bool seccomp_flag_supported(const char *name);

/* Parent side. The container process state of runtime-spec (config-linux.md
 * "The Container Process State"): ociVersion, fds ["seccompFd"], pid,
 * metadata (omitted when NULL), state {ociVersion, id, status, pid, bundle,
 * annotations}. malloc'd, NUL-terminated; NULL on allocation failure. */
char *seccomp_process_state_json(const struct spec_state *st, int pid, const char *metadata);

/* Connect to the AF_UNIX stream socket at listener_path, send state_json
 * with listener_fd (SCM_RIGHTS) in the first sendmsg, close the connection.
 * The caller keeps (and then closes) listener_fd. */
int seccomp_notify_send(const char *listener_path, int listener_fd, const char *state_json,
                        struct oci_err *err);

#endif
