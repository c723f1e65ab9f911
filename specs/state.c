#include "specs/state.h"
#include "specs/json_gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* A member whose value may be absent: nothing is written for NULL. */
static void kv_opt(struct json_gen *j, const char *k, const char *v)
{
    if (v)
        json_gen_kv_str(j, k, v);
}

/* oci-rt's private members of state.json */
static void gen_record(struct json_gen *j, const struct spec_state *s)
{
    char buf[32];

    json_gen_kv_int(j, "ownerUid", s->owner);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->pid_start);
    json_gen_kv_str(j, "pidStart", buf);
    kv_opt(j, "cgroupMode", s->cgroup_mode);
    kv_opt(j, "cgroupPath", s->cgroup_path);
    kv_opt(j, "cgroupTop", s->cgroup_top);
    kv_opt(j, "cgroupDelegate", s->cgroup_delegate);
    json_gen_kv_bool(j, "pidns", s->pidns);
    json_gen_kv_bool(j, "systemdCgroup", s->systemd_cgroup);
    json_gen_kv_int(j, "hookKinds", s->hook_kinds);
    if (s->host_mounts) {
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->rootfs_mnt_before);
        json_gen_kv_str(j, "rootfsMountBefore", buf);
    }
}

void spec_state_gen(struct json_gen *j, const struct spec_state *s, enum spec_state_view view)
{
    json_gen_map_open(j);
    kv_opt(j, "ociVersion", s->oci_version ? s->oci_version : SPEC_OCI_VERSION);
    kv_opt(j, "id", s->id);
    kv_opt(j, "status", s->status);
    json_gen_kv_int(j, "pid", s->pid);
    kv_opt(j, "bundle", s->bundle);
    if (view != SPEC_STATE_SPEC) {
        kv_opt(j, "rootfs", s->rootfs);
        kv_opt(j, "created", s->created);
        json_gen_kv_str(j, "owner", s->owner_name ? s->owner_name : "");
    }
    if (s->annotations.n) {
        json_gen_key(j, "annotations");
        json_gen_map_open(j);
        for (size_t i = 0; i < s->annotations.n; i++)
            kv_opt(j, s->annotations.items[i].key, s->annotations.items[i].value);
        json_gen_map_close(j);
    }
    if (view == SPEC_STATE_RECORD)
        gen_record(j, s);
    json_gen_map_close(j);
}

char *spec_state_to_json(const struct spec_state *s, bool full, bool pretty, size_t *len)
{
    struct json_gen j;
    json_gen_init(&j, pretty ? "  " : NULL, NULL, JSON_GEN_NEWLINE);
    spec_state_gen(&j, s, full ? SPEC_STATE_RECORD : SPEC_STATE_SHOW);
    return json_gen_finish(&j, len, NULL);
}

int spec_state_write(const struct spec_state *s, bool full, FILE *f)
{
    struct json_gen j;
    json_gen_init(&j, NULL, f, JSON_GEN_NEWLINE);
    spec_state_gen(&j, s, full ? SPEC_STATE_RECORD : SPEC_STATE_SHOW);
    return json_gen_finish_file(&j, NULL);
}

char *spec_state_list_json(struct spec_state *const *states, size_t n, size_t *len, char **errmsg)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, JSON_GEN_NEWLINE);
    json_gen_array_open(&j);
    for (size_t i = 0; i < n; i++)
        spec_state_gen(&j, states[i], SPEC_STATE_SHOW);
    json_gen_array_close(&j);
    return json_gen_finish(&j, len, errmsg);
}

/* A copy of a string member (NULL when absent); *oom when the copy failed. */
static char *get_str(yajl_val root, const char *key, bool *oom)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    char *s = v ? strdup(v->u.string) : NULL;
    *oom |= v && !s;
    return s;
}

static long long get_int(yajl_val root, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_number);
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool get_bool(yajl_val root, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_any);
    return v && YAJL_IS_TRUE(v);
}

/* NULL, with "out of memory" as the message where it can be had. */
static struct spec_state *oom_error(char **errmsg)
{
    if (errmsg)
        *errmsg = strdup("state.json: out of memory");
    return NULL;
}

