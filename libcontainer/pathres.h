/* Resolving paths inside the container's rootfs, never outside it:
 * openat2(RESOLVE_IN_ROOT) scopes every symlink and ".." to the rootfs, and
 * the O_PATH fd it returns pins the target against a later swap. */
#ifndef OCI_PATHRES_H
#define OCI_PATHRES_H

#include <stdbool.h>

#include "error.h"

enum path_create { PATH_NO_CREATE, PATH_CREATE_DIR, PATH_CREATE_FILE };

/* Open path (absolute or relative, taken inside rootfd) O_PATH; create the
 * missing components as directories, and the last one as a dir or an empty
 * file. Returns an fd or -1 with err set (the message names what). */
int path_open_in_root(int rootfd, const char *path, enum path_create create, const char *what,
                      struct oci_err *err);
/* openat2(rootfd, path, flags | O_CLOEXEC) kept inside the rootfs
 * (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); with no_symlinks no component
 * may be a symlink (RESOLVE_NO_SYMLINKS: ELOOP; with O_PATH | O_NOFOLLOW a
 * symlink as the last component is returned as itself). -1 with errno. */
int path_openat2(int rootfd, const char *path, int flags, bool no_symlinks);
/* "/proc/self/fd/N" for fd, in buf (the caller's /proc: only for a /proc
 * the container cannot reach; procfs_mount names fds safely). */
const char *path_fd(int fd, char buf[static 32]);

#endif
