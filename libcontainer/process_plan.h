/* The container process as the init will set it up, decided in the parent
 * before anything is created: argv/env, user, rlimits, capabilities and the
 * other process attributes. The init only applies it. */
#ifndef OCI_PROC_PLAN_H
#define OCI_PROC_PLAN_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "caps.h"
#include "error.h"
#include "specs/spec_config.h"

struct rlimit_entry {
    int resource;
    struct rlimit lim;
};

struct process_plan {
    char **argv; /* NULL-terminated, borrowed from the config */
    char **envp; /* NULL-terminated; HOME added by the init when missing */
    size_t n_env;
    const char *cwd;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    size_t n_groups;
    const char *username; /* resolved in the container's /etc/passwd */
    bool has_umask;
    mode_t umask;
    struct rlimit_entry *rlimits;
    size_t n_rlimits;
    struct caps_plan caps;
    bool no_new_privs;
    bool has_oom_score_adj;
    int oom_score_adj;
    bool terminal;
};

int process_plan_build(const struct spec_process *p, bool new_userns, struct process_plan *out,
                       struct oci_err *err);
void process_plan_free(struct process_plan *p);
/* Socket activation: LISTEN_FDS=n and LISTEN_PID=1 in the env (n > 0). */
int process_plan_listen_fds(struct process_plan *p, int n);
/* RLIMIT_NOFILE -> RLIMIT_NOFILE's number; -1 when unknown. */
int process_plan_rlimit(const char *name);

/* In the init. */
int process_plan_apply_rlimits(const struct process_plan *p, struct oci_err *err);
/* Resolve argv[0] with the container's PATH (after the pivot). */
int process_plan_find_exec(const struct process_plan *p, char *out, size_t outlen,
                           struct oci_err *err);
/* Add HOME from the container's /etc/passwd when the env has none. */
void process_plan_default_home(struct process_plan *p);

#endif