struct spec_state *spec_state_parse(const char *data, size_t len, char **errmsg)
{
    char ebuf[256];
    char *copy = strndup(data, len);
    if (!copy)
        return oom_error(errmsg);
    yajl_val root = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
    free(copy);
    if (!root || !YAJL_IS_OBJECT(root)) {
        if (errmsg) {
            char *nl;
            while ((nl = strchr(ebuf, '\n')))
                *nl = ' ';
            if (asprintf(errmsg, "state.json: invalid JSON: %s", root ? "not an object" : ebuf) < 0)
                *errmsg = NULL;
        }
        yajl_tree_free(root);
        return NULL;
    }
    struct spec_state *s = calloc(1, sizeof(*s));
    if (!s) {
        yajl_tree_free(root);
        return oom_error(errmsg);
    }
    bool oom = false;
    s->oci_version = get_str(root, "ociVersion", &oom);
    s->id = get_str(root, "id", &oom);
    s->status = get_str(root, "status", &oom);
    s->pid = (int)get_int(root, "pid");
    s->bundle = get_str(root, "bundle", &oom);
    s->rootfs = get_str(root, "rootfs", &oom);
    s->created = get_str(root, "created", &oom);
    s->owner = (uint32_t)get_int(root, "ownerUid");
    char *ps = get_str(root, "pidStart", &oom);
    s->pid_start = ps ? strtoull(ps, NULL, 10) : 0;
    free(ps);
    s->cgroup_mode = get_str(root, "cgroupMode", &oom);
    s->cgroup_path = get_str(root, "cgroupPath", &oom);
    s->cgroup_top = get_str(root, "cgroupTop", &oom);
    s->cgroup_delegate = get_str(root, "cgroupDelegate", &oom);
    s->pidns = get_bool(root, "pidns");
    s->systemd_cgroup = get_bool(root, "systemdCgroup");
    s->hook_kinds = (unsigned)get_int(root, "hookKinds");
    char *mb = get_str(root, "rootfsMountBefore", &oom);
    s->host_mounts = mb != NULL;
    s->rootfs_mnt_before = mb ? strtoull(mb, NULL, 10) : 0;
    free(mb);
    const char *apath[] = {"annotations", NULL};
    yajl_val a = yajl_tree_get(root, apath, yajl_t_object);
    if (a && YAJL_GET_OBJECT(a)->len) {
        size_t n = YAJL_GET_OBJECT(a)->len;
        s->annotations.items = calloc(n, sizeof(struct spec_kv));
        oom |= !s->annotations.items;
        for (size_t i = 0; s->annotations.items && i < n; i++) {
            yajl_val v = YAJL_GET_OBJECT(a)->values[i];
            if (!YAJL_IS_STRING(v))
                continue;
            struct spec_kv *kv = &s->annotations.items[s->annotations.n++];
            kv->key = strdup(YAJL_GET_OBJECT(a)->keys[i]);
            kv->value = strdup(v->u.string);
            oom |= !kv->key || !kv->value;
        }
    }
    yajl_tree_free(root);
    if (oom) {
        spec_state_free(s);
        return oom_error(errmsg);
    }
    if (!s->id) {
        if (errmsg && asprintf(errmsg, "state.json: id: required field missing") < 0)
            *errmsg = NULL;
        spec_state_free(s);
        return NULL;
    }
    return s;
}

void spec_state_free(struct spec_state *s)
{
    if (!s)
        return;
    free(s->oci_version);
    free(s->id);
    free(s->status);
    free(s->bundle);
    free(s->rootfs);
    free(s->created);
    free(s->owner_name);
    free(s->cgroup_mode);
    free(s->cgroup_path);
    free(s->cgroup_top);
    free(s->cgroup_delegate);
    for (size_t i = 0; i < s->annotations.n; i++) {
        free(s->annotations.items[i].key);
        free(s->annotations.items[i].value);
    }
    free(s->annotations.items);
    free(s);
}
