/* The runtime-spec state (runtime.md "State") and oci-rt's own record of a
 * container, kept as state.json in the container's state directory. */
#ifndef OCI_SPECS_STATE_H
#define OCI_SPECS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "specs/spec_config.h"

struct spec_state {
    /* runtime-spec */
    char *oci_version;
    char *id;
    char *status; /* creating, created, running, stopped (+ paused) */
    int pid;
    char *bundle;
    struct spec_map annotations;
    /* oci-rt's own, in state.json and in `state` output where runc has them */
    char *rootfs;
    char *created; /* RFC 3339 with nanoseconds, UTC */
    uint32_t owner;
    char *owner_name; /* for output: the owner's user name (runc's "owner") */
    /* private to state.json */
    uint64_t pid_start; /* start time of pid in clock ticks (PID reuse guard) */
    char *cgroup_mode;  /* "disabled", "unified", "hybrid", "legacy" */
    char *cgroup_path;
    char *cgroup_top;      /* highest cgroup directory this container created */
    bool pidns;            /* the container has its own pid namespace */
    bool systemd_cgroup;   /* the cgroup is a systemd scope: the last part of cgroup_top */
    char *cgroup_delegate; /* run.oci.delegate-cgroup: the processes' cgroup below cgroup_path */
    unsigned hook_kinds;   /* a bit per enum spec_hook_kind the config has */
    /* no mount namespace: the container's mounts are in the host's, on a
     * bind of the rootfs onto itself; delete unmounts down to the mount
     * the rootfs had before (its mount id) */
    bool host_mounts;
    uint64_t rootfs_mnt_before;
};

/* Which members the JSON of a state has. */
enum spec_state_view {
    SPEC_STATE_SPEC,   /* runtime.md "State" only (the seccomp agent's message) */
    SPEC_STATE_SHOW,   /* what `oci-rt state` prints: also rootfs, created, owner (like runc) */
    SPEC_STATE_RECORD, /* all of it: state.json */
};

/* The state as one JSON object, into a document being written. */
struct json_gen;
void spec_state_gen(struct json_gen *j, const struct spec_state *s, enum spec_state_view view);

/* The JSON document of the state ('\n'-terminated): full=false the SHOW
 * view, full=true the RECORD. NULL when out of memory or the generator
 * fails. */
char *spec_state_to_json(const struct spec_state *s, bool full, bool pretty, size_t *len);
/* The same, written to f as it is made (a state with 50 MB of annotations
 * needs no 50 MB buffer): 0, or -1 when the generator or f fails. */
int spec_state_write(const struct spec_state *s, bool full, FILE *f);
struct spec_state *spec_state_parse(const char *data, size_t len, char **errmsg);
void spec_state_free(struct spec_state *s);
/* _cleanup_spec_state_ struct spec_state *s = NULL: freed at scope exit. */
static inline void spec_state_freep(struct spec_state **s)
{
    spec_state_free(*s);
}
#define _cleanup_spec_state_ __attribute__((cleanup(spec_state_freep)))

/* A JSON array of states in the SHOW view (`list --format json`); NULL
 * with *errmsg (malloc'd, or NULL when out of memory) when it cannot be
 * made. */
char *spec_state_list_json(struct spec_state *const *states, size_t n, size_t *len, char **errmsg);

#endif
