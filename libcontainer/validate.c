/* Checks on the parsed config that need more than its own structure, run
 * as a table before anything is created (runc's approach). */
#include "config.h"
#include "cgroup_systemd.h"
#include "validate.h"
#include "namespaces.h"
#include "util.h"

#include <sched.h>
#include <string.h>
#include <unistd.h>

typedef int (*check_fn)(const struct container *c, struct oci_err *err);

static bool has_ns(const struct container *c, enum spec_ns_type t)
{
    return spec_config_namespace(c->cfg, t) != NULL;
}

/* Without a mount namespace the container runs chrooted in the host's
 * (as runc runs it); hiding paths from it is then impossible. */
static int check_mount_ns(const struct container *c, struct oci_err *err)
{
    const struct spec_linux *l = c->cfg->linux_;
    if (has_ns(c, SPEC_NS_MOUNT) || !l)
        return 0;
    if (l->masked_paths.n)
        return err_set(err, 0,
                       "linux.maskedPaths: masking paths needs a mount namespace "
                       "(linux.namespaces has no \"mount\")");
    if (l->readonly_paths.n)
        return err_set(err, 0,
                       "linux.readonlyPaths: read-only paths need a mount namespace "
                       "(linux.namespaces has no \"mount\")");
    return 0;
}

static int check_names(const struct container *c, struct oci_err *err)
{
    const struct spec_config *cfg = c->cfg;
    bool uts = has_ns(c, SPEC_NS_UTS);
    if (cfg->hostname && *cfg->hostname && !uts)
        return err_set(err, 0, "hostname: setting it needs a uts namespace");
    if (cfg->domainname && *cfg->domainname && !uts)
        return err_set(err, 0, "domainname: setting it needs a uts namespace");
    return 0;
}

/* kernel.hostname and kernel.domainname set what hostname and domainname
 * set: both given, they must agree. */
static int check_uts_sysctl(const struct container *c, struct oci_err *err)
{
    const struct spec_linux *l = c->cfg->linux_;
    const char *names[] = {"kernel.hostname", "kernel.domainname"};
    const char *fields[] = {"hostname", "domainname"};
    const char *values[] = {c->cfg->hostname, c->cfg->domainname};
    for (size_t i = 0; l && i < l->sysctl.n; i++)
        for (size_t j = 0; j < 2; j++) {
            const struct spec_kv *kv = &l->sysctl.items[i];
            if (strcmp(kv->key, names[j]) != 0 || !values[j] || !*values[j] ||
                !strcmp(kv->value, values[j]))
                continue;
            return err_set(err, 0, "linux.sysctl[\"%s\"] = \"%s\" contradicts %s \"%s\"", kv->key,
                           kv->value, fields[j], values[j]);
        }
    return 0;
}

static int check_userns(const struct container *c, struct oci_err *err)
{
    const struct spec_linux *l = c->cfg->linux_;
    bool maps = l && (l->uid_mappings.n || l->gid_mappings.n);
    bool new_userns = (c->ns_new & CLONE_NEWUSER) != 0;
    if (new_userns && (!l->uid_mappings.n || !l->gid_mappings.n))
        return err_set(err, 0, "linux.uidMappings/gidMappings: a new user namespace needs both");
    if (maps && !new_userns)
        return err_set(err, 0, "linux.uidMappings: mappings need a new user namespace");
    return 0;
}

static int check_time(const struct container *c, struct oci_err *err)
{
    const struct spec_linux *l = c->cfg->linux_;
    if (l && (l->time_boottime.present || l->time_monotonic.present) &&
        !(c->ns_new & CLONE_NEWTIME))
        return err_set(err, 0, "linux.timeOffsets: offsets need a new time namespace");
    return 0;
}

/* Only sysctls the container's own namespaces scope are allowed: a new
 * namespace, or one joined by path that is not the runtime's own (runc's
 * rule: podman and CRI-O join a network namespace they made by path). */
