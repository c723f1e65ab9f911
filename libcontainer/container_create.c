/* create: prepare (parse, validate, plan), then spawn (state directory,
 * cgroup, clone, the init's set-up, state.json). */
#include "config.h"
#include "spawn.h"

int container_create(const struct container_opts *o, struct oci_err *err)
{
    struct container c;
    int rc = spawn_prepare(&c, o, err);
    if (rc == 0)
        rc = spawn_init(&c, err);
    if (rc < 0)
        spawn_abort(&c);
    spawn_free(&c);
    return rc;
}
