/* checkpoint: the container's process tree into CRIU images (criu dump, or
 * criu pre-dump for an iterative migration), with what runc tells CRIU:
 * the rootfs, the bind mounts and masked files as external mounts, the
 * joined namespaces as external, the terminal as an orphan pty, the cgroup
 * mode. Without --leave-running (or --pre-dump) the
 * container is gone afterwards: CRIU killed its processes and it is deleted, as runc does. */
#include "config.h"
#include "criu.h"
#include "criu_rpc.h"
#include "record.h"
#include "teardown.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Namespaces joined by path are not the container's: CRIU leaves them out
 * and a restore hands it the ones of the new config (runc's key names). */
static void external_namespaces(struct criu_req *r, const struct spec_config *cfg, pid_t pid)
{
    static const struct {
        enum spec_ns_type type;
        const char *proc, *crit, *key;
    } ext[] = {
        {SPEC_NS_NETWORK, "net", "net", "extRootNetNS"},
        {SPEC_NS_PID, "pid", "pid", "extRootPidNS"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
        const struct spec_namespace *ns = spec_config_namespace(cfg, ext[i].type);
        if (!ns || !ns->path || !*ns->path)
            continue;
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ext[i].proc);
        if (stat(path, &st) == 0)
            criu_msg_strf(&r->opts, CRIU_OPT_EXTERNAL, "%s[%lu]:%s", ext[i].crit,
                          (unsigned long)st.st_ino, ext[i].key);
    }
}

static int dump(struct state_dir *sd, const struct spec_state *s, const struct criu_opts *co,
                struct oci_err *err)
{
    _cleanup_spec_config_ struct spec_config *cfg = NULL;
    if (state_read_config(sd, s->id, &cfg, err) < 0)
        return -1;
    enum criu_req_type type = co->pre_dump ? CRIU_PRE_DUMP : CRIU_DUMP;
    struct criu_req r = {0};
    char proc_root[64];
    snprintf(proc_root, sizeof(proc_root), "/proc/%d/root", s->pid);
    int rc = criu_req_common(&r, co, type, err);
    if (rc == 0) {
        criu_msg_int(&r.opts, CRIU_OPT_PID, s->pid);
        criu_msg_str(&r.opts, CRIU_OPT_ROOT, s->rootfs);
        criu_req_mounts(&r, cfg, NULL, proc_root);
        external_namespaces(&r, cfg, s->pid);
    }
    if (rc == 0 && !co->pre_dump)
        rc = criu_save_descriptors(co->image_path, s->pid, err);
    if (rc == 0) {
        TRACE_BEGINF(span, "criu %s", co->pre_dump ? "pre-dump" : "dump");
        struct criu_swrk w;
        rc = criu_swrk_start(&w, co, &r, NULL, NULL, err);
        if (rc == 0)
            rc = criu_swrk_run(&w, co, type, &r, NULL, NULL, NULL, err);
        TRACE_END_RC(span, rc);
    }
    criu_req_free(&r);
    return rc;
}

int container_checkpoint(const char *root, const char *id, const struct criu_opts *co,
                         struct oci_err *err)
{
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    int rc = state_open_read(root, id, STATE_LOCK_EXCLUSIVE, &sd, &s, err);
    /* a dump that stops the container removes its scope at the end */
    if (rc == 0 && !co->leave_running && !co->pre_dump)
        rc = record_bus_ahead(s, err);
    if (rc == 0) {
        enum container_status st = record_status(&sd, s);
        if (st != STATUS_RUNNING && st != STATUS_PAUSED && st != STATUS_CREATED)
            rc =
                err_set(err, 0, "container \"%s\" is %s: only a live container can be checkpointed",
                        id, container_status_names[st]);
    }
    if (rc == 0)
        rc = dump(&sd, s, co, err);
    if (rc == 0 && !co->leave_running && !co->pre_dump) {
        TRACE_BEGIN(span, "delete the checkpointed container");
        rc = teardown_destroy(&sd, s, err);
        TRACE_END_RC(span, rc);
    }
    return rc;
}
