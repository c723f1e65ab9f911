/* The exec stub: a tiny freestanding program oci-rt keeps in a sealed memfd
 * and execs instead of the container's program; it execs the program.
 *
 * Why: until the container's program runs, the init runs the host's oci-rt
 * binary, so /proc/self/exe is that binary. A program whose interpreter is
 * /proc/self/exe ("#!/proc/self/exe", or a PT_INTERP) would re-run it
 * inside the container and could then reopen it for writing
 * (CVE-2019-5736). Exec'd from the stub, /proc/self/exe is the sealed
 * memfd: nothing of the host.
 *
 *   argv: ERRFD PATH ARGV0 ARGV1 ...   (envp passed through)
 *
 * ERRFD is an inherited fd to report a failed exec on (an oci-rt sync
 * message: {type SYNC_EXEC_ERROR, value errno} then PATH); it is made
 * close-on-exec first, so the success of the exec closes it. "-1": none;
 * then the stub makes no system call but the execve (and exit_group if
 * that fails), for a seccomp filter that allows nothing else. No libc: this
 * is built with -nostdlib -static and embedded in oci-rt as bytes. */
#include <asm/unistd.h>

#include "../sync_proto.h" /* SYNC_EXEC_ERROR */

#define F_SETFD 2
#define FD_CLOEXEC 1

static long sys3(long n, long a, long b, long c)
{
#if defined(__x86_64__)
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
#else
#error "the exec stub supports x86_64 and aarch64"
#endif
}

__attribute__((noreturn, used)) void stub_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    long fd = -1;
    if (argc >= 3) {
        /* "-1": no fd to report on (and no fcntl: a seccomp filter may
         * deny it) */
        if (argv[0][0] >= '0' && argv[0][0] <= '9')
            fd = 0;
        for (const char *p = argv[0]; fd >= 0 && *p >= '0' && *p <= '9'; p++)
            fd = fd * 10 + (*p - '0');
        if (fd >= 0 && sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC) < 0) {
            sys3(__NR_close, fd, 0, 0); /* no report rather than a leak */
            fd = -1;
        }
        long e = sys3(__NR_execve, (long)argv[1], (long)(argv + 2), (long)envp);
        if (fd >= 0) {
            struct {
                unsigned int type;
                int value;
                char path[4096];
            } msg = {SYNC_EXEC_ERROR, (int)-e, {0}};
            long n = 0;
            for (const char *p = argv[1]; *p && n < 4095; p++)
                msg.path[n++] = *p;
            sys3(__NR_write, fd, (long)&msg, 8 + n + 1);
        }
    }
    for (;;)
        sys3(__NR_exit_group, 127, 0, 0);
}

#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call stub_main\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n mov x0, sp\n bl stub_main\n");
#endif