static int check_sysctl(const struct container *c, struct oci_err *err)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    const struct spec_linux *l = c->cfg->linux_;
    for (size_t i = 0; l && i < l->sysctl.n; i++) {
        const char *k = l->sysctl.items[i].key;
        bool ok = false;
        enum spec_ns_type need = SPEC_NS_IPC;
        for (size_t j = 0; j < ARRAY_SIZE(ipc); j++)
            if (!strcmp(k, ipc[j]))
                ok = true;
        if (!strncmp(k, "fs.mqueue.", 10))
            ok = true;
        if (!strncmp(k, "net.", 4)) {
            ok = true;
            need = SPEC_NS_NETWORK;
        }
        if (!strcmp(k, "kernel.hostname") || !strcmp(k, "kernel.domainname")) {
            ok = true;
            need = SPEC_NS_UTS;
        }
        if (!ok)
            return err_set(err, 0, "linux.sysctl[\"%s\"]: not in a namespace of the container", k);
        if (!has_ns(c, need))
            return err_set(err, 0, "linux.sysctl[\"%s\"]: needs a %s namespace of the container", k,
                           spec_ns_type_names[need]);
        if (ns_path_is_own(c->cfg, need))
            return err_set(err, 0,
                           "linux.sysctl[\"%s\"]: the %s namespace %s is the runtime's own, "
                           "not the container's",
                           k, spec_ns_type_names[need], spec_config_namespace(c->cfg, need)->path);
    }
    return 0;
}

static int check_paths(const struct container *c, struct oci_err *err)
{
    const struct spec_linux *l = c->cfg->linux_;
    if (l && l->cgroups_path && strstr(l->cgroups_path, ".."))
        return err_set(err, 0, "linux.cgroupsPath \"%s\": must not contain \"..\"",
                       l->cgroups_path);
    const struct spec_strv *lists[] = {l ? &l->masked_paths : NULL, l ? &l->readonly_paths : NULL};
    const char *names[] = {"maskedPaths", "readonlyPaths"};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; lists[k] && i < lists[k]->n; i++)
            if (lists[k]->items[i][0] != '/')
                return err_set(err, 0, "linux.%s[%zu] \"%s\": must be an absolute path", names[k],
                               i, lists[k]->items[i]);
    return 0;
}

static int check_netdevices(const struct container *c, struct oci_err *err)
{
    const struct spec_linux *l = c->cfg->linux_;
    if (l && l->n_net_devices && !has_ns(c, SPEC_NS_NETWORK))
        return err_set(err, 0, "linux.netDevices: moving devices needs a network namespace");
    return 0;
}

/* Intel RDT (resctrl) is not among what oci-rt does (features says so):
 * a config asking for it fails rather than run without it. */
static int check_intel_rdt(const struct container *c, struct oci_err *err)
{
    if (c->cfg->linux_ && c->cfg->linux_->intel_rdt)
        return err_set(err, 0, "linux.intelRdt: Intel RDT (resctrl) is not supported by oci-rt");
    return 0;
}

static int check_process(const struct container *c, struct oci_err *err)
{
    const struct spec_process *p = c->cfg->process;
    if (p->terminal && !c->o->console_socket && c->o->detach)
        return err_set(err, 0,
                       "process.terminal is true: a detached container needs "
                       "--console-socket to hand its terminal to");
    if (!p->terminal && c->o->console_socket)
        return err_set(err, 0,
                       "--console-socket: process.terminal is false, there is no "
                       "terminal to send");
    if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
        return err_set(err, 0, "process.oomScoreAdj %d: must be in [-1000, 1000]",
                       p->oom_score_adj);
    return 0;
}

static int check_cgroup_manager(const struct container *c, struct oci_err *err)
{
    if (!c->o->systemd_cgroup || c->o->cgroup_mode == CG_DISABLED)
        return 0;
    const struct spec_linux *l = c->cfg->linux_;
    return cgroup_systemd_check(l ? l->cgroups_path : NULL, c->o->id, &c->cfg->annotations,
                                cgroup_host_unified(), err);
}

static const check_fn checks[] = {
    check_mount_ns,       check_names,      check_uts_sysctl, check_userns,
    check_time,           check_sysctl,     check_paths,      check_process,
    check_cgroup_manager, check_netdevices, check_intel_rdt,
};

int validate_container(const struct container *c, struct oci_err *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
        if (checks[i](c, err) < 0)
            return -1;
    return 0;
}
