/* The features document as JSON, members in the order of features.md. */
#include "specs/features.h"
#include "specs/json_gen.h"

#include <stdlib.h>

static void strv(struct json_gen *j, const char *key, const struct spec_strv *v)
{
    json_gen_key(j, key);
    json_gen_array_open(j);
    for (size_t i = 0; i < v->n; i++)
        json_gen_str(j, v->items[i]);
    json_gen_array_close(j);
}

static void enabled(struct json_gen *j, const char *key, bool v)
{
    json_gen_key(j, key);
    json_gen_map_open(j);
    json_gen_kv_bool(j, "enabled", v);
    json_gen_map_close(j);
}

static void gen_linux(struct json_gen *j, const struct spec_features *f)
{
    json_gen_key(j, "linux");
    json_gen_map_open(j);
    strv(j, "namespaces", &f->linux_.namespaces);
    strv(j, "capabilities", &f->linux_.capabilities);
    json_gen_key(j, "cgroup");
    json_gen_map_open(j);
    json_gen_kv_bool(j, "v1", f->linux_.cgroup_v1);
    json_gen_kv_bool(j, "v2", f->linux_.cgroup_v2);
    json_gen_kv_bool(j, "systemd", f->linux_.cgroup_systemd);
    json_gen_kv_bool(j, "systemdUser", f->linux_.cgroup_systemd_user);
    json_gen_kv_bool(j, "rdma", f->linux_.cgroup_rdma);
    json_gen_map_close(j);
    json_gen_key(j, "seccomp");
    json_gen_map_open(j);
    json_gen_kv_bool(j, "enabled", f->linux_.seccomp_enabled);
    strv(j, "actions", &f->linux_.seccomp_actions);
    strv(j, "operators", &f->linux_.seccomp_operators);
    strv(j, "archs", &f->linux_.seccomp_archs);
    strv(j, "knownFlags", &f->linux_.seccomp_known_flags);
    strv(j, "supportedFlags", &f->linux_.seccomp_supported_flags);
    json_gen_map_close(j);
    enabled(j, "apparmor", f->linux_.apparmor);
    enabled(j, "selinux", f->linux_.selinux);
    json_gen_key(j, "intelRdt");
    json_gen_map_open(j);
    json_gen_kv_bool(j, "enabled", f->linux_.intel_rdt);
    json_gen_kv_bool(j, "schemata", f->linux_.intel_rdt_schemata);
    json_gen_kv_bool(j, "monitoring", f->linux_.intel_rdt_monitoring);
    json_gen_map_close(j);
    json_gen_key(j, "memoryPolicy");
    json_gen_map_open(j);
    strv(j, "modes", &f->linux_.mempolicy_modes);
    strv(j, "flags", &f->linux_.mempolicy_flags);
    json_gen_map_close(j);
    json_gen_key(j, "mountExtensions");
    json_gen_map_open(j);
    enabled(j, "idmap", f->linux_.idmap_mounts);
    json_gen_map_close(j);
    enabled(j, "netDevices", f->linux_.net_devices);
    json_gen_map_close(j);
}

char *spec_features_json(const struct spec_features *f, char **errmsg)
{
    struct json_gen j;
    json_gen_init(&j, "    ", NULL, JSON_GEN_NEWLINE);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "ociVersionMin", f->oci_version_min);
    json_gen_kv_str(&j, "ociVersionMax", f->oci_version_max);
    strv(&j, "hooks", &f->hooks);
    strv(&j, "mountOptions", &f->mount_options);
    gen_linux(&j, f);
    json_gen_key(&j, "annotations");
    json_gen_map_open(&j);
    for (size_t i = 0; i < f->annotations.n; i++)
        json_gen_kv_str(&j, f->annotations.items[i].key, f->annotations.items[i].value);
    json_gen_map_close(&j);
    strv(&j, "potentiallyUnsafeConfigAnnotations", &f->unsafe_annotations);
    json_gen_map_close(&j);
    return json_gen_finish(&j, NULL, errmsg);
}
