/* What `oci-rt features` reports, from the tables the mechanisms use. */
#include "config.h"
#include "cgroup_sdbus.h"
#include "features.h"
#include "caps.h"
#include "cgroups.h"
#include "criu.h"
#include "mounts.h"
#include "process_attrs.h"
#include "seccomp.h"
#include "util.h"

#include <seccomp.h>
#include <stdio.h>
#include <string.h>

static void add(struct spec_strv *v, const char *s)
{
    v->items = xrealloc(v->items, (v->n + 1) * sizeof(char *));
    v->items[v->n++] = xstrdup(s);
}

static void add_all(struct spec_strv *v, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        add(v, names[i]);
}

static void add_strv(struct spec_strv *v, const char *const *names)
{
    while (*names)
        add(v, *names++);
}

static void seccomp_features(struct spec_features *f)
{
    f->linux_.seccomp_enabled = true;
    add_strv(&f->linux_.seccomp_actions, spec_seccomp_actions);
    add_strv(&f->linux_.seccomp_operators, spec_seccomp_ops);
    uint32_t token;
    for (const char *const *a = spec_seccomp_archs; *a; a++)
        if (seccomp_arch_token(*a, &token) > 0)
            add(&f->linux_.seccomp_archs, *a);
    for (const char *const *fl = spec_seccomp_flags; *fl; fl++) {
        add(&f->linux_.seccomp_known_flags, *fl);
        if (seccomp_flag_supported(*fl))
            add(&f->linux_.seccomp_supported_flags, *fl);
    }
}

static void capabilities(struct spec_strv *v)
{
    for (int i = 0; i < 64; i++) {
        _cleanup_free_ char *n = caps_name(i);
        if (n)
            add(v, n);
    }
}

static void annotation(struct spec_map *m, const char *k, const char *v)
{
    m->items = xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
    m->items[m->n].key = xstrdup(k);
    m->items[m->n].value = xstrdup(v);
    m->n++;
}

void features_fill(struct spec_features *f, const char *version, const char *commit)
{
    memset(f, 0, sizeof(*f));
    f->oci_version_min = "1.0.0";
    f->oci_version_max = SPEC_OCI_VERSION;
    add_all(&f->hooks, spec_hook_kind_names, SPEC_HOOK_KINDS);
    const char *names[128];
    add_all(&f->mount_options, names, mount_option_names(names, ARRAY_SIZE(names)));
    add_all(&f->linux_.namespaces, spec_ns_type_names, SPEC_NS_TYPES);
    capabilities(&f->linux_.capabilities);
    f->linux_.cgroup_v1 = f->linux_.cgroup_v2 = f->linux_.cgroup_rdma = true;
    f->linux_.cgroup_systemd = cgroup_systemd_available();
    seccomp_features(f);
    f->linux_.apparmor = process_attrs_apparmor_enabled();
    f->linux_.selinux = process_attrs_selinux_enabled();
    add_all(&f->linux_.mempolicy_modes, names, process_attrs_mempolicy_names(false, names, 128));
    add_all(&f->linux_.mempolicy_flags, names, process_attrs_mempolicy_names(true, names, 128));
    f->linux_.idmap_mounts = true;
    f->linux_.net_devices = true;
    const struct scmp_version *sv = seccomp_version();
    char buf[64];
    snprintf(buf, sizeof(buf), "%u.%u.%u", sv->major, sv->minor, sv->micro);
    annotation(&f->annotations, "io.github.seccomp.libseccomp.version", buf);
    annotation(&f->annotations, "org.oci-rt.version", version);
    /* runc's key: checkpoint/restore works when there is a criu to drive */
    annotation(&f->annotations, "org.opencontainers.runc.checkpoint.enabled",
               criu_available(NULL) ? "true" : "false");
    annotation(&f->annotations, "org.oci-rt.commit", commit);
}

static void strv_free(struct spec_strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
}

void features_free(struct spec_features *f)
{
    struct spec_strv *all[] = {&f->hooks,
                               &f->mount_options,
                               &f->linux_.namespaces,
                               &f->linux_.capabilities,
                               &f->linux_.seccomp_actions,
                               &f->linux_.seccomp_operators,
                               &f->linux_.seccomp_archs,
                               &f->linux_.seccomp_known_flags,
                               &f->linux_.seccomp_supported_flags,
                               &f->linux_.mempolicy_modes,
                               &f->linux_.mempolicy_flags,
                               &f->unsafe_annotations};
    for (size_t i = 0; i < ARRAY_SIZE(all); i++)
        strv_free(all[i]);
    for (size_t i = 0; i < f->annotations.n; i++) {
        free(f->annotations.items[i].key);
        free(f->annotations.items[i].value);
    }
    free(f->annotations.items);
}
