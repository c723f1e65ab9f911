/* cgroup2: the controllers a config's limits need, enabled in the
 * subtree_control of each directory above the container, from the
 * hierarchy's root down, as runc and crun do (they stay enabled there);
 * oci-rt's own directories (cg->top and below) get only those. */
#include "config.h"
#include "cgroup_fs.h"
#include "cgroup_need.h"
#include "cgroup_v2_enable.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

/* The v2 controllers, in the order they are enabled. */
static const char *const v2_controllers[] = {"cpuset",  "cpu",  "io",   "memory",
                                             "hugetlb", "pids", "rdma", "misc"};

static unsigned controller_mask(const char *list)
{
    unsigned m = 0;
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++)
        if (cg2_word_in(list, v2_controllers[i]))
            m |= 1u << i;
    return m;
}

static int read_mask(const char *dir, const char *file, unsigned *out, struct oci_err *err)
{
    char path[PATH_MAX_LEN + 32], buf[512];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (cg2_read(AT_FDCWD, path, buf, sizeof(buf)) < 0)
        return err_set(err, errno, "cgroup: read %s", path);
    *out = controller_mask(buf);
    return 0;
}

/* The cgroup2 controllers the limits of res ask for. */
static unsigned needed_mask(const struct spec_resources *res)
{
    struct cg_need need[16];
    size_t n = cg_needs(res, need, ARRAY_SIZE(need));
    unsigned m = 0;
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++) {
        for (size_t j = 0; j < n; j++)
            if (need[j].v2 && !strcmp(need[j].v2, v2_controllers[i]))
                m |= 1u << i;
        if (cg_unified_needs(res, v2_controllers[i]))
            m |= 1u << i;
    }
    return m;
}

/* "+c" for each controller of add into dir's subtree_control: in one write,
 * else one by one. Returns those the kernel refused (*e: the first errno). */
static unsigned enable_in(const char *dir, unsigned add, int *e)
{
    char path[PATH_MAX_LEN + 32], buf[256] = "";
    snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++)
        if (add & (1u << i))
            snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s+%s", buf[0] ? " " : "",
                     v2_controllers[i]);
    if (!add || write_file_at(AT_FDCWD, path, buf, strlen(buf)) == 0)
        return 0;
    unsigned refused = 0;
    for (size_t i = 0; i < ARRAY_SIZE(v2_controllers); i++) {
        if (!(add & (1u << i)))
            continue;
        snprintf(buf, sizeof(buf), "+%s", v2_controllers[i]);
        if (write_file_at(AT_FDCWD, path, buf, strlen(buf)) < 0) {
            if (!*e)
                *e = errno;
            refused |= 1u << i;
            log_debug("cgroup: enable %s in %s: %s", v2_controllers[i], path, strerror(errno));
        }
    }
    return refused;
}

/* One level above the container: in a cgroup this container made, every
 * controller offered (stats need them even without limits, as runc and
 * crun do); in one it did not make, only what the limits need, left
 * enabled afterwards (others may rely on it by then). */
static int enable_level(const char *dir, bool ours, unsigned need, struct oci_err *err)
{
    unsigned avail, on;
    if (read_mask(dir, "cgroup.controllers", &avail, err) < 0 ||
        read_mask(dir, "cgroup.subtree_control", &on, err) < 0)
        return -1;
    int e = 0;
    unsigned refused = enable_in(dir, (ours ? avail : need & avail) & ~on, &e) & need;
    for (size_t i = 0; refused && i < ARRAY_SIZE(v2_controllers); i++)
        if (refused & (1u << i))
            return err_set(err, e, "cgroup %s: cannot enable the %s controller", dir,
                           v2_controllers[i]);
    return 0;
}

int cg2_enable_controllers(struct cgroup *cg, const struct spec_resources *res, struct oci_err *err)
{
    unsigned need = needed_mask(res);
    size_t top_len = strlen(cg->top), path_len = strlen(cg->path);
    /* the levels from cg->top down are this container's */
    size_t ours_from = path_len;
    if (top_len && top_len <= path_len && !strncmp(cg->top, cg->path, top_len) &&
        (cg->path[top_len] == '/' || cg->path[top_len] == '\0'))
        ours_from = top_len;
    /* from the hierarchy's root (the top of our reach) to the parent */
    char dir[PATH_MAX_LEN];
    for (size_t end = 0; end < path_len;) {
        bool ours = end >= ours_from;
        if (ours || need) {
            snprintf(dir, sizeof(dir), "%s%.*s", cg->v2_mnt, (int)end, cg->path);
            if (enable_level(dir, ours, need, err) < 0)
                return -1;
        }
        const char *next = strchr(cg->path + end + 1, '/');
        end = next ? (size_t)(next - cg->path) : path_len;
    }
    return 0;
}
