/* CRIU, the checkpoint/restore tool, driven through its command line (Debian
 * ships the criu binary but no libcriu): what runc tells it, as options of
 * `criu dump`, `criu pre-dump` and `criu restore`. */
#ifndef OCI_CRIU_H
#define OCI_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "specs/config.h"

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

/* The argument vector being built (malloc'd strings). */
struct criu_argv {
    char **v;
    size_t n, cap;
};
void criu_argv_add(struct criu_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void criu_argv_free(struct criu_argv *a);

/* The options shared by dump and restore: images, work dir and log, the
 * cgroup mode and the runc flags. action: "dump", "pre-dump", "restore". */
int criu_argv_common(struct criu_argv *a, const struct criu_opts *o, const char *action,
                     struct oci_err *err);
/* The config's mounts CRIU must treat as external (bind mounts from the
 * host, files masked with /dev/null): at dump (proc_root: /proc/PID/root of
 * the container's init) the mountpoint is the key; at restore (proc_root
 * NULL) the key maps to the host source, relative ones in bundle. */
void criu_argv_mounts(struct criu_argv *a, const struct spec_config *cfg, const char *bundle,
                      const char *proc_root);

/* Run criu with a (and the fds in keep open in it, at the same numbers);
 * on failure err says what the log says. */
int criu_run(struct criu_argv *a, const struct criu_opts *o, const char *log_name, const int *keep,
             size_t n_keep, struct oci_err *err);

/* The exit status of a criu run, as criu_run judges it. */
int criu_wait_status(int status, const struct criu_argv *a, const struct criu_opts *o,
                     const char *log_name, struct oci_err *err);
/* Is the criu binary there (an executable path, or on PATH)? */
bool criu_available(const char *criu);

/* descriptors.json of pid's fds 0-2, into the image directory. */
int criu_save_descriptors(const char *image_path, pid_t pid, struct oci_err *err);
/* ... read back: out[i] the description of fd i ("pipe:[123]"); malloc'd. */
int criu_load_descriptors(const char *image_path, char *out[3], struct oci_err *err);

#endif
