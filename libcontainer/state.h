/* The state store: one directory per container under the root, holding
 * state.json (written atomically), exec.sock while the container is
 * created, and a flock on the directory for every operation. */
#ifndef OCI_STATE_H
#define OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "specs/state.h"

#define STATE_FILE "state.json"
#define STATE_EXEC_SOCK "exec.sock"
#define STATE_CONFIG "config.json"
#define STATE_INIT_LINK "init" /* -> "PID:STARTTIME", as soon as the init exists */

struct state_dir {
    int dirfd;   /* the container's directory, flock'ed */
    char *path;  /* root/id */
    bool locked; /* this process holds its lock (state_dir_lock) */
};

/* Make root/id; fails cleanly when the ID is taken ("already exists"). */
int state_dir_create(const char *root, const char *id, struct state_dir *sd, struct oci_err *err);
enum state_lock { STATE_LOCK_NONE, STATE_LOCK_SHARED, STATE_LOCK_EXCLUSIVE };
/* Open root/id ("does not exist" when missing) and lock it. Readers (state,
 * list, kill) take no lock: state.json is replaced atomically. */
int state_dir_open(const char *root, const char *id, enum state_lock lock, struct state_dir *sd,
                   struct oci_err *err);
/* Drop or take again the lock of an open directory. */
int state_dir_lock(struct state_dir *sd, enum state_lock lock);
void state_dir_close(struct state_dir *sd);
/* _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1}: closed (and
 * unlocked) at scope exit. */
#define _cleanup_state_dir_ __attribute__((cleanup(state_dir_close)))
/* Remove every file and the directory itself. */
int state_dir_remove(struct state_dir *sd, struct oci_err *err);

int state_write(struct state_dir *sd, const struct spec_state *s, struct oci_err *err);
/* Record the init's pid (and its start time, into *start) the moment it
 * exists: one symlink, which state_read reads while the record has none. */
int state_note_pid(struct state_dir *sd, pid_t pid, uint64_t *start, struct oci_err *err);
int state_read(struct state_dir *sd, const char *id, struct spec_state **out, struct oci_err *err);
/* state_dir_open then state_read: the common start of an operation. */
int state_open_read(const char *root, const char *id, enum state_lock lock, struct state_dir *sd,
                    struct spec_state **out, struct oci_err *err);
/* The container's config.json as saved by create. */
int state_read_config(struct state_dir *sd, const char *id, struct spec_config **out,
                      struct oci_err *err);

enum container_status {
    STATUS_CREATING,
    STATUS_CREATED,
    STATUS_RUNNING,
    STATUS_PAUSED,
    STATUS_STOPPED
};
extern const char *const container_status_names[];

/* Is the recorded process still the container's (pid plus start time)?
 * 1 yes, 0 no, -1 with errno when that cannot be known (EMFILE...). */
int state_process_check(const struct spec_state *s);
/* state_process_check() == 1 */
bool state_process_alive(const struct spec_state *s);
/* A connection to the init's exec socket (start; probe: non-blocking, a
 * full backlog is EAGAIN). */
int state_exec_connect(struct state_dir *sd, bool probe, struct oci_err *err);
/* Derive the status from the live process, the exec socket and the freezer. */
enum container_status state_status(struct state_dir *sd, const struct spec_state *s);
/* A pidfd of the container's process, checked against PID reuse; -1 with
 * errno ESRCH when the process is gone, another errno when no pidfd could
 * be had (the process may well be alive: see state_signal). */
int state_pidfd(const struct spec_state *s);
/* Signal the container's process: by pidfd, or where there is none by pid
 * checked against its start time. -1 with ESRCH when it is gone. */
int state_signal(const struct spec_state *s, int sig);
/* Wait until the container's process is gone: 0, or -1 with ETIMEDOUT. */
int state_wait_gone(const struct spec_state *s, int timeout_ms);

#endif
