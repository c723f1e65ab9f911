/* Fixtures shared by the cgroup unit tests: the fake-hierarchy programs
 * (check_cgroup_v1.c, check_cgroup_v2.c) and the real-kernel ones
 * (check_cgroup_v1_real.c, check_cgroup_v2_real.c). Configs are written
 * with single quotes for double quotes. */
#ifndef OCI_RT_TESTS_CGROUP_FIXTURES_H
#define OCI_RT_TESTS_CGROUP_FIXTURES_H

#include "libcontainer/cgroups.h"
#include "specs/spec_config.h"

#include <stdbool.h>

/* A whole config.json around the members x of linux.resources. */
#define RES(x) "{'ociVersion':'1.3.0','root':{'path':'rootfs'},'linux':{'resources':{" x "}}}"
#define RESOURCES(c) ((c)->linux_->resources)

/* The config (a failed parse fails the test). */
struct spec_config *parse(const char *sq);
/* cgroup_create / cgroup_apply(update) with the linux.resources of the
 * config res_json (RES(...)). */
int create_with(struct cgroup *cg, const char *res_json, struct oci_err *err);
int update_with(struct cgroup *cg, const char *res_json, struct oci_err *err);

/* The config of the last res_of / apply_ok: the caller frees it. */
extern struct spec_config *cfg;
/* The linux.resources object given as text (sets cfg). */
const struct spec_resources *res_of(const char *resources);
/* cgroup_apply of that object, which must succeed. */
void apply_ok(struct cgroup *cg, const char *resources, bool update);

/* The file's content, NULL when it cannot be read. */
char *slurp(const char *path);

#endif
