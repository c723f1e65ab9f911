/* state and list. */
#include "config.h"
#include "record.h"
#include "util.h"

#include <dirent.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

int container_state(const char *root, const char *id, struct spec_state **out, struct oci_err *err)
{
    *out = NULL;
    if (record_check_id(id, err) < 0)
        return -1;
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_NONE, &sd, out, err);
    if (rc == 0) {
        enum container_status st = record_status(&sd, *out);
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
