/* The mount table (/proc/PID/mountinfo, proc(5)), read by oci-rt's own
 * parser (mountinfo_each/mountinfo_parse), whose fields
 * tests/unit/check_mounts.c compares with libmount's table API
 * (mnt_table_next_fs) line by line. Not through libmount: loading it costs
 * about 0.5 ms (measured: `oci-rt state` p50 2.03 -> 3.30 ms on the hybrid
 * test host), the init may read the table after pivot_root, where a dlopen
 * would look in the container's root file system, and the runtime is a
 * static program (dynload.h). */
#ifndef OCI_MOUNTINFO_H
#define OCI_MOUNTINFO_H

#include "error.h"

/* One mount of the table; the strings point into the parsed text, with
 * their \ooo escapes undone (a space in a path is \040), never NULL. */
struct mountinfo_mount {
    int id, parent_id;
    const char *root;        /* of the mount within its filesystem: "/" */
    const char *target;      /* the mount point */
    const char *fstype;      /* "cgroup", "cgroup2", "tmpfs", ... */
    const char *source;      /* "cgroup", "/dev/sda1", "none", ... */
    const char *vfs_options; /* the mount's own: "rw,nosuid,nodev,noexec" */
    const char *fs_options;  /* the superblock's: "rw,cpu,cpuacct" */
};

typedef int (*mountinfo_fn)(const struct mountinfo_mount *m, void *arg);

/* Call fn on each mount of a mountinfo table held in text, in order, until
 * fn returns non-zero (that value is returned; else 0). text is cut up in
 * place. A line that is not a mountinfo line is skipped. */
int mountinfo_parse(char *text, mountinfo_fn fn, void *arg);
/* The same for the table in file (NULL: /proc/self/mountinfo); -1 with err
 * when it cannot be read. */
int mountinfo_each(const char *file, mountinfo_fn fn, void *arg, struct oci_err *err);

/* The mount point of the mount that holds path, malloc'd. */
int mountinfo_mountpoint_of(const char *path, char **out, struct oci_err *err);
/* Make the mount holding path private (pivot_root needs a non-shared parent). */
int mountinfo_make_parent_private(const char *path, struct oci_err *err);

#endif
