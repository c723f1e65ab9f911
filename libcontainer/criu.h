/* CRIU, the checkpoint/restore tool, driven as runc drives it: `criu swrk`,
 * its RPC over a socket pair (protocol buffers, rpc.proto), since some of
 * what runc tells CRIU has no command-line option (the orphan pty master of
 * a container's terminal). Debian ships the criu binary but no libcriu:
 * the few messages are encoded here. */
#ifndef OCI_CRIU_H
#define OCI_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "specs/spec_config.h"

#define CRIU_DEFAULT_BIN "criu"
/* The init's stdio as it was at the dump (readlink of fds 0-2), so that a
 * restore can hand the caller's pipes in their place (runc's file name). */
#define CRIU_DESCRIPTORS "descriptors.json"

enum criu_cgroup_mode {
    CRIU_CG_DEFAULT,
    CRIU_CG_SOFT,
    CRIU_CG_FULL,
    CRIU_CG_STRICT,
    CRIU_CG_IGNORE
};
enum criu_req_type { CRIU_DUMP = 1, CRIU_RESTORE = 2, CRIU_PRE_DUMP = 4, CRIU_NOTIFY = 6 };

struct criu_opts {
    const char *criu;       /* the binary (NULL: "criu" on PATH) */
    const char *image_path; /* images (made when missing) */
    const char *work_path;  /* logs and temporary files (NULL: image_path) */
    const char *parent_path;
    bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump;
    bool auto_dedup;
    enum criu_cgroup_mode cgroup_mode;
};

/* "soft", "full", "strict", "ignore" -> mode; -1 when unknown. */
int criu_cgroup_mode_parse(const char *s);
/* Is the criu binary there (an executable path, or on PATH)? */
bool criu_available(const char *criu);

/* A message being encoded (criu_opts, or one of its sub-messages):
 * criu_rpc.h. */
struct criu_msg {
    uint8_t *buf;
    size_t len, cap;
};

/* criu_opts fields (rpc.proto). */
enum {
    CRIU_OPT_PID = 2,
    CRIU_OPT_ROOT = 13,
    CRIU_OPT_RST_SIBLING = 26,
    CRIU_OPT_EXTERNAL = 37,
};

/* A request's options and the fds criu must get (images, work dir, the
 * inherited ones). */
struct criu_req {
    struct criu_msg opts;
    int fds[16];
    size_t n_fds;
};
void criu_req_free(struct criu_req *r);
/* Keep fd open in criu (at the same number). */
void criu_req_keep(struct criu_req *r, int fd);
/* The options shared by dump and restore: images and work directories, the
 * log, the cgroup mode, runc's flags, the orphan pty master. */
int criu_req_common(struct criu_req *r, const struct criu_opts *o, enum criu_req_type type,
                    struct oci_err *err);
/* inherit_fd: criu uses our fd for the resource key ("pipe:[123]",
 * "extRootNetNS"). */
void criu_req_inherit(struct criu_req *r, const char *key, int fd);
/* The cgroup the restored tree goes to (cg_root). */
void criu_req_cgroup_root(struct criu_req *r, const char *path);
/* The config's mounts CRIU must treat as external (bind mounts from the
 * host, files masked with /dev/null): at dump (proc_root: /proc/PID/root of
 * the container's init) the mountpoint is the key; at restore (proc_root
 * NULL) the key maps to the host source, relative ones in bundle. */
void criu_req_mounts(struct criu_req *r, const struct spec_config *cfg, const char *bundle,
                     const char *proc_root);

/* What CRIU tells during a request: script is the action ("setup-namespaces",
 * "post-restore", "orphan-pts-master" with fd, ...), pid its task. Return
 * < 0 (with err) to fail the request. fd, when >= 0, is the callee's. */
typedef int (*criu_notify_fn)(const char *script, int pid, int fd, void *arg, struct oci_err *err);

struct criu_swrk {
    pid_t pid; /* criu swrk, our child */
    int sock;
};

/* descriptors.json of pid's fds 0-2, into the image directory. */
int criu_save_descriptors(const char *image_path, pid_t pid, struct oci_err *err);
/* ... read back: out[i] the description of fd i ("pipe:[123]"); malloc'd. */
int criu_load_descriptors(const char *image_path, char *out[3], struct oci_err *err);

#endif
