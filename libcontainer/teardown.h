/* The end of a container from its record. */
#ifndef OCI_TEARDOWN_H
#define OCI_TEARDOWN_H

#include "cgroups.h"
#include "error.h"
#include "specs/state.h"
#include "state.h"

/* Kill what is left of a container and wait for its init to be gone. */
int teardown_kill_wait(const struct spec_state *s, struct cgroup *cg, struct oci_err *err);
/* Kill what is left, remove the cgroup, the mounts left on the host and the
 * state directory. */
int teardown_destroy(struct state_dir *sd, const struct spec_state *s, struct oci_err *err);
/* runtime-spec lifecycle steps 12 and 13: teardown_destroy, then the
 * poststop hooks from the config saved with the record, failures as
 * warnings. */
int teardown_finish(struct state_dir *sd, struct spec_state *s, struct oci_err *err);

#endif
