/* state and list. */
#include "config.h"
#include "record.h"
#include "user.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* The owner's name: one lookup per distinct owner in a listing (it reads
 * /etc/passwd each time: once the largest part of a list). From the host's
 * /etc/passwd, as runc's list (not NSS: the runtime is a static program,
 * dynload.h); an owner not there is shown by number. */
struct owner_cache {
    bool valid;
    uid_t uid;
    char *name;
};

static void set_owner_name(struct spec_state *s, struct owner_cache *oc)
{
    if (!oc->valid || oc->uid != s->owner) {
        struct user_entry pw;
        free(oc->name);
        if (user_lookup_host(s->owner, &pw) == 1)
            oc->name = xstrdup(pw.name);
        else
            xasprintf(&oc->name, "%u", s->owner);
        oc->uid = s->owner;
        oc->valid = true;
    }
    s->owner_name = xstrdup(oc->name);
}

static int state_with_cache(const char *root, const char *id, struct spec_state **out,
                            struct owner_cache *oc, struct oci_err *err)
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
        set_owner_name(*out, oc);
    }
    return rc;
}

int container_state(const char *root, const char *id, struct spec_state **out, struct oci_err *err)
{
    struct owner_cache oc = {0};
    int rc = state_with_cache(root, id, out, &oc, err);
    free(oc.name);
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
    struct owner_cache oc = {0};
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        struct spec_state *s;
        struct oci_err ignored = {0};
        if (state_with_cache(root, e->d_name, &s, &oc, &ignored) < 0)
            continue; /* being created or deleted right now */
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = s;
    }
    closedir(d);
    free(oc.name);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_state);
    return 0;
}
