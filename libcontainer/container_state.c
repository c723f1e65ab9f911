/* state and list. */
#include "config.h"
#include "container_internal.h"
#include "util.h"

#include <dirent.h>
#include <pwd.h>
#include <string.h>

int container_check_id(const char *id, struct oci_err *err)
{
    if (!id || !*id)
        return err_set(err, 0, "a container ID is required");
    size_t len = strlen(id);
    /* a file name (the state directory, the cgroup) */
    if (len > CONTAINER_ID_MAX)
        return err_set(err, 0, "invalid container ID \"%.32s...\" (%zu characters): at most %d", id,
                       len, CONTAINER_ID_MAX);
    if (!strcmp(id, ".") || !strcmp(id, ".."))
        return err_set(err, 0, "invalid container ID \"%s\"", id);
    for (const char *p = id; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' || ch == '+';
        if (!ok)
            return err_set(err, 0,
                           "invalid container ID \"%s\": only letters, digits and _ + - . are "
                           "allowed",
                           id);
    }
    return 0;
}

enum container_status container_status(struct state_dir *sd, const struct spec_state *s)
{
    enum container_status st = state_status(sd, s);
    if (st != STATUS_RUNNING && st != STATUS_CREATED)
        return st;
    struct cgroup cg = {.v2_fd = -1};
    struct oci_err ignored = {0};
    if (container_state_cgroup(s, &cg, &ignored) == 0 && cgroup_frozen(&cg) == 1)
        st = STATUS_PAUSED;
    cgroup_release(&cg);
    return st;
}

int container_state(const char *root, const char *id, struct spec_state **out, struct oci_err *err)
{
    *out = NULL;
    if (container_check_id(id, err) < 0)
        return -1;
    struct state_dir sd = {.dirfd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_NONE, &sd, out, err);
    if (rc == 0) {
        enum container_status st = container_status(&sd, *out);
        free((*out)->status);
        (*out)->status = xstrdup(container_status_names[st]);
        if (st == STATUS_STOPPED)
            (*out)->pid = 0;
        struct passwd *pw = getpwuid((*out)->owner);
        if (pw)
            (*out)->owner_name = xstrdup(pw->pw_name);
        else
            xasprintf(&(*out)->owner_name, "%u", (*out)->owner);
    }
    state_dir_close(&sd);
    return rc;
}

static int cmp_state(const void *a, const void *b)
{
    return strcmp((*(struct spec_state *const *)a)->id, (*(struct spec_state *const *)b)->id);
}

int container_list(const char *root, struct spec_state ***out, size_t *n, struct oci_err *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(root);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, errno, "state root %s", root);
    }
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        struct spec_state *s;
        struct oci_err ignored = {0};
        if (container_state(root, e->d_name, &s, &ignored) < 0)
            continue; /* being created or deleted right now */
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = s;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_state);
    return 0;
}
