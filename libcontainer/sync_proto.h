/* The numbers of the parent <-> child protocol (sync.h), in a header of
 * their own without any include: the freestanding exec stub
 * (stub/exec_stub.c, built without libc) takes SYNC_EXEC_ERROR from here. */
#ifndef OCI_SYNC_PROTO_H
#define OCI_SYNC_PROTO_H

enum sync_type {
    SYNC_GO = 1,        /* parent -> child: go on (maps written, cgroup joined) */
    SYNC_READY,         /* child -> parent: set up, waiting for start */
    SYNC_ERROR,         /* child -> parent: errnum in value, message in data */
    SYNC_PID,           /* stage -> parent: the init's pid (as seen by the parent) */
    SYNC_MAPS,          /* stage -> parent: write my uid/gid maps, then GO */
    SYNC_HOOKS,         /* child -> parent: run prestart + createRuntime hooks */
    SYNC_TRACE,         /* child -> parent: an array of struct trace_span */
    SYNC_START,         /* parent -> child: exec the user's program now */
    SYNC_WARN,          /* child -> parent: a warning to log */
    SYNC_FD,            /* child -> parent: an fd (SCM_RIGHTS), value says which */
    SYNC_HOOKS_DONE,    /* parent -> child: they ran; value: the init's pid */
    SYNC_DEVICES_MADE,  /* child -> parent: device nodes made, apply the device rules */
    SYNC_EXEC_ERROR,    /* the exec stub: value errno, data the path (stub/exec_stub.c) */
    SYNC_HOOK_ERROR,    /* child -> parent: as SYNC_ERROR, from a failed hook (the
                         * lifecycle goes on at the container's destruction) */
    SYNC_CGROUPNS_MADE, /* child -> parent: cgroup namespace made, move it to the delegated cgroup
                         */
    SYNC_DEVICES_DONE,  /* parent -> child: the device rules are in place (a v1 list passes
                         * through "deny all": no device is opened before this) */
};

/* SYNC_FD values: >= 0 an idmapped mount tree (parent -> child, by mount
 * index); these from the child: */
#define SYNC_FD_SECCOMP (-1)  /* the seccomp notify listener */
#define SYNC_FD_TERMINAL (-2) /* the pty master of a foreground run/exec */

#define SYNC_MAX 65536

#endif
