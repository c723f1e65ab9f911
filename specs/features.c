#include "specs/features.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#define S(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void strv(yajl_gen g, const char *key, const struct spec_strv *v)
{
    S(g, key);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->n; i++)
        S(g, v->items[i]);
    yajl_gen_array_close(g);
}

static void flag(yajl_gen g, const char *key, bool v)
{
    S(g, key);
    yajl_gen_bool(g, v);
}

static void enabled(yajl_gen g, const char *key, bool v)
{
    S(g, key);
    yajl_gen_map_open(g);
    flag(g, "enabled", v);
    yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g, const struct spec_features *f)
{
    S(g, "linux");
    yajl_gen_map_open(g);
    strv(g, "namespaces", &f->linux_.namespaces);
    strv(g, "capabilities", &f->linux_.capabilities);
    S(g, "cgroup");
    yajl_gen_map_open(g);
    flag(g, "v1", f->linux_.cgroup_v1);
    flag(g, "v2", f->linux_.cgroup_v2);
    flag(g, "systemd", f->linux_.cgroup_systemd);
    flag(g, "systemdUser", f->linux_.cgroup_systemd_user);
    flag(g, "rdma", f->linux_.cgroup_rdma);
    yajl_gen_map_close(g);
    S(g, "seccomp");
    yajl_gen_map_open(g);
    flag(g, "enabled", f->linux_.seccomp_enabled);
    strv(g, "actions", &f->linux_.seccomp_actions);
    strv(g, "operators", &f->linux_.seccomp_operators);
    strv(g, "archs", &f->linux_.seccomp_archs);
    strv(g, "knownFlags", &f->linux_.seccomp_known_flags);
    strv(g, "supportedFlags", &f->linux_.seccomp_supported_flags);
    yajl_gen_map_close(g);
    enabled(g, "apparmor", f->linux_.apparmor);
    enabled(g, "selinux", f->linux_.selinux);
    S(g, "intelRdt");
    yajl_gen_map_open(g);
    flag(g, "enabled", f->linux_.intel_rdt);
    flag(g, "schemata", f->linux_.intel_rdt_schemata);
    flag(g, "monitoring", f->linux_.intel_rdt_monitoring);
    yajl_gen_map_close(g);
    S(g, "memoryPolicy");
    yajl_gen_map_open(g);
    strv(g, "modes", &f->linux_.mempolicy_modes);
    strv(g, "flags", &f->linux_.mempolicy_flags);
    yajl_gen_map_close(g);
    S(g, "mountExtensions");
    yajl_gen_map_open(g);
    enabled(g, "idmap", f->linux_.idmap_mounts);
    yajl_gen_map_close(g);
    enabled(g, "netDevices", f->linux_.net_devices);
    yajl_gen_map_close(g);
}

char *spec_features_json(const struct spec_features *f)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    yajl_gen_map_open(g);
    S(g, "ociVersionMin");
    S(g, f->oci_version_min);
    S(g, "ociVersionMax");
    S(g, f->oci_version_max);
    strv(g, "hooks", &f->hooks);
    strv(g, "mountOptions", &f->mount_options);
    gen_linux(g, f);
    S(g, "annotations");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < f->annotations.n; i++) {
        S(g, f->annotations.items[i].key);
        S(g, f->annotations.items[i].value);
    }
    yajl_gen_map_close(g);
    strv(g, "potentiallyUnsafeConfigAnnotations", &f->unsafe_annotations);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    char *out = malloc(len + 2);
    if (out) {
        memcpy(out, buf, len);
        out[len] = '\n';
        out[len + 1] = '\0';
    }
    yajl_gen_free(g);
    return out;
}
