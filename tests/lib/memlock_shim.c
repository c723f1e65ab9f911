/* LD_PRELOAD shim for running crun 1.8 where root cannot raise a hard
 * rlimit (no CAP_SYS_RESOURCE): crun raises RLIMIT_MEMLOCK before it loads
 * its eBPF device filter and gives up when that fails, although kernels
 * since 5.11 charge BPF memory to the memory cgroup and need no raise. A
 * raise of RLIMIT_MEMLOCK refused with EPERM is reported as done; every
 * other call goes through unchanged.
 *   cc -shared -fPIC -O2 -o memlock_shim.so memlock_shim.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

static int refused_memlock(int resource, const void *new_limit, int rc)
{
    return rc < 0 && errno == EPERM && resource == RLIMIT_MEMLOCK && new_limit != NULL;
}

int setrlimit(__rlimit_resource_t resource, const struct rlimit *rl)
{
    int (*real)(__rlimit_resource_t, const struct rlimit *) = dlsym(RTLD_NEXT, "setrlimit");
    int rc = real(resource, rl);
    return refused_memlock(resource, rl, rc) ? 0 : rc;
}

int setrlimit64(__rlimit_resource_t resource, const struct rlimit64 *rl)
{
    int (*real)(__rlimit_resource_t, const struct rlimit64 *) = dlsym(RTLD_NEXT, "setrlimit64");
    int rc = real(resource, rl);
    return refused_memlock(resource, rl, rc) ? 0 : rc;
}

int prlimit(pid_t pid, __rlimit_resource_t resource, const struct rlimit *new_limit,
            struct rlimit *old_limit)
{
    int (*real)(pid_t, __rlimit_resource_t, const struct rlimit *, struct rlimit *) =
        dlsym(RTLD_NEXT, "prlimit");
    int rc = real(pid, resource, new_limit, old_limit);
    return refused_memlock(resource, new_limit, rc) ? 0 : rc;
}

int prlimit64(pid_t pid, __rlimit_resource_t resource, const struct rlimit64 *new_limit,
              struct rlimit64 *old_limit)
{
    int (*real)(pid_t, __rlimit_resource_t, const struct rlimit64 *, struct rlimit64 *) =
        dlsym(RTLD_NEXT, "prlimit64");
    int rc = real(pid, resource, new_limit, old_limit);
    return refused_memlock(resource, new_limit, rc) ? 0 : rc;
}
