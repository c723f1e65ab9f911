/* Mounting by fd. Once a target has been opened and checked, the mount
 * goes onto that very fd, and its source is an fd too where the runtime
 * chose the object (/dev/null, the pty): open_tree + move_mount, or
 * mount(2) naming the fds through the runtime's own procfs (procfs.h),
 * never a path the container can race. A new mount's root is handed back
 * as an fd where the kernel gives one, so that remounts, propagation and
 * attributes go onto it and not onto whatever a path leads to later. */
#ifndef OCI_MOUNTFD_H
#define OCI_MOUNTFD_H

#include <stdbool.h>

#include "error.h"

/* Bind src_fd (or the host path src when src_fd < 0), with what is mounted
 * below it when recursive, onto the object dst_fd is open on. *top: the
 * new mount's root (O_PATH, close it), or -1 on a kernel without open_tree
 * (then mount(2) made it). 0 or -1 with errno. */
int mountfd_bind(int src_fd, const char *src, bool recursive, int dst_fd, int *top);
/* A new filesystem (mount(2) src, type, flags, data) on what dst_fd is open
 * on. 0 or -1 with errno. */
int mountfd_new(const char *src, const char *type, unsigned long flags, const void *data,
                int dst_fd);
/* A new filesystem made detached (fsopen, source src, one option key=value
 * when key is set, the flags as mount attributes) and moved onto what dst_fd
 * is open on; *top: its root. -1 with errno: EOPNOTSUPP when a flag is not
 * a mount attribute, ENOSYS or EPERM without the new mount API (then
 * mountfd_new and mountfd_reopen_top do it). */
int mountfd_new_top(const char *src, const char *type, unsigned long flags, const char *key,
                    const char *value, int dst_fd, int *top);
/* Remount the bind mount whose root fd is open on (or the path target
 * when fd < 0) with flags, keeping the flags the kernel locked. 0 or -1
 * with errno. */
int mountfd_remount_bind(int fd, const char *target, unsigned long flags);

/* The filesystem under fd against what the config's path names: a target
 * on procfs or sysfs is refused unless the path is below /proc or /sys;
 * with exact, a path below /proc or /sys must be on procfs or sysfs. The
 * error names what ("mount", "linux.maskedPaths") and path. */
int mountfd_check_target(const char *path, int fd, bool exact, const char *what,
                         struct oci_err *err);

/* After a mount(2) on dfd: the new mount's root, found by dest in rootfd
 * and checked to be the topmost mount on dfd's place (by the mount ids of
 * this process's mountinfo), never another mount dest may lead to by now.
 * -1 with err set. */
int mountfd_reopen_top(int rootfd, const char *dest, int dfd, struct oci_err *err);

#endif
