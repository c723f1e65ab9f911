/* cgroup v1 hierarchies (legacy hosts, and the v1 half of hybrid hosts). */
#include "config.h"
#include "cgroup_backend.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static bool has_controller(const struct cg_hier *h, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = h->controllers; (p = strstr(p, name)); p += n)
        if ((p == h->controllers || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static int v1_destroy(struct cgroup *cg, struct oci_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < cg->n_hier; i++) {
        struct oci_err e = {0};
        if (cg_rmdir_path(cg->hier[i].mnt, cg->path, cg->top, &e) < 0 && rc == 0) {
            *err = e;
            rc = -1;
        }
    }
    return rc;
}

static int v1_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    (void)res;
    for (size_t i = 0; i < cg->n_hier; i++) {
        const struct cg_hier *h = &cg->hier[i];
        if (cg_mkdir_path(h->mnt, cg->path, has_controller(h, "cpuset"), err) < 0) {
            struct oci_err ignored = {0};
            v1_destroy(cg, &ignored);
            return -1;
        }
    }
    return 0;
}

/* pid 0: the caller moves itself through "tasks" (see cgroup_enter_self) */
static int v1_enter(struct cgroup *cg, pid_t pid, struct oci_err *err)
{
    char path[4096];
    for (size_t i = 0; i < cg->n_hier; i++) {
        if (pid) {
            snprintf(path, sizeof(path), "%s%s", cg->hier[i].mnt, cg->path);
            if (cg_write_pid(path, pid, err) < 0)
                return -1;
            continue;
        }
        snprintf(path, sizeof(path), "%s%s/tasks", cg->hier[i].mnt, cg->path);
        if (write_file_at(AT_FDCWD, path, "0", 1) < 0)
            return err_set(err, errno, "cgroup: join %s%s", cg->hier[i].mnt, cg->path);
    }
    return 0;
}

const struct cgroup_backend cgroup_v1_backend = {
    .name = "v1",
    .create = v1_create,
    .enter = v1_enter,
    .destroy = v1_destroy,
};
