#include "config.h"
#include "pathres.h"
#include "trace.h"
#include "user.h"
#include "util.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* The container's passwd or group file, read by the still privileged
 * runtime: only a regular file that is not procfs's or sysfs's (an image
 * whose /etc/passwd is a symlink to /proc/kmsg or a FIFO gets "no such
 * file", not a read of the host's kernel log or a hang). Opening does not
 * block (O_NONBLOCK) nor take a terminal (O_NOCTTY). The path is resolved
 * in the process's root without magic links: while the runtime's procfs
 * (of the host's pid namespace) is open, /proc/self/fd/N/PID/root would
 * lead a symlink of the image to a host file (a magic link gets ENOENT). */
static FILE *open_db(const char *path)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return NULL;
    int fd = path_openat2(root, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, false);
    if (fd < 0 && errno == ELOOP)
        errno = ENOENT;
    if (fd < 0)
        return NULL;
    struct stat st;
    struct statfs sf;
    if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0 || !S_ISREG(st.st_mode) ||
        sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC) {
        close(fd);
        errno = ENOENT;
        return NULL;
    }
    FILE *f = fdopen(fd, "re");
    if (!f)
        close(fd);
    return f;
}

/* name:passwd:uid:gid:gecos:home:shell, of an open passwd file (closed) */
static int lookup_in(FILE *f, const char *name, uid_t uid, struct user_entry *out)
{
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof(line), f)) {
        char *fields[7] = {0}, *p = line;
        line[strcspn(line, "\n")] = '\0';
        for (int i = 0; i < 7 && p; i++) {
            fields[i] = p;
            p = strchr(p, ':');
            if (p)
                *p++ = '\0';
        }
        if (!fields[3])
            continue;
        uint64_t u, g;
        if (parse_u64(fields[2], &u) < 0 || parse_u64(fields[3], &g) < 0)
            continue;
        if (name ? strcmp(fields[0], name) != 0 : (uid_t)u != uid)
            continue;
        out->uid = (uid_t)u;
        out->gid = (gid_t)g;
        snprintf(out->name, sizeof(out->name), "%s", fields[0]);
        snprintf(out->home, sizeof(out->home), "%s", fields[5] && *fields[5] ? fields[5] : "/");
        found = 1;
    }
    fclose(f);
    return found;
}

int user_lookup(const char *passwd_path, const char *name, uid_t uid, struct user_entry *out)
{
    FILE *f = open_db(passwd_path);
    if (!f)
        return errno == ENOENT ? 0 : -1;
    return lookup_in(f, name, uid, out);
}

int user_lookup_host(uid_t uid, struct user_entry *out)
{
    FILE *f = fopen("/etc/passwd", "re");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    return lookup_in(f, NULL, uid, out);
}

int group_lookup(const char *group_path, const char *name, gid_t *gid)
{
    FILE *f = open_db(group_path);
    if (!f)
        return 0;
    char line[4096];
    int found = 0;
    size_t nl = strlen(name);
    while (!found && fgets(line, sizeof(line), f)) {
        if (strncmp(line, name, nl) != 0 || line[nl] != ':')
            continue;
        char *p = strchr(line + nl + 1, ':');
        uint64_t g;
        if (!p)
            continue;
        char *end = strchr(p + 1, ':');
        if (end)
            *end = '\0';
        if (parse_u64(p + 1, &g) == 0) {
            *gid = (gid_t)g;
            found = 1;
        }
    }
    fclose(f);
    return found;
}

int user_switch(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, bool in_userns,
                struct oci_err *err)
{
    TRACE_BEGIN(span, "user and groups");
    int rc = -1;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        err_set(err, errno, "prctl(PR_SET_KEEPCAPS)");
        goto out;
    }
    if (setgroups(ngroups, groups) < 0 && !(errno == EPERM && ngroups == 0 && in_userns)) {
        err_set(err, errno, "process.user.additionalGids: setgroups");
        goto out;
    }
    if (setresgid(gid, gid, gid) < 0) {
        err_set(err, errno, "process.user.gid %u: setgid", gid);
        goto out;
    }
    if (setresuid(uid, uid, uid) < 0) {
        err_set(err, errno, "process.user.uid %u: setuid", uid);
        goto out;
    }
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        err_set(err, errno, "prctl(PR_SET_KEEPCAPS)");
        goto out;
    }
    rc = 0;
out:
    TRACE_END_RC(span, rc);
    return rc;
}
