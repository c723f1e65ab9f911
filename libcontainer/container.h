/* The container operations: what runtime/ calls. One operation per file
 * (container_create.c, container_start.c, ...). */
#ifndef OCI_CONTAINER_H
#define OCI_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups.h"
#include "error.h"
#include "specs/state.h"

#define OCI_RT_DEFAULT_ROOT "/run/oci-rt"

struct container_opts {
    const char *root; /* state root */
    const char *id;
    const char *bundle;      /* NULL: the current directory */
    const char *config_file; /* NULL: <bundle>/config.json */
    const char *pid_file;
    const char *console_socket;
    const char *pidfd_socket;  /* send a pidfd of the container's process there */
    const char *notify_socket; /* the caller's NOTIFY_SOCKET: relay sd_notify (notify.h) */
    int preserve_fds;
    int listen_fds; /* socket activation: LISTEN_FDS fds from 3, before the preserved ones */
    bool no_pivot;
    bool no_new_keyring;
    bool systemd_cgroup;
    bool detach;              /* create, run -d: no foreground to relay a terminal to */
    enum cg_mode cgroup_mode; /* (enum cg_mode)-1: detect */
};

int container_create(const struct container_opts *o, struct oci_err *err);
/* notify_socket: the caller's NOTIFY_SOCKET (NULL: none); with one, start
 * returns once the container said READY=1 (or exited), as runc does. */
int container_start(const char *root, const char *id, const char *notify_socket,
                    struct oci_err *err);
/* create + start; in the foreground wait and give the exit status as the
 * shell does (128+N for a signal) and delete the container. */
int container_run(const struct container_opts *o, bool detach, int *exit_code, struct oci_err *err);
int container_kill(const char *root, const char *id, int sig, bool all, struct oci_err *err);
int container_delete(const char *root, const char *id, bool force, struct oci_err *err);
/* The state with a status derived from the live process. */
int container_state(const char *root, const char *id, struct spec_state **out, struct oci_err *err);
/* Every container under root, sorted by id. */
int container_list(const char *root, struct spec_state ***out, size_t *n, struct oci_err *err);

/* pause/resume through the cgroup freezer. */
int container_pause(const char *root, const char *id, bool pause, struct oci_err *err);
/* New resources on a live container. */
int container_update(const char *root, const char *id, const struct spec_resources *res,
                     struct oci_err *err);
/* The container's processes (its cgroup's). */
int container_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct oci_err *err);

enum container_event { CONTAINER_EVENT_STATS, CONTAINER_EVENT_OOM };
/* Called with the stats (or NULL for an OOM); non-zero stops. */
typedef int (*container_event_fn)(enum container_event ev, const struct cgroup_stats *st,
                                  void *arg);
/* Stats every interval (once: one and return) and OOM events until the
 * container stops. */
int container_events(const char *root, const char *id, int interval_ms, bool once,
                     container_event_fn fn, void *arg, struct oci_err *err);

struct exec_opts {
    const char *root, *id;
    const char *process_file; /* --process: a whole process.json */
    char **args;              /* the command and its arguments */
    int nargs;
    bool detach, tty, no_new_privs, ignore_paused;
    const char *console_socket, *pid_file, *cwd, *user, *process_label, *apparmor, *cgroup;
    const char *pidfd_socket;
    const char **env, **add_gids, **caps;
    int nenv, n_add_gids, ncaps;
    int preserve_fds;
};
/* A new process in a running container; in the foreground, its exit code. */
int container_exec(const struct exec_opts *o, int *exit_code, struct oci_err *err);

struct criu_opts;
/* checkpoint: the container into CRIU images (criu dump, or pre-dump);
 * without leave_running or pre_dump the container is deleted after. */
int container_checkpoint(const char *root, const char *id, const struct criu_opts *co,
                         struct oci_err *err);
/* restore: a container from CRIU images and the bundle's config; in the
 * foreground (o->detach false) wait for it and delete it, as run. */
int container_restore(const struct container_opts *o, const struct criu_opts *co, int *exit_code,
                      struct oci_err *err);

/* The longest container ID (a file name, with room to spare): record.h. */
#define CONTAINER_ID_MAX 240

#endif
