/* Internal to the cgroup v2 backend: shared by cgroup_v2.c (directories,
 * controllers, freezer, kill, OOM events) and cgroup_v2_res.c (resources
 * and statistics). */
#ifndef OCI_CGROUP_V2_H
#define OCI_CGROUP_V2_H

#include "cgroup_backend.h"

#include <stdint.h>

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
/* Enable in the directories oci-rt created above the container (cg->top
 * down to the container's parent) the controllers res needs, when the
 * first ancestor that is not ours has them in its subtree_control. */
int cg2_enable_controllers(struct cgroup *cg, const struct spec_resources *res,
                           struct oci_err *err);

int cg2_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
              struct oci_err *err);
int cg2_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err);

/* The conversions runc makes from the v1 values of the spec. */
uint64_t cg2_cpu_weight(uint64_t shares);      /* cpu.shares 2..262144 -> 1..10000 */
uint64_t cg2_io_weight(uint64_t blkio_weight); /* blkio 10..1000 -> io 1..10000 */
/* memory.swap (memory+swap) -> memory.swap.max; -1 max, 0 not set. */
int cg2_swap_max(int64_t swap, int64_t limit, int64_t *out, struct oci_err *err);

/* Write cgroup.kill of the container's cgroup2 directory (the kernel kills
 * its whole tree); -1 with errno (ENOENT: a kernel before 5.14). */
int cg2_kill_write(struct cgroup *cg);

#endif
