/* OCI hooks: each program gets the container's state JSON on stdin, its
 * args and env, and is killed after its timeout. Who runs which kind, and
 * where (runtime or container namespace), is the lifecycle's business:
 * this runs the hooks of one kind, in order, in the calling process's
 * namespaces. */
#ifndef OCI_HOOKS_H
#define OCI_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "specs/spec_config.h"
#include "specs/state.h"

/* Run every hook of kind; stop at the first failure (err names the kind,
 * the index and the path). */
int hooks_run(const struct spec_hooks *h, enum spec_hook_kind kind, const char *state_json,
              struct oci_err *err);
/* Run them all, logging failures as warnings (poststart, poststop). */
void hooks_run_warn(const struct spec_hooks *h, enum spec_hook_kind kind, const char *state_json);
/* A bit per kind that has hooks (kept in state.json). */
unsigned hooks_kinds(const struct spec_hooks *h);
/* The state JSON a hook receives. */
char *hooks_state_json(const struct spec_state *s);

#endif
