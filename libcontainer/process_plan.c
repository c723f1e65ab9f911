#include "config.h"
#include "process_plan.h"
#include "trace.h"
#include "user.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int process_plan_rlimit(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
        if (!strcmp(rlimit_names[i].name, name))
            return rlimit_names[i].resource;
    return -1;
}

int process_plan_build(const struct spec_process *p, bool new_userns, struct process_plan *out,
                       struct oci_err *err)
{
    memset(out, 0, sizeof(*out));
    out->argv = xzalloc((p->args.n + 1) * sizeof(char *));
    if (p->args.n) /* items is NULL when there is none */
        memcpy(out->argv, p->args.items, p->args.n * sizeof(char *));
    out->envp = xzalloc((p->env.n + 2) * sizeof(char *));
    if (p->env.n)
        memcpy(out->envp, p->env.items, p->env.n * sizeof(char *));
    out->n_env = p->env.n;
    out->cwd = p->cwd;
    out->uid = p->user.uid;
    out->gid = p->user.gid;
    out->username = p->user.username;
    out->n_groups = p->user.n_additional_gids;
    out->groups = xzalloc((out->n_groups + 1) * sizeof(gid_t));
    for (size_t i = 0; i < out->n_groups; i++)
        out->groups[i] = p->user.additional_gids[i];
    out->has_umask = p->user.has_umask;
    out->umask = (mode_t)p->user.umask;
    out->no_new_privs = p->no_new_privileges;
    out->has_oom_score_adj = p->has_oom_score_adj;
    out->oom_score_adj = p->oom_score_adj;
    out->terminal = p->terminal;
    out->rlimits = xzalloc((p->n_rlimits + 1) * sizeof(*out->rlimits));
    for (size_t i = 0; i < p->n_rlimits; i++) {
        int r = process_plan_rlimit(p->rlimits[i].type);
        if (r < 0)
            return err_set(err, 0, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i,
                           p->rlimits[i].type);
        if (p->rlimits[i].soft > p->rlimits[i].hard)
            return err_set(err, 0, "process.rlimits[%zu]: %s soft limit is above the hard limit", i,
                           p->rlimits[i].type);
        out->rlimits[i].resource = r;
        out->rlimits[i].lim.rlim_cur = p->rlimits[i].soft;
        out->rlimits[i].lim.rlim_max = p->rlimits[i].hard;
    }
    out->n_rlimits = p->n_rlimits;
    if (p->has_capabilities && caps_plan(&p->capabilities, new_userns, &out->caps, err) < 0)
        return -1;
    return 0;
}

int process_plan_listen_fds(struct process_plan *p, int n)
{
    if (n <= 0)
        return 0;
    p->envp = xrealloc(p->envp, (p->n_env + 4) * sizeof(char *));
    xasprintf(&p->envp[p->n_env++], "LISTEN_FDS=%d", n);
    p->envp[p->n_env++] = xstrdup("LISTEN_PID=1");
    p->envp[p->n_env] = NULL;
    return 0;
}

void process_plan_free(struct process_plan *p)
{
    free(p->argv);
    free(p->envp);
    free(p->groups);
    free(p->rlimits);
    memset(p, 0, sizeof(*p));
}

static const char *rlimit_name(int resource)
{
    for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
        if (rlimit_names[i].resource == resource)
            return rlimit_names[i].name;
    return "?";
}

int process_plan_apply_rlimits(const struct process_plan *p, struct oci_err *err)
{
    for (size_t i = 0; i < p->n_rlimits; i++)
        if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
            return err_set(err, errno, "process.rlimits: set %s to %llu:%llu",
                           rlimit_name(p->rlimits[i].resource),
                           (unsigned long long)p->rlimits[i].lim.rlim_cur,
                           (unsigned long long)p->rlimits[i].lim.rlim_max);
    return 0;
}

static const char *env_get(char *const *envp, const char *name)
{
    size_t n = strlen(name);
    for (; envp && *envp; envp++)
        if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
            return *envp + n + 1;
    return NULL;
}

static bool is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int process_plan_find_exec(const struct process_plan *p, char *out, size_t outlen,
                           struct oci_err *err)
{
    const char *file = p->argv[0];
    if (strchr(file, '/')) {
        if (!is_executable(file))
            return err_set(err, errno ? errno : EACCES, "exec \"%s\"", file);
        snprintf(out, outlen, "%s", file);
        return 0;
    }
    const char *path = env_get(p->envp, "PATH");
    if (!path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *dir = path;; dir++) {
        const char *end = strchrnul(dir, ':');
        int dl = (int)(end - dir);
        snprintf(out, outlen, "%.*s%s%s", dl, dl ? dir : ".", "/", file);
        if (is_executable(out))
            return 0;
        if (!*end)
            break;
        dir = end;
    }
    return err_set(err, ENOENT, "exec \"%s\"", file);
}

void process_plan_default_home(struct process_plan *p)
{
    if (env_get(p->envp, "HOME"))
        return;
    struct user_entry u;
    const char *home = "/";
    if (user_lookup("/etc/passwd", NULL, p->uid, &u) == 1)
        home = u.home;
    char *e;
    xasprintf(&e, "HOME=%s", home);
    p->envp[p->n_env++] = e; /* lives until execve */
    p->envp[p->n_env] = NULL;
}
