/* CRIU through its command line: the argument vector runc's options make,
 * running criu with the fds it must inherit, the reason of a failure from
 * its log, and the stdio descriptions a restore needs. */
#include "config.h"
#include "criu.h"
#include "util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

void criu_argv_add(struct criu_argv *a, const char *fmt, ...)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->v[a->n], fmt, ap) < 0)
        abort();
    va_end(ap);
    a->v[++a->n] = NULL;
}

void criu_argv_free(struct criu_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof(*a));
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

int criu_argv_common(struct criu_argv *a, const struct criu_opts *o, const char *action,
                     struct oci_err *err)
{
    bool restore = !strcmp(action, "restore");
    const char *work = o->work_path ? o->work_path : o->image_path;
    if (ensure_dir("--image-path", o->image_path, !restore, err) < 0 ||
        ensure_dir("--work-path", work, true, err) < 0)
        return -1;
    criu_argv_add(a, "%s", o->criu ? o->criu : CRIU_DEFAULT_BIN);
    criu_argv_add(a, "%s", action);
    criu_argv_add(a, "--images-dir=%s", o->image_path);
    criu_argv_add(a, "--work-dir=%s", work);
    criu_argv_add(a, "--log-file=%s.log", action);
    criu_argv_add(a, "-v4");
    if (o->cgroup_mode == CRIU_CG_DEFAULT)
        criu_argv_add(a, "--manage-cgroups");
    else
        criu_argv_add(a, "--manage-cgroups=%s", cg_mode_names[o->cgroup_mode]);
    const struct {
        bool on;
        const char *flag;
    } flags[] = {
        {o->tcp_established, "--tcp-established"},
        {o->ext_unix_sk, "--ext-unix-sk"},
        {o->shell_job, "--shell-job"},
        {o->file_locks, "--file-locks"},
        {o->leave_running && !restore, "--leave-running"},
        {o->auto_dedup, "--auto-dedup"},
        {(o->pre_dump || o->parent_path) && !restore, "--track-mem"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
        if (flags[i].on)
            criu_argv_add(a, "%s", flags[i].flag);
    if (o->parent_path && !restore)
        criu_argv_add(a, "--prev-images-dir=%s", o->parent_path);
    return 0;
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

void criu_argv_mounts(struct criu_argv *a, const struct spec_config *cfg, const char *bundle,
                      const char *proc_root)
{
    bool restore = proc_root == NULL;
    for (size_t i = 0; i < cfg->n_mounts; i++) {
        const struct spec_mount *m = &cfg->mounts[i];
        if (!is_bind(m) || !m->destination)
            continue;
        if (restore && m->source && m->source[0] != '/')
            criu_argv_add(a, "--external=mnt[%s]:%s/%s", m->destination, bundle, m->source);
        else if (restore)
            criu_argv_add(a, "--external=mnt[%s]:%s", m->destination, m->source);
        else
            criu_argv_add(a, "--external=mnt[%s]:%s", m->destination, m->destination);
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
        criu_argv_add(a, "--external=mnt[%s]:%s", p, restore ? "/dev/null" : p);
    }
}

/* The cause of a failure in criu's own words: the last "Error" line of its
 * log before its closing "Dumping FAILED." (earlier ones may be probes). */
static char *log_error(const char *dir, const char *name)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, path, &data, NULL, 64 << 20) < 0)
        return NULL;
    char *cause = NULL; /* the last error before criu's "FAILED." */
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *e = strstr(line, "Error (");
        if (e && (!strstr(e, "FAILED") || !cause))
            cause = e;
    }
    return cause ? xstrdup(cause) : NULL;
}

int criu_run(struct criu_argv *a, const struct criu_opts *o, const char *log_name, const int *keep,
             size_t n_keep, struct oci_err *err)
{
    pid_t pid = fork();
    if (pid < 0)
        return err_set(err, errno, "fork for criu");
    if (pid == 0) {
        for (size_t i = 0; i < n_keep; i++) {
            int fl = fcntl(keep[i], F_GETFD);
            if (fl >= 0)
                fcntl(keep[i], F_SETFD, fl & ~FD_CLOEXEC);
        }
        execvp(a->v[0], a->v);
        fprintf(stderr, "oci-rt: exec %s: %s\n", a->v[0], strerror(errno));
        _exit(127);
    }
    int status;
    if (TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, 0)) < 0)
        return err_set(err, errno, "wait for criu");
    return criu_wait_status(status, a, o, log_name, err);
}

int criu_wait_status(int status, const struct criu_argv *a, const struct criu_opts *o,
                     const char *log_name, struct oci_err *err)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    const char *work = o->work_path ? o->work_path : o->image_path;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return err_set(err, ENOENT,
                       "criu %s: cannot run %s (Debian: apt-get install criu; or --criu PATH)",
                       a->v[1], a->v[0]);
    _cleanup_free_ char *why = log_error(work, log_name);
    return err_set(err, 0, "criu %s failed (%s %d): %s (log: %s/%s)", a->v[1],
                   WIFEXITED(status) ? "exit status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                   why ? why : "no error in its log", work, log_name);
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
