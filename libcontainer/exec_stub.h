/* Exec through the stub (libcontainer/stub/exec_stub.c): the container's
 * programs (and in-container hooks) are exec'd by a tiny program from a
 * sealed memfd, so that /proc/self/exe is never the host's oci-rt binary
 * when a container's program starts (the CVE-2019-5736 class). */
#ifndef OCI_EXEC_STUB_H
#define OCI_EXEC_STUB_H

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

#endif
