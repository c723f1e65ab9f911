/* Exec through the stub (libcontainer/stub/exec_stub.c): the container's
 * programs (and in-container hooks) are exec'd by a tiny program from a
 * sealed memfd, so that /proc/self/exe is never the host's oci-rt binary
 * when a container's program starts (the CVE-2019-5736 class). */
#ifndef OCI_EXEC_STUB_H
#define OCI_EXEC_STUB_H

#include <stdbool.h>

/* Parent, before the clone: make the sealed memfd (once per process;
 * children inherit it). -1 when this kernel refuses executable memfds
 * (then programs are exec'd directly and a warning says so). */
int exec_stub_prepare(void);
/* The fd (for the lists of fds a child keeps), -1 when none. */
int exec_stub_fd(void);
/* Exec path through the stub; a failure of the final exec is reported on
 * errfd as a SYNC_EXEC_ERROR message {errno, path}. Returns only when the
 * stub itself cannot be exec'd (then errno is set). */
int exec_stub_execve(int errfd, const char *path, char *const argv[], char *const envp[]);

/* The same in two steps, for an exec under a seccomp filter: everything
 * (allocation, the dup of errfd) is made by _prepare, before the filter is
 * loaded; exec_stub_call then makes nothing but the exec. The caller may
 * say beforehand that the filter denies a way: via_execveat false execs the
 * stub by its /proc/self/fd path (execve); exec_stub_call_no_report gives
 * the stub no fd to report on (it then needs no fcntl or write). */
struct exec_stub_call {
    const char *path;
    char *const *argv, *const *envp;
    char **sargv; /* ERRFD PATH ARGV...: the stub's argv, NULL: direct exec */
    int errfd;
    bool via_execveat;
    char fdstr[16];
    char proc_path[32];
};
int exec_stub_call_prepare(struct exec_stub_call *x, int errfd, const char *path,
                           char *const argv[], char *const envp[]);
void exec_stub_call_no_report(struct exec_stub_call *x);
/* Returns only on failure (errno set); the caller then frees. */
int exec_stub_call(struct exec_stub_call *x);
void exec_stub_call_free(struct exec_stub_call *x);

#endif
