/* The files and directories of cgroup hierarchies (cgroup_fs.c). */
#ifndef OCI_CGROUP_FS_H
#define OCI_CGROUP_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups.h"
#include "error.h"

/* v1: is name one of hierarchy h's controllers? */
bool cg_v1_hier_has(const struct cg_hier *h, const char *name);
/* v1: is name one of the controllers of the container's hierarchies? */
bool cg_v1_has_controller(struct cgroup *cg, const char *name);
/* v1: the container's directory "<mnt><path>" in the hierarchy holding
 * ctrl; false when no v1 hierarchy has that controller. */
bool cg_v1_dir(const struct cgroup *cg, const char *ctrl, char *buf, size_t size);
/* Read dir/file into buf (NUL-terminated, trailing newline removed).
 * 0, or -1 with errno. */
int cg_v1_read(const char *dir, const char *file, char *buf, size_t size);
/* Write val to dir/file in one write(2). 0, or -errno. */
int cg_v1_write(const char *dir, const char *file, const char *val);

/* The container's v2 directory: v2_mnt + path. */
void cg2_dir(const struct cgroup *cg, char *buf, size_t len);
/* Read a small file relative to dfd into buf (NUL-terminated, at most
 * len - 1 bytes). 0, or -1 with errno. */
int cg2_read(int dfd, const char *file, char *buf, size_t len);
/* The value of "key N" in a flat keyed text (cgroup.events, memory.events,
 * cpu.stat). */
bool cg2_keyed(const char *text, const char *key, uint64_t *out);
/* Is word one of the space-separated words of list? */
bool cg2_word_in(const char *list, const char *word);

/* mkdir each component of path below mnt. For the cpuset controller new
 * directories get the parent's cpus and mems. */
int cg_mkdir_path(const char *mnt, const char *path, bool cpuset, struct oci_err *err);
/* rmdir mnt/path (its sub-cgroups first) and its ancestors up to mnt/top;
 * tolerant of ENOENT. */
int cg_rmdir_path(const char *mnt, const char *path, const char *top, struct oci_err *err);
int cg_write_pid(const char *dir, pid_t pid, struct oci_err *err);
/* The pids in the container's cgroup and the cgroups below it (malloc'd
 * array): the cgroup2 tree or the first v1 one, and the v1 freezer's. */
int cg_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct oci_err *err);

#endif
