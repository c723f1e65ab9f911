/* The machine a run measures (kernel, cgroup layout, CPU, memory, load),
 * the private cgroup2 view, and what oci-bench reads of the host's memory
 * and cgroups: MemAvailable, a container's cgroup memory, and the removal of
 * this run's own cgroup parent. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <dirent.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG "/sys/fs/cgroup"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

void bench_note(struct bench *b, const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    b->notes = xrealloc(b->notes, (b->nnotes + 2) * sizeof(*b->notes));
    b->notes[b->nnotes++] = s;
    b->notes[b->nnotes] = NULL;
}

/* The value of "key" in a "key<sep>value" file, trimmed. */
static char *file_value(const char *path, const char *key, char sep)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    char *line = NULL, *val = NULL;
    size_t cap = 0, klen = strlen(key);
    while (!val && getline(&line, &cap, f) > 0) {
        if (strncmp(line, key, klen))
            continue;
        char *p = line + klen;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != sep)
            continue;
        p++;
        while (*p == ' ' || *p == '\t' || *p == '"')
            p++;
        size_t n = strcspn(p, "\"\n");
        val = xstrndup(p, n);
    }
    free(line);
    fclose(f);
    return val;
}

static bool is_cgroup2(const char *path)
{
    struct statfs s;
    return statfs(path, &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

static char *cgroup_layout(bool view)
{
    if (is_cgroup2(CG))
        return xstrdup(view ? "cgroup v2 (a private cgroup2 view on a host that is not)"
                            : "cgroup v2 (unified)");
    if (is_cgroup2(CG "/unified"))
        return xstrdup("hybrid (cgroup v1 controllers, cgroup2 at /sys/fs/cgroup/unified)");
    return xstrdup("cgroup v1");
}

void bench_env_collect(struct bench_env *e, bool cgroup2_view)
{
    char buf[128];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm);
    e->date = xstrdup(buf);
    e->os = file_value("/etc/os-release", "PRETTY_NAME", '=');
    if (!e->os)
        e->os = xstrdup("?");
    struct utsname u;
    uname(&u);
    xasprintf(&e->kernel, "%s %s (%s)", u.sysname, u.release, u.machine);
    e->cgroup = cgroup_layout(cgroup2_view);
    e->cpu = file_value("/proc/cpuinfo", "model name", ':');
    if (!e->cpu)
        e->cpu = xstrdup("?");
    e->cores = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    _cleanup_free_ char *mem = file_value("/proc/meminfo", "MemTotal", ':');
    e->mem_kib = mem ? strtoull(mem, NULL, 10) : 0;
    _cleanup_free_ char *load = NULL;
    size_t len;
    if (read_file_at(AT_FDCWD, "/proc/loadavg", &load, &len, 256) == 0) {
        char a[16], b1[16], c[16];
        if (sscanf(load, "%15s %15s %15s", a, b1, c) == 3)
            xasprintf(&e->load, "%s %s %s", a, b1, c);
    }
    if (!e->load)
        e->load = xstrdup("?");
}

void bench_env_free(struct bench_env *e)
{
    free(e->date);
    free(e->os);
    free(e->kernel);
    free(e->cgroup);
    free(e->cpu);
    free(e->load);
    memset(e, 0, sizeof(*e));
}

int bench_cgroup2_view(struct oci_err *err)
{
    if (unshare(CLONE_NEWNS) < 0)
        return err_set(err, errno, "--cgroup2-view: unshare of the mount namespace");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return err_set(err, errno, "--cgroup2-view: making the mounts private");
    if (mount("none", CG, "cgroup2", 0, NULL) < 0)
        return err_set(err, errno, "--cgroup2-view: mount -t cgroup2 none " CG);
    return 0;
}

int bench_meminfo_available(uint64_t *kib)
{
    _cleanup_free_ char *v = file_value("/proc/meminfo", "MemAvailable", ':');
    if (!v)
        return -1;
    *kib = strtoull(v, NULL, 10);
    return 0;
}

static int read_u64(const char *path, uint64_t *v)
{
    _cleanup_free_ char *s = NULL;
    size_t len;
    if (read_file_at(AT_FDCWD, path, &s, &len, 64) < 0)
        return -1;
    *v = strtoull(s, NULL, 10);
    return 0;
}

/* Pss of a process (kB -> bytes), from smaps_rollup. */
static uint64_t pss_of(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
    _cleanup_free_ char *v = file_value(path, "Pss", ':');
    return v ? strtoull(v, NULL, 10) * 1024 : 0;
}

/* The sum of the Pss of the processes in a cgroup2 directory. */
static uint64_t pss_of_cgroup(const char *dir, pid_t fallback)
{
    _cleanup_free_ char *procs = NULL, *path = NULL;
    size_t len;
    xasprintf(&path, "%s/cgroup.procs", dir);
    if (read_file_at(AT_FDCWD, path, &procs, &len, 1 << 20) < 0)
        return pss_of(fallback);
    uint64_t sum = 0;
    for (char *p = procs; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        sum += pss_of((pid_t)pid);
        p = end + (*end ? 1 : 0);
    }
    return sum;
}

int bench_cgroup_memory(pid_t pid, uint64_t *bytes, const char **how)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
    _cleanup_free_ char *text = NULL, *v2 = NULL;
    size_t len;
    if (read_file_at(AT_FDCWD, path, &text, &len, 1 << 16) < 0)
        return -1;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        if (c1[1] == '\0') {
            free(v2);
            v2 = xstrdup(c2 + 1);
            continue;
        }
        for (char *s = NULL, *c = strtok_r(c1 + 1, ",", &s); c; c = strtok_r(NULL, ",", &s)) {
            _cleanup_free_ char *f = NULL;
            xasprintf(&f, CG "/memory%s/memory.usage_in_bytes", c2 + 1);
            if (!strcmp(c, "memory") && read_u64(f, bytes) == 0) {
                *how = "cgroup v1 memory.usage_in_bytes";
                return 0;
            }
        }
    }
    if (!v2)
        return -1;
    _cleanup_free_ char *dir = NULL, *cur = NULL;
    xasprintf(&dir, "%s%s", is_cgroup2(CG) ? CG : CG "/unified", v2);
    xasprintf(&cur, "%s/memory.current", dir);
    if (read_u64(cur, bytes) == 0) {
        *how = "cgroup v2 memory.current";
        return 0;
    }
    *bytes = pss_of_cgroup(dir, pid);
    *how = "Pss of the cgroup's processes (no memory controller in this cgroup view)";
    return 0;
}

static int rm_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    return 0;
}

void bench_cgroups_remove(const char *parent)
{
    if (strncmp(parent, "ocibench-", 9) || strchr(parent, '/'))
        return; /* only ever this run's own parent */
    _cleanup_free_ char *p = NULL;
    if (is_cgroup2(CG)) {
        xasprintf(&p, CG "/%s", parent);
        nftw(p, rm_dir, 16, FTW_DEPTH | FTW_PHYS);
        return;
    }
    _cleanup_(closedirp) DIR *d = opendir(CG);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || de->d_type != DT_DIR)
            continue; /* the symlinks (cpu -> cpu,cpuacct) lead to a directory seen too */
        free(p);
        xasprintf(&p, CG "/%s/%s", de->d_name, parent);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            nftw(p, rm_dir, 16, FTW_DEPTH | FTW_PHYS);
    }
}
