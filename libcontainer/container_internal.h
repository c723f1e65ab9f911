/* Internal to libcontainer: a container while create/run works on it, and
 * the steps shared by the operations. */
#ifndef OCI_CONTAINER_INTERNAL_H
#define OCI_CONTAINER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups.h"
#include "container.h"
#include "mounts.h"
#include "proc_plan.h"
#include "procattr.h"
#include "seccomp.h"
#include "specs/config.h"
#include "sync.h"
#include "state.h"

struct container {
    const struct container_opts *o;
    struct spec_config *cfg;
    char *config_data; /* config.json as read */
    size_t config_len;
    char *bundle; /* absolute */
    char *rootfs; /* absolute, symlinks resolved */
    struct mount_plan *mounts;
    size_t n_mounts;
    struct proc_plan proc;
    struct procattr_plan attrs;
    struct seccomp_plan seccomp;
    uint64_t ns_new; /* clone flags of the namespaces to create */
    bool staged;     /* an intermediate process joins/unshares, then forks the init */
    bool userns, pidns, cgroupns, utsns, netns;
    bool mntns;                 /* false: chrooted in the host's mount namespace */
    char created[64];           /* RFC 3339, when the record was first written */
    uint64_t rootfs_mnt_before; /* !mntns: the mount id of the rootfs before create */
    bool run_mode;              /* create + start in one process: no exec socket */
    struct state_dir sd;
    bool sd_made;
    struct cgroup cg;
    bool cg_made;
    bool cg_in_clone; /* clone3 put the child in the v2 cgroup */
    int sync_parent;  /* the parent's end of the socketpair */
    int sync_child;   /* the child's end */
    int exec_listen;  /* create: the listening exec socket the init accepts on */
    int console_fd;   /* connected --console-socket, -1 */
    int tty_master;   /* foreground run with a terminal: the pty master, -1 */
    pid_t pid;        /* the init, as the runtime sees it */
    pid_t stage_pid;  /* the stage while it lives */
    int pidfd;
    uint64_t pid_start;
    bool go_received;          /* child side */
    bool devices_done;         /* child side: SYNC_DEVICES_DONE came */
    int ns_fds[SPEC_NS_TYPES]; /* exec: the running container's namespaces, -1 */
    int root_fd;               /* exec without a mount namespace: the init's root, -1 */
    bool join_cgroup_last;     /* exec --ignore-paused: the cgroup is frozen */
    bool hook_failed;          /* a prestart..startContainer hook failed: after the
                                * container is destroyed, poststop hooks run */
    bool exec_failed;          /* child: the program could not be found or exec'd */
};

/* Load + validate the config and make every plan: no side effect yet. */
int container_prepare(struct container *c, const struct container_opts *o, struct oci_err *err);
/* State dir, cgroup, clone, set-up up to the init waiting for start, then
 * state.json. On failure everything made is undone. */
int container_spawn(struct container *c, struct oci_err *err);
/* The steps of container_spawn that restore shares: the container's cgroup
 * (made, or with systemd prepared); state.json (and --pid-file) of the
 * init c->pid. */
int container_make_cgroup(struct container *c, struct oci_err *err);
int container_write_state(struct container *c, struct oci_err *err);
/* Foreground run and restore: wait for the container's process (relaying
 * its terminal), then delete the container; *exit_code as the shell's. */
int container_wait_delete(struct container *c, int *exit_code, struct oci_err *err);
/* Undo what container_spawn made: kill the init, cgroup, state dir. */
void container_abort(struct container *c);
void container_release(struct container *c);

/* The connected --console-socket (if any) and the sync socketpair. */
int container_channels(struct container *c, struct oci_err *err);
/* Compile linux.seccomp through the cache under the state root. */
int container_seccomp_plan(struct container *c, const char *root, struct oci_err *err);
/* The seccomp listener from the child: to linux.seccomp.listenerPath with
 * the container process state. Closes fd. */
int container_seccomp_notify(struct container *c, int fd, struct oci_err *err);

/* Send a pidfd over the unix socket at path (--pidfd-socket); nothing when
 * path is NULL. */
