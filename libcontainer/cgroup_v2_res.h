/* cgroup2: linux.resources as the controllers' files, and statistics. */
#ifndef OCI_CGROUP_V2_RES_H
#define OCI_CGROUP_V2_RES_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroups.h"
#include "error.h"

/* Load the device filter ahead (cgroup_preload_devices), where v2 has one:
 * res's rules with runc's defaults after them, as apply will have them. */
void cg2_preload_devices(struct cgroup *cg, const struct spec_resources *res);
int cg2_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
              struct oci_err *err);
int cg2_stats(struct cgroup *cg, struct cgroup_stats *st, struct oci_err *err);

/* The conversions runc makes from the v1 values of the spec. */
uint64_t cg2_cpu_weight(uint64_t shares);      /* cpu.shares 2..262144 -> 1..10000 */
uint64_t cg2_io_weight(uint64_t blkio_weight); /* blkio 10..1000 -> io 1..10000 */
/* memory.swap (memory+swap) -> memory.swap.max; -1 max, 0 not set. */
int cg2_swap_max(int64_t swap, int64_t limit, int64_t *out, struct oci_err *err);

#endif
