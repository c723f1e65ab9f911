#include "config.h"
#include "mountinfo.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

/* \ooo escapes back to bytes, in place. */
static char *unescape(char *s)
{
    char *d = s;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *d++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *d++ = *p;
        }
    }
    *d = '\0';
    return s;
}

static bool parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * id, parent, device, root, mount point, options, optional fields up to
 * "-", then the filesystem type, the source and the superblock options. */
static bool parse_line(char *line, struct mountinfo_mount *m)
{
    char *f[6], *sep;
    for (size_t i = 0; i < ARRAY_SIZE(f); i++)
        if (!(f[i] = strsep(&line, " ")))
            return false;
    do
        sep = strsep(&line, " ");
    while (sep && strcmp(sep, "-"));
    char *fstype = strsep(&line, " "), *source = strsep(&line, " ");
    char *super = strsep(&line, " ");
    if (!sep || !super || !parse_int(f[0], &m->id) || !parse_int(f[1], &m->parent_id))
        return false;
    m->root = unescape(f[3]);
    m->target = unescape(f[4]);
    m->vfs_options = f[5];
    m->fstype = unescape(fstype);
    m->source = unescape(source);
    m->fs_options = super;
    return true;
}

int mountinfo_parse(char *text, mountinfo_fn fn, void *arg)
{
    for (char *line; (line = strsep(&text, "\n"));) {
        struct mountinfo_mount m;
        if (!parse_line(line, &m))
            continue;
        int r = fn(&m, arg);
        if (r)
            return r;
    }
    return 0;
}

int mountinfo_each(const char *file, mountinfo_fn fn, void *arg, struct oci_err *err)
{
    if (!file)
        file = "/proc/self/mountinfo";
    _cleanup_free_ char *text = NULL;
    if (read_file_at(AT_FDCWD, file, &text, NULL, 64 << 20) < 0)
        return err_set(err, errno, "read %s", file);
    return mountinfo_parse(text, fn, arg);
}

struct holder {
    const char *path;
    size_t best; /* length of the deepest mount point holding path so far */
    char *target;
};

/* the deepest mount point that path lies in; of two mounts on the same
 * point the later one, the one on top (as libmount's backward search) */
static int find_holder(const struct mountinfo_mount *m, void *arg)
{
    struct holder *h = arg;
    size_t n = strlen(m->target);
    bool holds = !strcmp(m->target, "/") ||
                 (!strncmp(h->path, m->target, n) && (h->path[n] == '\0' || h->path[n] == '/'));
    if (holds && (!h->target || n >= h->best)) {
        free(h->target);
        h->target = xstrdup(m->target);
        h->best = n;
    }
    return 0;
}

int mountinfo_mountpoint_of(const char *path, char **out, struct oci_err *err)
{
    struct holder h = {.path = path};
    if (mountinfo_each(NULL, find_holder, &h, err) < 0)
        return -1;
    if (!h.target)
        return err_set(err, 0, "no mount holds %s", path);
    *out = h.target;
    return 0;
}

int mountinfo_make_parent_private(const char *path, struct oci_err *err)
{
    _cleanup_free_ char *mp = NULL;
    if (mountinfo_mountpoint_of(path, &mp, err) < 0)
        return -1;
    if (mount(NULL, mp, "", MS_PRIVATE, NULL) < 0)
        return err_set(err, errno, "make %s private", mp);
    return 0;
}
