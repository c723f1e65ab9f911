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
#include "sync_proto.h"

struct sync_hdr {
    uint32_t type;
    int32_t value;
};

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
/* An error report of the child's (SYNC_ERROR, SYNC_HOOK_ERROR,
 * SYNC_EXEC_ERROR) as err, and which it was: SYNC_FAILED,
 * SYNC_FAILED_HOOK (the lifecycle goes on at the destruction and the
 * poststop hooks) or SYNC_FAILED_EXEC (the program could not be exec'd:
 * sync_exec_status gives the shell's exit status); 0 for any other
 * message. The one place those messages are read. */
#define SYNC_FAILED (-1)
#define SYNC_FAILED_HOOK (-2)
#define SYNC_FAILED_EXEC (-3)
int sync_msg_error(const struct sync_hdr *h, const char *buf, struct oci_err *err);
/* What every parent loop does with a message of a child (pid): merges its
 * trace spans (returns 1), an error report as sync_msg_error; 0 for the
 * other messages, the caller's. */
int sync_child_msg(const struct sync_hdr *h, const char *buf, ssize_t n, pid_t pid,
                   struct oci_err *err);
/* The exit status a shell gives for a program that could not be exec'd:
 * 127 not found, 126 found but not executable. */
int sync_exec_status(int errnum);
/* Wait for one message of the given type; an error report is err. */
int sync_expect(int fd, uint32_t type, struct oci_err *err);
/* Send START to the init on chan and wait until it exec'd (the channel
 * closes: 0) or failed (< 0 as sync_msg_error), merging its spans. */
int sync_start_init(int chan, pid_t pid, struct oci_err *err);

#endif
