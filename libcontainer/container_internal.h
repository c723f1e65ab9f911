/* Internal to libcontainer: a container while create, run, restore or
 * exec works on it. The functions working on it are declared by their own
 * files' headers (spawn.h, record.h, init.h, ...). */
#ifndef OCI_CONTAINER_INTERNAL_H
#define OCI_CONTAINER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups.h"
#include "container.h"
#include "mounts.h"
#include "process_plan.h"
#include "process_attrs.h"
#include "seccomp.h"
#include "specs/spec_config.h"
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
    struct process_plan proc;
    struct process_attrs_plan attrs;
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
    bool reaped;               /* the init was waited for: its pid may be reused */
    bool created_written;      /* run: "created" went to disk while the init set up */
};

/* run's START is also the init's go (the record is on disk, the parent
 * stays until the exec): no GO/READY round trip before it. Not for create,
 * nor for a staged init (its parent is the stage process). */
static inline bool container_start_is_go(const struct container *c)
{
    return c->run_mode && !c->staged;
}

#endif
