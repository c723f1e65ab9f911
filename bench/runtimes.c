/* The runtimes under test: NAME=COMMAND pairs (split by text.c), or the
 * default set (oci-rt, runc, crun where installed, runsc when
 * on PATH); their versions; and the first container of each, whose failure
 * drops that runtime from the run (said on stderr and in every report). */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ finding commands */

char *bench_which(const char *cmd)
{
    struct stat st;
    if (strchr(cmd, '/')) {
        if (stat(cmd, &st) == 0 && S_ISREG(st.st_mode) && access(cmd, X_OK) == 0)
            return realpath(cmd, NULL);
        return NULL;
    }
    const char *path = getenv("PATH");
    _cleanup_free_ char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        _cleanup_free_ char *p = NULL;
        xasprintf(&p, "%s/%s", *d ? d : ".", cmd);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
            return realpath(p, NULL);
    }
    return NULL;
}

int bench_in_path(const char *cmd)
{
    _cleanup_free_ char *p = bench_which(cmd);
    return p != NULL;
}

static struct bench_runtime *rt_new(struct bench *b, const char *name)
{
    b->rts = xrealloc(b->rts, (b->nrts + 1) * sizeof(*b->rts));
    struct bench_runtime *rt = &b->rts[b->nrts++];
    memset(rt, 0, sizeof(*rt));
    rt->name = xstrdup(name);
    return rt;
}

static int rt_add(struct bench *b, const char *name, const char *cmd, struct oci_err *err)
{
    for (size_t i = 0; i < b->nrts; i++)
        if (!strcmp(b->rts[i].name, name))
            return err_set(err, 0, "runtime \"%s\" is given twice", name);
    struct bench_runtime *rt = rt_new(b, name);
    if (bench_split_command(cmd, &rt->argv, &rt->argc, err) < 0)
        return err_wrap(err, "runtime \"%s\"", name);
    if (b->o.engine == BENCH_DOCKER) {
        if (rt->argc != 1)
            return err_set(err, 0,
                           "runtime \"%s\": docker takes the name of a runtime it knows, "
                           "not a command line (\"%s\")",
                           name, cmd);
        return 0; /* docker's daemon checks the name (driver init) */
    }
    _cleanup_free_ char *path = bench_which(rt->argv[0]);
    if (!path)
        return err_set(err, 0, "runtime \"%s\": command \"%s\" not found%s", name, rt->argv[0],
                       strchr(rt->argv[0], '/') ? "" : " in PATH");
    if (b->o.engine != BENCH_DIRECT) {
        if (rt->argc != 1)
            return err_set(err, 0,
                           "runtime \"%s\": --engine %s takes the path of a runtime, "
                           "not a command line (\"%s\")",
                           name, b->drv->name, cmd);
        free(rt->argv[0]);
        rt->argv[0] = TAKE_PTR(path);
    }
    return 0;
}

char *bench_find_ocirt(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            strcpy(slash + 1, "oci-rt");
            if (access(self, X_OK) == 0)
                return xstrdup(self);
        }
    }
    return bench_which("oci-rt");
}

static int default_runtimes(struct bench *b, struct oci_err *err)
{
    static const char *const names[] = {"oci-rt", "runc", "crun", "runsc"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        _cleanup_free_ char *path = i == 0 ? bench_find_ocirt() : bench_which(names[i]);
        if (b->o.engine == BENCH_DOCKER && i > 0 && !path) {
            /* a docker runtime is a name the daemon knows; the driver drops
             * the ones it does not know */
            path = xstrdup(names[i]);
        }
        if (!path) {
            if (i < 3)
                bench_note(b, "%s is not installed: not measured", names[i]);
            continue;
        }
        if (rt_add(b, names[i], b->o.engine == BENCH_DOCKER ? names[i] : path, err) < 0)
            return -1;
    }
    return 0;
}

