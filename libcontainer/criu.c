/* The requests runc makes of CRIU, as criu_opts (the RPC itself is in
 * criu_rpc.c): the images and work directories, the log, runc's flags, the
 * external mounts and the inherited fds; and the stdio descriptions a
 * restore needs. */
#include "config.h"
#include "criu.h"
#include "criu_rpc.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const cg_mode_names[] = {
    [CRIU_CG_SOFT] = "soft",
    [CRIU_CG_FULL] = "full",
    [CRIU_CG_STRICT] = "strict",
    [CRIU_CG_IGNORE] = "ignore",
};

int criu_cgroup_mode_parse(const char *s)
{
    for (int i = CRIU_CG_SOFT; i <= CRIU_CG_IGNORE; i++)
        if (!strcmp(s, cg_mode_names[i]))
            return i;
    return -1;
}

/* criu_opts fields (rpc.proto) */
enum {
    OPT_IMAGES_DIR_FD = 1,
    OPT_LEAVE_RUNNING = 3,
    OPT_EXT_UNIX_SK = 4,
    OPT_TCP_ESTABLISHED = 5,
    OPT_EVASIVE_DEVICES = 6,
    OPT_SHELL_JOB = 7,
    OPT_FILE_LOCKS = 8,
    OPT_LOG_LEVEL = 9,
    OPT_LOG_FILE = 10,
    OPT_NOTIFY_SCRIPTS = 12,
    OPT_PARENT_IMG = 14,
    OPT_TRACK_MEM = 15,
    OPT_AUTO_DEDUP = 16,
    OPT_WORK_DIR_FD = 17,
    OPT_MANAGE_CGROUPS = 24,
    OPT_CG_ROOT = 25,
    OPT_INHERIT_FD = 27,
    OPT_MANAGE_CGROUPS_MODE = 34,
    OPT_ORPHAN_PTS_MASTER = 50,
};

/* rpc.proto's criu_cg_mode values */
static const int cg_mode_rpc[] = {
    [CRIU_CG_SOFT] = 3,
    [CRIU_CG_FULL] = 4,
    [CRIU_CG_STRICT] = 5,
    [CRIU_CG_IGNORE] = 0,
};

void criu_req_free(struct criu_req *r)
{
    for (size_t i = 0; i < r->n_fds; i++)
        close(r->fds[i]);
    criu_msg_free(&r->opts);
    memset(r, 0, sizeof(*r));
}

void criu_req_keep(struct criu_req *r, int fd)
{
    if (r->n_fds < ARRAY_SIZE(r->fds))
        r->fds[r->n_fds++] = fd;
    else
        close(fd);
}

static int ensure_dir(const char *what, const char *path, bool create, struct oci_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : err_set(err, ENOTDIR, "%s %s", what, path);
    if (errno != ENOENT || !create)
        return err_set(err, errno, "%s %s", what, path);
    if (mkdir_p(path, 0700) < 0)
        return err_set(err, errno, "%s %s: mkdir", what, path);
    return 0;
}

static int dir_fd(struct criu_req *r, unsigned field, const char *what, const char *path,
                  bool create, struct oci_err *err)
{
    if (ensure_dir(what, path, create, err) < 0)
        return -1;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno, "%s %s", what, path);
    criu_req_keep(r, fd);
    criu_msg_int(&r->opts, field, fd);
    return 0;
}

int criu_req_common(struct criu_req *r, const struct criu_opts *o, enum criu_req_type type,
                    struct oci_err *err)
{
    bool restore = type == CRIU_RESTORE;
    if (dir_fd(r, OPT_IMAGES_DIR_FD, "--image-path", o->image_path, !restore, err) < 0 ||
        dir_fd(r, OPT_WORK_DIR_FD, "--work-path", o->work_path ? o->work_path : o->image_path, true,
               err) < 0)
        return -1;
    struct criu_msg *m = &r->opts;
    criu_msg_int(m, OPT_LOG_LEVEL, 4);
    criu_msg_str(m, OPT_LOG_FILE, restore ? "restore.log" : "dump.log");
    criu_msg_bool(m, OPT_MANAGE_CGROUPS, true);
    if (o->cgroup_mode != CRIU_CG_DEFAULT)
        criu_msg_int(m, OPT_MANAGE_CGROUPS_MODE, cg_mode_rpc[o->cgroup_mode]);
    /* as runc: notifications (the orphan pty master comes with one), and a
     * container's terminal, whose master is outside, dumped as an orphan */
    criu_msg_bool(m, OPT_NOTIFY_SCRIPTS, true);
    criu_msg_bool(m, OPT_ORPHAN_PTS_MASTER, true);
    const struct {
        bool on;
        unsigned field;
    } flags[] = {
        {o->tcp_established, OPT_TCP_ESTABLISHED},
        {o->ext_unix_sk, OPT_EXT_UNIX_SK},
        {o->shell_job, OPT_SHELL_JOB},
        {o->file_locks, OPT_FILE_LOCKS},
        {o->leave_running && !restore, OPT_LEAVE_RUNNING},
        {o->auto_dedup, OPT_AUTO_DEDUP},
        {(o->pre_dump || o->parent_path) && !restore, OPT_TRACK_MEM},
        {restore, OPT_EVASIVE_DEVICES},
    };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
        if (flags[i].on)
            criu_msg_bool(m, flags[i].field, true);
    if (o->parent_path && !restore)
        criu_msg_str(m, OPT_PARENT_IMG, o->parent_path);
    return 0;
}