int send_pidfd(const char *socket_path, int pidfd, struct oci_err *err);

/* The state JSON hooks get, with status and pid (as the hook sees it). */
char *container_hook_state(const struct container *c, const char *status, int pid);

/* The validation table, before anything is created. */
int container_validate(const struct container *c, struct oci_err *err);

/* The child side (init.c): never returns. */
_Noreturn void init_main(struct container *c);
_Noreturn void stage_main(struct container *c);
/* exec: the process joining a running container (exec_child.c). */
_Noreturn void exec_main(struct container *c);
/* Wait for the parent's GO once (child side). */
int init_wait_go(struct container *c, struct oci_err *err);

/* The process set-up shared by the init and exec (proc_setup.c). */
int proc_setup_terminal(struct container *c, struct oci_err *err);
int proc_setup_process(struct container *c, struct oci_err *err);
/* Resolve the binary, umask, no_new_privs, the runtime's fds made
 * close-on-exec: the last steps before the filter and execve. */
int proc_setup_final(struct container *c, char *path, size_t len, struct oci_err *err);
/* Load linux.seccomp; a notify listener goes up chan. before_start: the
 * init then still waits for start under the filter (sendmsg, recvmsg,
 * accept4, close), which must allow that: checked first. */
int proc_setup_seccomp(struct container *c, int chan, bool before_start, struct oci_err *err);
/* The exec of the container's program through the stub, with the filter
 * loaded right before it (load_seccomp): after the load only the exec (and,
 * with --trace, one sendmsg of the spans) runs, each in a way the filter
 * allows (checked beforehand). Returns only on failure. */
int proc_exec(struct container *c, int chan, const char *path, bool load_seccomp,
              struct oci_err *err);

/* A new user namespace without any mapping gets the caller's euid/egid
 * as root (crun's default), in cfg itself (userns.c). */
void userns_default_maps(struct spec_config *cfg);
/* uid_map/gid_map/setgroups of pid (userns.c). */
int userns_write_maps(const struct spec_config *cfg, pid_t pid, struct oci_err *err);

/* Send START to the init on chan and wait until it exec'd (the channel
 * closes) or failed. */
int container_release_init(int chan, pid_t pid, struct oci_err *err);
/* What every parent loop does with a message of a child (pid): merges its
 * trace spans (returns 1), turns its error report into err (-1, -2 when a
 * hook failed, -3 when the program could not be exec'd: see
 * container_exec_status); 0 for the other messages, the caller's. */
int container_child_msg(const struct sync_hdr *h, const char *buf, ssize_t n, pid_t pid,
                        struct oci_err *err);

/* The exit status a shell gives for a program that could not be exec'd:
 * 127 not found, 126 found but not executable. */
int container_exec_status(int errnum);
/* The error of a failed exec of path, in runc's words (engines map them to
 * 127 and 126). */
int container_exec_error(struct oci_err *err, int errnum, const char *path);

/* The status with "paused" from the cgroup freezer. */
enum container_status container_status(struct state_dir *sd, const struct spec_state *s);

/* Kill what is left of a container and wait for its init to be gone. */
int container_kill_and_wait(const struct spec_state *s, struct cgroup *cg, struct oci_err *err);
/* Remove the cgroup and the state directory of a stopped container. */
int container_destroy(struct state_dir *sd, const struct spec_state *s, struct oci_err *err);
/* runtime-spec lifecycle steps 12 and 13: destroy the container (what is
 * left of it killed), then its poststop hooks, from the config saved with
 * it, failures as warnings. */
int container_teardown(struct state_dir *sd, struct spec_state *s, struct oci_err *err);
/* Hooks of kind from the config saved in the state directory, with the
 * given status; a failure is an error (poststart). */
int container_state_hooks_run(struct state_dir *sd, const struct spec_state *s,
                              enum spec_hook_kind kind, const char *status, struct oci_err *err);
/* Open the cgroup recorded in a state. */
int container_state_cgroup(const struct spec_state *s, struct cgroup *cg, struct oci_err *err);

#endif
