#include "config.h"
#include "exec_stub.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "libcontainer/exec_stub_bin.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static int stub_fd = -2; /* -2: not made yet */

static int make_memfd(void)
{
    if (!exec_stub_len)
        return -1; /* an architecture the stub was not built for */
    int fd = memfd_create("oci-rt-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) /* a kernel before MFD_EXEC (6.3) */
        fd = memfd_create("oci-rt-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    if (write_all(fd, exec_stub_bin, exec_stub_len) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int exec_stub_prepare(void)
{
    if (stub_fd == -2) {
        TRACE_BEGIN(span, "exec stub memfd");
        stub_fd = make_memfd();
        TRACE_END_RC(span, stub_fd < 0 ? -1 : 0);
        if (stub_fd < 0)
            log_warn("no executable memfd (%s): container programs are exec'd directly, "
                     "without the protection of the host's binary",
                     strerror(errno));
    }
    return stub_fd;
}

int exec_stub_fd(void)
{
    return stub_fd >= 0 ? stub_fd : -1;
}

int exec_stub_call_prepare(struct exec_stub_call *x, int errfd, const char *path,
                           char *const argv[], char *const envp[])
{
    memset(x, 0, sizeof(*x));
    x->path = path;
    x->argv = argv;
    x->envp = envp;
    x->errfd = -1;
    x->via_execveat = true;
    if (stub_fd < 0)
        return 0;
    size_t n = 0;
    while (argv[n])
        n++;
    x->sargv = calloc(n + 3, sizeof(char *));
    if (!x->sargv)
        return -1;
    x->errfd = errfd >= 0 ? dup(errfd) : -1; /* not close-on-exec: the stub's */
    snprintf(x->fdstr, sizeof(x->fdstr), "%d", x->errfd);
    snprintf(x->proc_path, sizeof(x->proc_path), "/proc/self/fd/%d", stub_fd);
    x->sargv[0] = x->fdstr;
    x->sargv[1] = (char *)path;
    memcpy(x->sargv + 2, argv, (n + 1) * sizeof(char *));
    return 0;
}

void exec_stub_call_no_report(struct exec_stub_call *x)
{
    if (x->errfd >= 0)
        close(x->errfd);
    x->errfd = -1;
    snprintf(x->fdstr, sizeof(x->fdstr), "-1");
}

int exec_stub_call(struct exec_stub_call *x)
{
    if (stub_fd < 0 || !x->sargv)
        return execve(x->path, x->argv, x->envp);
    if (x->via_execveat) {
        syscall(SYS_execveat, stub_fd, "", x->sargv, x->envp, AT_EMPTY_PATH);
        /* a kernel before 3.19, or an emulator (valgrind says ENOENT for
         * AT_EMPTY_PATH): by path */
        if (errno != ENOSYS && errno != ENOENT)
            return -1;
    }
    execve(x->proc_path, x->sargv, x->envp);
    /* a filter that denies execveat in a container without procfs: the
     * program itself (#!/proc/self/exe cannot reach the host's binary
     * without a /proc) */
    return errno == ENOENT ? execve(x->path, x->argv, x->envp) : -1;
}

void exec_stub_call_free(struct exec_stub_call *x)
{
    int e = errno;
    if (x->errfd >= 0)
        close(x->errfd);
    free(x->sargv);
    x->errfd = -1;
    x->sargv = NULL;
    errno = e;
}

int exec_stub_execve(int errfd, const char *path, char *const argv[], char *const envp[])
{
    struct exec_stub_call x;
    if (exec_stub_call_prepare(&x, errfd, path, argv, envp) < 0)
        return -1;
    exec_stub_call(&x);
    exec_stub_call_free(&x);
    return -1;
}
