/* The cgroup2 hierarchy (unified hosts, and the v2 half of hybrid hosts). */
#include "config.h"
#include "cgroup_backend.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>

static int v2_destroy(struct cgroup *cg, struct oci_err *err)
{
    if (cg->v2_fd >= 0) {
        close(cg->v2_fd);
        cg->v2_fd = -1;
    }
    return cg_rmdir_path(cg->v2_mnt, cg->path, cg->top, err);
}

static int v2_create(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    (void)res;
    if (cg_mkdir_path(cg->v2_mnt, cg->path, false, err) < 0)
        return -1;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s%s", cg->v2_mnt, cg->path);
    /* for clone3(CLONE_INTO_CGROUP) */
    cg->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cg->v2_fd < 0) {
        err_set(err, errno, "cgroup: open %s", dir);
        struct oci_err ignored = {0};
        v2_destroy(cg, &ignored);
        return -1;
    }
    return 0;
}

static int v2_enter(struct cgroup *cg, pid_t pid, struct oci_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s%s", cg->v2_mnt, cg->path);
    return cg_write_pid(dir, pid, err);
}

const struct cgroup_backend cgroup_v2_backend = {
    .name = "v2",
    .create = v2_create,
    .enter = v2_enter,
    .destroy = v2_destroy,
};
