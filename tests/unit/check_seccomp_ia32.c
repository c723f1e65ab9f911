/* A filter for 32-bit x86 syscalls made by a 64-bit process (int 0x80:
 * seccomp sees AUDIT_ARCH_I386): with SCMP_ARCH_X86 in the profile its
 * rules apply, without it the call is killed (bad arch). It needs an
 * x86_64 kernel with IA-32 emulation; elsewhere it exits 77 (Automake:
 * SKIP) and says why. */
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_bpf.h"
#include "libcontainer/seccomp_cache.h"
#include "specs/spec_config.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_fixtures.h"
#include "skip.h"
#include "unit_run.h"

#if defined(__x86_64__)

/* A 32-bit syscall from this 64-bit process: seccomp sees AUDIT_ARCH_I386. */
static long int80(long nr, long a1)
{
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a1)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

static int do_int80_dup(void *arg)
{
    (void)arg;
    return (int)-int80(41 /* i386 dup */, 100); /* 42 from the filter, 9 EBADF without */
}

static int do_int80_getpid(void *arg)
{
    (void)arg;
    return int80(20 /* i386 getpid */, 0) == getpid() ? 0 : 1;
}

START_TEST(load_arch_x86_on_x86_64)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86'], "
                    "'syscalls': [{'names': ['dup'], 'action': 'SCMP_ACT_ERRNO', "
                    "'errnoRet': 42}]}");
    struct seccomp_plan p;
    build_ok(c->linux_->seccomp, &p);
    assert_exit(run_filtered(&p, true, do_int80_dup, NULL), 42);
    seccomp_plan_free(&p);
    spec_config_free(c);
    /* without SCMP_ARCH_X86 the filter kills a 32-bit syscall (bad arch) */
    c = config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['dup'], "
                    "'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}");
    build_ok(c->linux_->seccomp, &p);
    int st = run_filtered(&p, true, do_int80_dup, NULL);
    ck_assert(WIFSIGNALED(st));
    ck_assert_int_eq(WTERMSIG(st), SIGSYS);
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

/* Whether a 32-bit syscall works here at all (without IA-32 emulation
 * int 0x80 kills the process). */
static bool ia32_works(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(do_int80_getpid(NULL));
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#endif

int main(void)
{
#if defined(__x86_64__)
    if (!ia32_works())
        return unit_skip("no IA-32 emulation in this kernel (a 32-bit getpid failed)");
    return unit_run_one("seccomp ia32", "ia32", load_arch_x86_on_x86_64, 0);
#else
    return unit_skip("not an x86_64 host");
#endif
}
