/* The container's record: state.json written while create makes the
 * container, and read back by the other operations. */
#ifndef OCI_RECORD_H
#define OCI_RECORD_H

#include "cgroups.h"
#include "container_internal.h"
#include "error.h"
#include "specs/state.h"
#include "state.h"

/* A container ID as runc accepts it: [A-Za-z0-9_+.-]+, not "." or "..",
 * at most CONTAINER_ID_MAX characters. */
int record_check_id(const char *id, struct oci_err *err);
/* The status from facts (state_status), "paused" from the cgroup freezer. */
enum container_status record_status(struct state_dir *sd, const struct spec_state *s);
/* Open the cgroup a record names (mode CG_DISABLED when none). */
int record_cgroup(const struct spec_state *s, struct cgroup *cg, struct oci_err *err);
/* A container of the systemd cgroup driver, in a command that may reach
 * the bus (delete, update, checkpoint, start with hooks): the static
 * program hands the command to oci-rt-dynamic now, before it changes
 * anything (dynload.h); else 0. */
int record_bus_ahead(const struct spec_state *s, struct oci_err *err);
/* The first record, status "creating", with the config as created, before
 * the first resource is made: a create killed at any instant leaves what
 * state, list and delete --force need. */
int record_write_intent(struct container *c, struct oci_err *err);
/* The record of the init c->pid, status "created" (and --pid-file). */
int record_write_created(struct container *c, struct oci_err *err);
/* The state JSON hooks get, with status and pid (as the hook sees it). */
char *record_hook_state(const struct container *c, const char *status, int pid);
/* Hooks of kind from the config saved with the record, with the given
 * status; a failure is an error (poststart). */
int record_hooks_run(struct state_dir *sd, const struct spec_state *s, enum spec_hook_kind kind,
                     const char *status, struct oci_err *err);

#endif
