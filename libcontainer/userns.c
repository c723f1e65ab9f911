/* User namespaces: the uid/gid maps of the container, written from outside
 * (the parent) after the namespace exists. */
#include "config.h"
#include "userns.h"
#include "idmap.h"
#include "procfs.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static int write_map(pid_t pid, const char *file, const struct spec_idmaps *m, struct oci_err *err)
{
    if (idmap_write(pid, file, m, err) < 0)
        return err_wrap(err, "linux.%s", file[0] == 'u' ? "uidMappings" : "gidMappings");
    return 0;
}

/* A new user namespace with neither uidMappings nor gidMappings (the spec
 * makes both optional; `crun spec --rootless` writes that): map the caller's
 * euid and egid to root, one id each, as crun does.  Without any map the
 * container's processes would be the overflow id, unable to setuid. */
static void default_map(struct spec_idmaps *m, uint32_t host_id)
{
    m->items = xmalloc(sizeof(*m->items));
    m->items[0] = (struct spec_idmap){.container_id = 0, .host_id = host_id, .size = 1};
    m->n = 1;
}

void userns_default_maps(struct spec_config *cfg)
{
    const struct spec_namespace *ns = spec_config_namespace(cfg, SPEC_NS_USER);
    struct spec_linux *l = cfg->linux_;
    if (!ns || (ns->path && *ns->path) || l->uid_mappings.n || l->gid_mappings.n)
        return;
    default_map(&l->uid_mappings, (uint32_t)geteuid());
    default_map(&l->gid_mappings, (uint32_t)getegid());
}

int userns_write_maps(const struct spec_config *cfg, pid_t pid, struct oci_err *err)
{
    const struct spec_linux *l = cfg->linux_;
    if (!l || (!l->uid_mappings.n && !l->gid_mappings.n))
        return 0;
    if (geteuid() != 0) {
        /* without CAP_SETGID in the parent namespace gid maps need this */
        struct oci_err e = {0};
        if (procfs_write(PROCFS_PID, pid, "setgroups", "deny", 4, &e) < 0 && e.errnum != ENOENT) {
            err_copy(err, &e);
            return err_wrap(err, "user namespace");
        }
    }
    if (write_map(pid, "uid_map", &l->uid_mappings, err) < 0 ||
        write_map(pid, "gid_map", &l->gid_mappings, err) < 0)
        return -1;
    return 0;
}
