/* Capabilities: names resolved with libcap in the parent (warnings for what
 * cannot be granted), bit masks applied in the init. */
#ifndef OCI_CAPS_H
#define OCI_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "specs/spec_config.h"

struct caps_plan {
    bool set; /* the config has a capabilities object */
    uint64_t bounding, effective, permitted, inheritable, ambient;
    uint64_t held; /* what the init will hold before it applies the sets */
};

/* Resolve names; unknown names and capabilities this process cannot grant
 * are dropped with a warning, as the runtime-spec asks. */
/* new_userns: the init gets every capability of its bounding set in its own
 * user namespace, whatever this process holds. */
int caps_plan(const struct spec_caps *c, bool new_userns, struct caps_plan *out,
              struct oci_err *err);
int caps_parse_list(const struct spec_strv *names, const char *what, uint64_t *mask,
                    struct oci_err *err);
/* In the init, before the user switch: drop what is not in bounding. */
int caps_drop_bounding(const struct caps_plan *p, struct oci_err *err);
/* After the user switch (with PR_SET_KEEPCAPS): set the other four sets.
 * keep: capabilities held on in the effective and permitted sets only (not
 * inheritable, ambient or bounding), for a step before execve that needs
 * them; the execve drops them by the kernel's rules, since neither the
 * bounding nor the inheritable set has them. */
int caps_apply(const struct caps_plan *p, uint64_t keep, struct oci_err *err);
/* The highest capability the kernel knows. */
int caps_last_cap(void);
/* The name of capability cap as config.json writes it ("CAP_SYS_ADMIN"),
 * malloc'd; NULL for a number libcap has no name for. */
char *caps_name(int cap);

#endif
