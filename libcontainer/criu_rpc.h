/* CRIU's RPC: protocol-buffer messages encoded by hand, and a `criu swrk`
 * run over a socket pair (criu_rpc.c). The types are in criu.h. */
#ifndef OCI_CRIU_RPC_H
#define OCI_CRIU_RPC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "criu.h"
#include "error.h"

void criu_msg_free(struct criu_msg *m);
void criu_msg_bool(struct criu_msg *m, unsigned field, bool v);
void criu_msg_int(struct criu_msg *m, unsigned field, int64_t v);
void criu_msg_str(struct criu_msg *m, unsigned field, const char *s);
void criu_msg_strf(struct criu_msg *m, unsigned field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void criu_msg_sub(struct criu_msg *m, unsigned field, const struct criu_msg *sub);

/* Start `criu swrk` with the request's fds; it waits for a request. The
 * child runs before_exec(arg) first (joining a cgroup), when given. */
int criu_swrk_start(struct criu_swrk *w, const struct criu_opts *o, struct criu_req *r,
                    int (*before_exec)(void *), void *arg, struct oci_err *err);
/* Send the request, answer its notifications, wait for its end: 0 with
 * *restored_pid (restore) set, or -1 with CRIU's reason (from its answer
 * and its log). Reaps criu. */
int criu_swrk_run(struct criu_swrk *w, const struct criu_opts *o, enum criu_req_type type,
                  struct criu_req *r, criu_notify_fn notify, void *arg, pid_t *restored_pid,
                  struct oci_err *err);

#endif