static int add_shims(struct bench *b, struct oci_err *err)
{
    for (size_t i = 0; i < b->o.nshims; i++) {
        const char *s = b->o.shims[i], *eq = strchr(s, '=');
        _cleanup_free_ char *label = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
        const char *shim = eq ? eq + 1 : s;
        if (!*label || !*shim)
            return err_set(err, 0, "--shim: expected [LABEL=]SHIM, got \"%s\"", s);
        for (size_t k = 0; k < b->nrts; k++)
            if (!strcmp(b->rts[k].name, label))
                return err_set(err, 0, "runtime \"%s\" is given twice", label);
        struct bench_runtime *rt = rt_new(b, label);
        rt->shim = xstrdup(shim);
        if (bench_split_command(shim, &rt->argv, &rt->argc, err) < 0)
            return err_wrap(err, "--shim");
    }
    return 0;
}

int bench_runtimes_init(struct bench *b, struct oci_err *err)
{
    for (size_t i = 0; i < b->o.nrt_specs; i++) {
        const char *s = b->o.rt_specs[i], *eq = strchr(s, '=');
        _cleanup_free_ char *name = xstrndup(s, (size_t)(eq - s));
        if (rt_add(b, name, eq + 1, err) < 0)
            return -1;
    }
    if (b->o.nrt_specs == 0 && b->o.nshims == 0 && default_runtimes(b, err) < 0)
        return -1;
    if (add_shims(b, err) < 0)
        return -1;
    if (b->nrts == 0)
        return err_set(err, 0,
                       "no runtime to measure (none of oci-rt, runc, crun is installed; "
                       "give one with --runtime NAME=COMMAND)");
    if (b->o.baseline) {
        size_t i;
        for (i = 0; i < b->nrts && strcmp(b->rts[i].name, b->o.baseline); i++)
            ;
        if (i == b->nrts)
            return err_set(err, 0, "--baseline: \"%s\" is not one of the runtimes measured",
                           b->o.baseline);
    }
    return 0;
}

/* Version, prepared state, and one whole foreground run of the "exit at
 * once" payload: a runtime that cannot run it is dropped here. */
int bench_runtimes_probe(struct bench *b)
{
    size_t ok = 0;
    for (size_t i = 0; i < b->nrts && !bench_stop; i++) {
        struct bench_runtime *rt = &b->rts[i];
        struct oci_err err = {0};
        if (rt->failed)
            continue;
        rt->version = b->drv->version(b, rt);
        rt->ocirt = !strncmp(rt->version, "oci-rt", 6);
        if (b->drv->prepare_rt && b->drv->prepare_rt(b, rt, &err) < 0) {
            bench_rt_fail(b, rt, "set-up", err.msg);
            continue;
        }
        static const char *const args[] = {"/usr/bin/ocibench-helper", "exit", NULL};
        const struct bench_spec spec = {.args = args};
        b->cur_rt = rt->name;
        _cleanup_free_ char *out = NULL;
        if (bench_run_capture(b, rt, "probe", &spec, b->o.timeout, &out, &err) < 0) {
            if (bench_stop)
                break;
            bench_rt_fail(b, rt, "its first create", err.msg);
            continue;
        }
        ok++;
    }
    return ok ? 0 : -1;
}

static void rt_free(struct bench_runtime *rt)
{
    for (size_t k = 0; k < rt->argc; k++)
        free(rt->argv[k]);
    for (size_t k = 0; k < rt->nlive; k++)
        free(rt->live[k]);
    free(rt->argv);
    free(rt->live);
    free(rt->name);
    free(rt->shim);
    free(rt->version);
    free(rt->error);
    free(rt->root);
    free(rt->trace);
    for (int w = 0; w < BENCH_NWL; w++)
        free(rt->wl_error[w]);
    bench_phases_free(&rt->phases);
    bench_phases_free(&rt->profile);
    free(rt->profile_error);
}

void bench_runtimes_drop(struct bench *b, size_t i)
{
    rt_free(&b->rts[i]);
    memmove(&b->rts[i], &b->rts[i + 1], (b->nrts - i - 1) * sizeof(*b->rts));
    b->nrts--;
}

void bench_runtimes_free(struct bench *b)
{
    for (size_t i = 0; i < b->nrts; i++)
        rt_free(&b->rts[i]);
    free(b->rts);
    b->rts = NULL;
    b->nrts = 0;
}
