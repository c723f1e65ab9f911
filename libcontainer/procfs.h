/* The procfs oci-rt trusts, and the one way it reaches /proc.
 *
 * A container can put things in /proc: a mount over a procfs file (a bind
 * destination that resolves there, a second container sharing the mount
 * namespace), a symlink where a path crosses its rootfs. A write the
 * runtime makes through such a path lands in another file (the
 * CVE-2025-52881 class: /proc/self/attr/exec redirected to
 * /proc/sysrq-trigger). So every file oci-rt writes under /proc, and every
 * fd it names to mount(2), goes through one handle the runtime opened
 * itself before anything of the container existed: a private procfs
 * instance (fsopen), else a clone of the /proc mount without its submounts
 * (open_tree), else /proc itself. The parent opens it before the clone;
 * the stage, the init and exec's child inherit it. Files are opened below
 * it with openat2(RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS) and checked with fstatfs to be procfs: no mount
 * and no symlink can redirect them. Without openat2 (an old kernel, a
 * seccomp filter) the same checks are made by hand, one component at a
 * time, comparing each step's mount with the handle's. */
#ifndef OCI_PROCFS_H
#define OCI_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Where a relative path starts: the procfs root, this process (its
 * "self"), this thread ("thread-self"), or the process pid (as the
 * handle's pid namespace numbers it). */
enum procfs_base { PROCFS_ROOT, PROCFS_SELF, PROCFS_THREAD_SELF, PROCFS_PID };

/* How the handle was opened (strongest first). */
enum procfs_kind { PROCFS_PRIVATE, PROCFS_CLONE, PROCFS_PLAIN };

/* The handle, opened on first use; -1 with err set. */
int procfs_handle(struct oci_err *err);
/* Its fd, or -1 when it is not open (a child's fd sweep keeps it). */
int procfs_handle_fd(void);
/* Close it: the init does so once it needs /proc no more, so that nothing
 * of the runtime's procfs stays open while the container waits. */
void procfs_close(void);

/* Open rel (e.g. "oom_score_adj", "sys/net/ipv4/ip_forward") below base
 * with flags (O_CLOEXEC added). The file is procfs's own, reached without
 * crossing a mount or a symlink; otherwise -1 with err naming the cause. */
int procfs_open(enum procfs_base base, pid_t pid, const char *rel, int flags, struct oci_err *err);
/* Write buf in one write(2), as procfs files want it. */
int procfs_write(enum procfs_base base, pid_t pid, const char *rel, const void *buf, size_t len,
                 struct oci_err *err);
/* Read the whole file (at most max bytes) into a malloc'd NUL-terminated
 * buffer. */
int procfs_read(enum procfs_base base, pid_t pid, const char *rel, char **out, size_t max,
                struct oci_err *err);

/* Open again, with flags, the object an O_PATH fd is open on (through
 * this process's fd links in the handle). */
int procfs_reopen(int fd, int flags, struct oci_err *err);
/* The id of the mount fd is on (statx, else this process's fdinfo). */
int procfs_fd_mount_id(int fd, uint64_t *id, struct oci_err *err);

/* mount(2) with the source and/or the target given as fds (>= 0; else the
 * string is used as is), named by this process's fd links in the handle,
 * never by a path of the container's /proc. 0 or -1 with errno. */
int procfs_mount(int src_fd, const char *src, int dst_fd, const char *type, unsigned long flags,
                 const void *data);

/* For tests: open the handle of this kind (closing the current one), and
 * make the checks by hand instead of openat2. */
int procfs_test_open(enum procfs_kind kind, struct oci_err *err);
void procfs_test_by_hand(bool on);
enum procfs_kind procfs_handle_kind(void);

#endif
