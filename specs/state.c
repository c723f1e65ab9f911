#include "specs/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
    if (!v)
        return;
    GS(g, k);
    GS(g, v);
}

static void gen_state(yajl_gen g, const struct spec_state *s, bool full)
{
    yajl_gen_map_open(g);
    gen_kv_str(g, "ociVersion", s->oci_version ? s->oci_version : SPEC_OCI_VERSION);
    gen_kv_str(g, "id", s->id);
    gen_kv_str(g, "status", s->status);
    GS(g, "pid");
    yajl_gen_integer(g, s->pid);
    gen_kv_str(g, "bundle", s->bundle);
    gen_kv_str(g, "rootfs", s->rootfs);
    gen_kv_str(g, "created", s->created);
    GS(g, "owner");
    GS(g, s->owner_name ? s->owner_name : "");
    if (s->annotations.n) {
        GS(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < s->annotations.n; i++)
            gen_kv_str(g, s->annotations.items[i].key, s->annotations.items[i].value);
        yajl_gen_map_close(g);
    }
    if (full) {
        GS(g, "ownerUid");
        yajl_gen_integer(g, s->owner);
        char buf[32];
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->pid_start);
        gen_kv_str(g, "pidStart", buf);
        gen_kv_str(g, "cgroupMode", s->cgroup_mode);
        gen_kv_str(g, "cgroupPath", s->cgroup_path);
        gen_kv_str(g, "cgroupTop", s->cgroup_top);
        if (s->cgroup_delegate)
            gen_kv_str(g, "cgroupDelegate", s->cgroup_delegate);
        GS(g, "pidns");
        yajl_gen_bool(g, s->pidns);
        GS(g, "systemdCgroup");
        yajl_gen_bool(g, s->systemd_cgroup);
        GS(g, "hookKinds");
        yajl_gen_integer(g, s->hook_kinds);
        if (s->host_mounts) {
            snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->rootfs_mnt_before);
            gen_kv_str(g, "rootfsMountBefore", buf);
        }
    }
    yajl_gen_map_close(g);
}

static char *finish(yajl_gen g, size_t *len)
{
    const unsigned char *buf;
    size_t n;
    yajl_gen_get_buf(g, &buf, &n);
    char *out = malloc(n + 2);
    if (out) {
        memcpy(out, buf, n);
        out[n] = '\n';
        out[n + 1] = '\0';
        if (len)
            *len = n + 1;
    }
    yajl_gen_free(g);
    return out;
}

char *spec_state_to_json(const struct spec_state *s, bool full, bool pretty, size_t *len)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
    yajl_gen_config(g, yajl_gen_indent_string, "  ");
    gen_state(g, s, full);
    return finish(g, len);
}

static void print_to_file(void *ctx, const char *s, size_t len)
{
    fwrite(s, 1, len, ctx);
}

int spec_state_write(const struct spec_state *s, bool full, FILE *f)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return -1;
    yajl_gen_config(g, yajl_gen_print_callback, print_to_file, f);
    gen_state(g, s, full);
    yajl_gen_free(g);
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

char *spec_state_list_json(struct spec_state *const *states, size_t n, size_t *len)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++)
        gen_state(g, states[i], false);
    yajl_gen_array_close(g);
    return finish(g, len);
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