void criu_req_inherit(struct criu_req *r, const char *key, int fd)
{
    struct criu_msg sub = {0};
    criu_msg_str(&sub, 1, key);
    criu_msg_int(&sub, 2, fd);
    criu_msg_sub(&r->opts, OPT_INHERIT_FD, &sub);
    criu_msg_free(&sub);
}

void criu_req_cgroup_root(struct criu_req *r, const char *path)
{
    struct criu_msg sub = {0};
    criu_msg_str(&sub, 2, path);
    criu_msg_sub(&r->opts, OPT_CG_ROOT, &sub);
    criu_msg_free(&sub);
}

static bool is_bind(const struct spec_mount *m)
{
    if (m->type && !strcmp(m->type, "bind"))
        return true;
    for (size_t i = 0; i < m->options.n; i++)
        if (!strcmp(m->options.items[i], "bind") || !strcmp(m->options.items[i], "rbind"))
            return true;
    return false;
}

void criu_req_mounts(struct criu_req *r, const struct spec_config *cfg, const char *bundle,
                     const char *proc_root)
{
    bool restore = proc_root == NULL;
    struct criu_msg *m = &r->opts;
    for (size_t i = 0; i < cfg->n_mounts; i++) {
        const struct spec_mount *mt = &cfg->mounts[i];
        if (!is_bind(mt) || !mt->destination || !mt->source)
            continue;
        if (restore && mt->source[0] != '/')
            criu_msg_strf(m, CRIU_OPT_EXTERNAL, "mnt[%s]:%s/%s", mt->destination, bundle,
                          mt->source);
        else
            criu_msg_strf(m, CRIU_OPT_EXTERNAL, "mnt[%s]:%s", mt->destination,
                          restore ? mt->source : mt->destination);
    }
    /* the files of linux.maskedPaths carry a bind mount of /dev/null */
    const struct spec_linux *l = cfg->linux_;
    for (size_t i = 0; l && i < l->masked_paths.n; i++) {
        const char *p = l->masked_paths.items[i];
        char path[PATH_MAX_LEN];
        struct stat st;
        snprintf(path, sizeof(path), "%s%s", proc_root ? proc_root : "", p);
        if (!restore && (stat(path, &st) < 0 || S_ISDIR(st.st_mode)))
            continue; /* (a restore maps them all: an unused key is no error) */
        criu_msg_strf(m, CRIU_OPT_EXTERNAL, "mnt[%s]:%s", p, restore ? "/dev/null" : p);
    }
}

bool criu_available(const char *criu)
{
    const char *bin = criu ? criu : CRIU_DEFAULT_BIN;
    if (strchr(bin, '/'))
        return access(bin, X_OK) == 0;
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        char file[PATH_MAX_LEN];
        snprintf(file, sizeof(file), "%.*s/%s", (int)n, p, bin);
        if (n && access(file, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

int criu_save_descriptors(const char *image_path, pid_t pid, struct oci_err *err)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "%s/%s", image_path, CRIU_DESCRIPTORS);
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (!f)
        return err_set(err, errno, "open_memstream");
    fputc('[', f);
    for (int fd = 0; fd < 3; fd++) {
        char link[64], target[PATH_MAX_LEN];
        snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        fprintf(f, "%s\"", fd ? "," : "");
        for (const char *c = target; *c; c++)
            fprintf(f, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
        fputc('"', f);
    }
    fputs("]\n", f);
    fclose(f);
    if (write_file_atomic(AT_FDCWD, path, data, len, 0600) < 0)
        return err_set(err, errno, "write %s", path);
    return 0;
}

int criu_load_descriptors(const char *image_path, char *out[3], struct oci_err *err)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "%s/%s", image_path, CRIU_DESCRIPTORS);
    out[0] = out[1] = out[2] = NULL;
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, path, &data, NULL, 1 << 16) < 0)
        return errno == ENOENT ? 0 : err_set(err, errno, "read %s", path);
    /* ["a","b","c"]: strings without quotes inside (fd descriptions) */
    char *p = strchr(data, '[');
    for (int i = 0; p && i < 3; i++) {
        char *s = strchr(p, '"'), *e = s ? strchr(s + 1, '"') : NULL;
        if (!e)
            break;
        out[i] = xstrndup(s + 1, (size_t)(e - s - 1));
        p = e + 1;
    }
    return 0;
}
