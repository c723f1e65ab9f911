/* memlock-shim.so: an LD_PRELOAD library for running crun 1.8 (and other
 * runtimes that raise RLIMIT_MEMLOCK before they load an eBPF program) on a
 * host where root lacks CAP_SYS_RESOURCE and so cannot raise a hard limit.
 * A raise of RLIMIT_MEMLOCK that the kernel refuses with EPERM is reported
 * as done and changes nothing: kernels since 5.11 charge BPF memory to the
 * memory cgroup, not to RLIMIT_MEMLOCK. Every other call goes through as is.
 *
 *   cc -shared -fPIC -O2 -o memlock-shim.so memlock-shim.c -ldl
 *   oci-bench --cgroup2-view --runtime 'crun=env LD_PRELOAD=/path/memlock-shim.so crun' ... */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

typedef int (*setrlimit_fn)(__rlimit_resource_t, const struct rlimit *);
typedef int (*prlimit_fn)(pid_t, __rlimit_resource_t, const struct rlimit *, struct rlimit *);

static int refused_memlock(int rc, __rlimit_resource_t res, const struct rlimit *new_limit)
{
    return rc < 0 && errno == EPERM && res == RLIMIT_MEMLOCK && new_limit != NULL;
}

int setrlimit(__rlimit_resource_t res, const struct rlimit *new_limit)
{
    static setrlimit_fn next;
    if (!next)
        next = (setrlimit_fn)dlsym(RTLD_NEXT, "setrlimit");
    int rc = next(res, new_limit);
    return refused_memlock(rc, res, new_limit) ? 0 : rc;
}

int prlimit(pid_t pid, __rlimit_resource_t res, const struct rlimit *new_limit,
            struct rlimit *old_limit)
{
    static prlimit_fn next;
    if (!next)
        next = (prlimit_fn)dlsym(RTLD_NEXT, "prlimit");
    int rc = next(pid, res, new_limit, old_limit);
    return refused_memlock(rc, res, new_limit) ? 0 : rc;
}
