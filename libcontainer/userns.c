/* User namespaces: the uid/gid maps of the container, written from outside
 * (the parent) after the namespace exists. */
#include "config.h"
#include "container_internal.h"
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

int userns_write_maps(const struct spec_config *cfg, pid_t pid, struct oci_err *err)
{
    const struct spec_linux *l = cfg->linux_;
    if (!l || (!l->uid_mappings.n && !l->gid_mappings.n))
        return 0;
    if (geteuid() != 0) {
        /* without CAP_SETGID in the parent namespace gid maps need this */
        struct oci_err e = {0};
        if (procfs_write(PROCFS_PID, pid, "setgroups", "deny", 4, &e) < 0 && e.errnum != ENOENT)
            return err_set(err, e.errnum, "user namespace: %s", e.msg);
    }
    if (write_map(pid, "uid_map", &l->uid_mappings, err) < 0 ||
        write_map(pid, "gid_map", &l->gid_mappings, err) < 0)
        return -1;
    return 0;
}
