/* See cgroup_fixtures.h. */
#include "config.h"
#include "cgroup_fixtures.h"
#include "libcontainer/util.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

struct spec_config *cfg;

struct spec_config *parse(const char *sq)
{
    char *doc = xstrdup(sq), *msg = NULL;
    for (char *p = doc; *p; p++)
        if (*p == '\'')
            *p = '"';
    struct spec_config *c = spec_config_parse(doc, strlen(doc), "config.json", &msg);
    ck_assert_msg(c != NULL, "parse: %s", msg ? msg : "?");
    free(doc);
    return c;
}

int create_with(struct cgroup *cg, const char *res_json, struct oci_err *err)
{
    struct spec_config *c = parse(res_json);
    int rc = cgroup_create(cg, RESOURCES(c), err);
    spec_config_free(c);
    return rc;
}

int update_with(struct cgroup *cg, const char *res_json, struct oci_err *err)
{
    struct spec_config *c = parse(res_json);
    int rc = cgroup_apply(cg, RESOURCES(c), true, err);
    spec_config_free(c);
    return rc;
}

const struct spec_resources *res_of(const char *resources)
{
    char *doc;
    xasprintf(&doc, "{'ociVersion':'1.3.0','root':{'path':'rootfs'},'linux':{'resources':%s}}",
              resources);
    cfg = parse(doc);
    free(doc);
    ck_assert_ptr_nonnull(RESOURCES(cfg));
    return RESOURCES(cfg);
}

void apply_ok(struct cgroup *cg, const char *resources, bool update)
{
    struct oci_err err = {0};
    int rc = cgroup_apply(cg, res_of(resources), update, &err);
    ck_assert_msg(rc == 0, "apply: %s", err.msg);
}

char *slurp(const char *path)
{
    char *s = NULL;
    if (read_file_at(AT_FDCWD, path, &s, NULL, 1 << 20) < 0)
        return NULL;
    return s;
}
