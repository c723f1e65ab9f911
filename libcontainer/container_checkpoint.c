/* checkpoint: the container's process tree into CRIU images (criu dump, or
 * criu pre-dump for an iterative migration), with what runc tells CRIU:
 * the rootfs, the bind mounts and masked files as external mounts, the
 * joined namespaces as external, the cgroup mode. Without --leave-running (or --pre-dump) the
 * container is gone afterwards: CRIU killed its processes and it is deleted, as runc does. */
#include "config.h"
#include "container_internal.h"
#include "criu.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Namespaces joined by path are not the container's: CRIU leaves them out
 * and a restore hands it the ones of the new config (runc's key names). */
static void external_namespaces(struct criu_argv *a, const struct spec_config *cfg, pid_t pid)
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
            criu_argv_add(a, "--external=%s[%lu]:%s", ext[i].crit, (unsigned long)st.st_ino,
                          ext[i].key);
    }
}

/* The init's terminal is a pty whose master the caller holds (the console
 * socket's peer): CRIU dumps such a slave only with its orphan-pts-master
 * option, which its RPC interface has and its command line (3.17) has not;
 * refuse clearly rather than let criu fail with "Unable to find a master". */
static int check_terminal(pid_t pid, struct oci_err *err)
{
    for (int fd = 0; fd < 3; fd++) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
        if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
            major(st.st_rdev) <= 143)
            return err_set(err, 0,
                           "checkpoint: the container has a terminal (fd %d is a pty): the "
                           "criu command line cannot dump a pty whose master is outside "
                           "the container (it lacks CRIU's orphan-pts-master option)",
                           fd);
    }
    return 0;
}

static int dump(struct state_dir *sd, const struct spec_state *s, const struct criu_opts *co,
                struct oci_err *err)
{
    struct spec_config *cfg = NULL;
    if (state_read_config(sd, s->id, &cfg, err) < 0)
        return -1;
    const char *action = co->pre_dump ? "pre-dump" : "dump";
    struct criu_argv a = {0};
    char proc_root[64];
    snprintf(proc_root, sizeof(proc_root), "/proc/%d/root", s->pid);
    int rc = criu_argv_common(&a, co, action, err);
    if (rc == 0) {
        criu_argv_add(&a, "--tree=%d", s->pid);
        criu_argv_add(&a, "--root=%s", s->rootfs);
        criu_argv_mounts(&a, cfg, NULL, proc_root);
        external_namespaces(&a, cfg, s->pid);
        rc = check_terminal(s->pid, err);
    }
    if (rc == 0 && !co->pre_dump)
        rc = criu_save_descriptors(co->image_path, s->pid, err);
    if (rc == 0) {
        TRACE_BEGINF(span, "criu %s", action);
        char log[32];
        snprintf(log, sizeof(log), "%s.log", action);
        rc = criu_run(&a, co, log, NULL, 0, err);
        TRACE_END_RC(span, rc);
    }
    criu_argv_free(&a);
    spec_config_free(cfg);
    return rc;
}

int container_checkpoint(const char *root, const char *id, const struct criu_opts *co,
                         struct oci_err *err)
{
    struct state_dir sd = {.dirfd = -1};
    struct spec_state *s = NULL;
    int rc = state_open_read(root, id, STATE_LOCK_EXCLUSIVE, &sd, &s, err);
    if (rc == 0) {
        enum container_status st = container_status(&sd, s);
        if (st != STATUS_RUNNING && st != STATUS_PAUSED && st != STATUS_CREATED)
            rc =
                err_set(err, 0, "container \"%s\" is %s: only a live container can be checkpointed",
                        id, container_status_names[st]);
    }
    if (rc == 0)
        rc = dump(&sd, s, co, err);
    if (rc == 0 && !co->leave_running && !co->pre_dump) {
        TRACE_BEGIN(span, "delete the checkpointed container");
        rc = container_destroy(&sd, s, err);
        TRACE_END_RC(span, rc);
    }
    spec_state_free(s);
    state_dir_close(&sd);
    return rc;
}
