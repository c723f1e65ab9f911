/* The parent <-> child protocol over one SOCK_SEQPACKET socketpair:
 * progress, errors raised in the child, requests (hooks, id maps), file
 * descriptors and trace spans. One message is one packet. */
#ifndef OCI_SYNC_H
#define OCI_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum sync_type {
    SYNC_GO = 1,          /* parent -> child: go on (maps written, cgroup joined) */
    SYNC_READY,           /* child -> parent: set up, waiting for start */
    SYNC_ERROR,           /* child -> parent: errnum in value, message in data */
    SYNC_PID,             /* stage -> parent: the init's pid (as seen by the parent) */
    SYNC_MAPS,            /* stage -> parent: write my uid/gid maps, then GO */
    SYNC_HOOKS,           /* child -> parent: run prestart + createRuntime hooks */
    SYNC_TRACE,           /* child -> parent: an array of struct trace_span */
    SYNC_START,           /* parent -> child: exec the user's program now */
    SYNC_WARN,            /* child -> parent: a warning to log */
    SYNC_FD,              /* child -> parent: an fd (SCM_RIGHTS), value says which */
    SYNC_HOOKS_DONE,      /* parent -> child: they ran; value: the init's pid */
    SYNC_DEVICES_MADE,    /* child -> parent: device nodes made, apply the device rules */
    SYNC_EXEC_ERROR = 13, /* the exec stub: value errno, data the path (stub/exec_stub.c) */
    SYNC_HOOK_ERROR,      /* child -> parent: as SYNC_ERROR, from a failed hook (the
                           * lifecycle goes on at the container's destruction) */
    SYNC_CGROUPNS_MADE,   /* child -> parent: cgroup namespace made, move it to the delegated cgroup
                           */
    SYNC_DEVICES_DONE, /* parent -> child: the device rules are in place (a v1 list passes
                        * through "deny all": no device is opened before this) */
};

/* SYNC_FD values: >= 0 an idmapped mount tree (parent -> child, by mount
 * index); these from the child: */
#define SYNC_FD_SECCOMP (-1)  /* the seccomp notify listener */
#define SYNC_FD_TERMINAL (-2) /* the pty master of a foreground run/exec */

struct sync_hdr {
    uint32_t type;
    int32_t value;
};

#define SYNC_MAX 65536

int sync_send(int fd, uint32_t type, int32_t value, const void *data, size_t len);
/* Send an error from the child; never fails loudly (the child exits next).
 * type: SYNC_ERROR, SYNC_HOOK_ERROR (a failed createContainer or
 * startContainer hook), or SYNC_EXEC_ERROR (the program could not be
 * exec'd: err's errno and path, as the stub reports it). */
void sync_send_err(int fd, const struct oci_err *err, uint32_t type, const char *path);
/* Send spans recorded by this child (chunked). */
void sync_send_trace(int fd);
int sync_send_fd(int fd, int32_t which, int payload_fd);
/* Receive one message into buf (SYNC_MAX bytes): returns the payload length,
 * 0 on EOF (hdr->type = 0), -1 with errno. A passed fd goes to *rfd. */
ssize_t sync_recv(int fd, struct sync_hdr *hdr, char *buf, int *rfd);
/* Wait for one message of the given type, turning SYNC_ERROR into err. */
int sync_expect(int fd, uint32_t type, struct oci_err *err);

#endif
