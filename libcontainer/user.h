/* The container's user: /etc/passwd and /etc/group of the container (never
 * NSS of the host), and the switch of ids. */
#ifndef OCI_USER_H
#define OCI_USER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct user_entry {
    uid_t uid;
    gid_t gid;
    char name[256];
    char home[512];
};

/* Look a user up by name or by uid (name NULL) in passwd_path. 1 found,
 * 0 not found, -1 error (other than a missing file, which is "not found"). */
int user_lookup(const char *passwd_path, const char *name, uid_t uid, struct user_entry *out);
/* The same by uid in the host's /etc/passwd, opened by path in the
 * runtime's own root (list's owners: as runc, not NSS; dynload.h). */
int user_lookup_host(uid_t uid, struct user_entry *out);
/* A group name -> gid from group_path; 1 found, 0 not. */
int group_lookup(const char *group_path, const char *name, gid_t *gid);

/* setgroups + setresgid + setresuid, keeping capabilities across. */
int user_switch(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, bool in_userns,
                struct oci_err *err);

#endif
