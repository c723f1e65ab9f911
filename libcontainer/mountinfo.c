#include "config.h"
#include "mountinfo.h"
#include "util.h"

#include <dlfcn.h>
#include <libmount/libmount.h>
#include <sys/mount.h>

static struct {
    void *h;
    struct libmnt_table *(*new_table_from_file)(const char *);
    struct libmnt_fs *(*find_mountpoint)(struct libmnt_table *, const char *, int);
    const char *(*fs_get_target)(struct libmnt_fs *);
    void (*unref_table)(struct libmnt_table *);
} lm;

static int load_libmount(struct oci_err *err)
{
    if (lm.h)
        return 0;
    void *h = dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return err_set(err, 0, "load libmount: %s", dlerror());
    lm.new_table_from_file = dlsym(h, "mnt_new_table_from_file");
    lm.find_mountpoint = dlsym(h, "mnt_table_find_mountpoint");
    lm.fs_get_target = dlsym(h, "mnt_fs_get_target");
    lm.unref_table = dlsym(h, "mnt_unref_table");
    if (!lm.new_table_from_file || !lm.find_mountpoint || !lm.fs_get_target || !lm.unref_table) {
        dlclose(h);
        return err_set(err, 0, "load libmount: missing symbols");
    }
    lm.h = h;
    return 0;
}

int mountinfo_mountpoint_of(const char *path, char **out, struct oci_err *err)
{
    if (load_libmount(err) < 0)
        return -1;
    struct libmnt_table *tb = lm.new_table_from_file("/proc/self/mountinfo");
    if (!tb)
        return err_set(err, errno, "parse /proc/self/mountinfo");
    struct libmnt_fs *fs = lm.find_mountpoint(tb, path, MNT_ITER_BACKWARD);
    int rc = 0;
    if (!fs)
        rc = err_set(err, 0, "no mount holds %s", path);
    else
        *out = xstrdup(lm.fs_get_target(fs));
    lm.unref_table(tb);
    return rc;
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
