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

int exec_stub_execve(int errfd, const char *path, char *const argv[], char *const envp[])
{
    if (stub_fd < 0)
        return execve(path, argv, envp);
    size_t n = 0;
    while (argv[n])
        n++;
    char **sargv = calloc(n + 3, sizeof(char *));
    int efd = errfd >= 0 ? dup(errfd) : -1; /* not close-on-exec: the stub's */
    char fdstr[16];
    snprintf(fdstr, sizeof(fdstr), "%d", efd);
    if (!sargv)
        return -1;
    sargv[0] = fdstr;
    sargv[1] = (char *)path;
    memcpy(sargv + 2, argv, (n + 1) * sizeof(char *));
    syscall(SYS_execveat, stub_fd, "", sargv, envp, AT_EMPTY_PATH);
    int e = errno;
    if (efd >= 0)
        close(efd);
    free(sargv);
    errno = e;
    return -1;
}
