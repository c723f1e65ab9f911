/* What seccomp costs oci-rt for one profile: compiling it with libseccomp
 * (both program shapes, the first compile apart), a hit in the cache of
 * compiled programs, and loading it with seccomp(2) in a fresh child.
 *
 *   tests/bench/seccomp_compile [PROFILE.json] [N]
 *
 * PROFILE is a linux.seccomp object (default: Docker's default profile in
 * tests/unit/data/seccomp/docker-default.json). A benchmark, not a test: it
 * prints times and fails only when something does not work. The side-by-side
 * cost against runc and crun is tests/bench/lifecycle.py --seccomp PROFILE. */
#include "libcontainer/error.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_cache.h"
#include "specs/spec_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "seccomp_compile: %s: %s\n", what, why);
    exit(1);
}

static struct spec_config *load_profile(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        die(path, strerror(errno));
    char *prof = NULL;
    size_t cap = 0;
    if (getdelim(&prof, &cap, '\0', f) <= 0)
        die(path, "empty");
    fclose(f);
    char *doc = NULL;
    if (asprintf(&doc,
                 "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
                 "\"linux\": {\"seccomp\": %s}}",
                 prof) < 0)
        die(path, "out of memory");
    char *msg = NULL;
    struct spec_config *c = spec_config_parse(doc, strlen(doc), path, &msg);
    if (!c || !c->linux_ || !c->linux_->seccomp)
        die(path, msg ? msg : "no linux.seccomp");
    free(prof);
    free(doc);
    return c;
}

/* Mean of n compiles after a first (cold) one; p keeps the last program. */
static double time_compiles(const struct spec_seccomp *s, enum seccomp_shape shape, int n,
                            double *first_us, struct seccomp_plan *p)
{
    uint64_t sum = 0;
    for (int i = 0; i <= n; i++) {
        struct oci_err err = {0};
        uint64_t t0 = now_ns();
        if (seccomp_plan_compile(s, shape, p, &err) < 0)
            die("compile", err.msg);
        uint64_t d = now_ns() - t0;
        if (i == 0)
            *first_us = d / 1e3;
        else
            sum += d;
        if (i < n)
            seccomp_plan_free(p);
    }
    return sum / 1e3 / n;
}

/* Mean and minimum of n loads, each in a new child (no_new_privs first). */
static void time_loads(const struct seccomp_plan *p, int n, double *mean_us, double *min_us)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        die("pipe", strerror(errno));
    uint64_t sum = 0, min = UINT64_MAX;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork", strerror(errno));
        if (pid == 0) {
            struct oci_err err = {0};
            int lfd;
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            uint64_t a = now_ns();
            int rc = seccomp_plan_load(p, &lfd, &err);
            uint64_t d = now_ns() - a;
            _exit(rc == 0 && write(pfd[1], &d, sizeof(d)) == sizeof(d) ? 0 : 1);
        }
        int status;
        uint64_t d = 0;
        if (read(pfd[0], &d, sizeof(d)) != sizeof(d) || waitpid(pid, &status, 0) != pid ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("load", "the child could not load the program");
        sum += d;
        min = d < min ? d : min;
    }
    close(pfd[0]);
    close(pfd[1]);
    *mean_us = sum / 1e3 / n;
    *min_us = min / 1e3;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/unit/data/seccomp/docker-default.json";
    int n = argc > 2 ? atoi(argv[2]) : 30;
    if (n < 1)
        die("N", "must be at least 1");
    struct spec_config *c = load_profile(path);
    const struct spec_seccomp *s = c->linux_->seccomp;

    struct seccomp_plan lin, tree;
    double lin_first, tree_first;
    double lin_us = time_compiles(s, SECCOMP_SHAPE_LINEAR, n, &lin_first, &lin);
    double tree_us = time_compiles(s, SECCOMP_SHAPE_TREE, n, &tree_first, &tree);

    char dir[] = "/tmp/seccomp-bench.XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp", strerror(errno));
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct seccomp_plan cached;
    struct oci_err err = {0};
    uint64_t t0 = now_ns();
    if (seccomp_plan_build_cached(s, dirfd, &cached, &err) < 0) /* the miss: compile, store */
        die("cache", err.msg);
    double miss_us = (now_ns() - t0) / 1e3;
    uint64_t hit = 0;
    for (int i = 0; i < n; i++) {
        seccomp_plan_free(&cached);
        t0 = now_ns();
        if (seccomp_plan_build_cached(s, dirfd, &cached, &err) < 0)
            die("cache", err.msg);
        hit += now_ns() - t0;
    }
    if (cached.len != tree.len ||
        memcmp(cached.filter, tree.filter, tree.len * sizeof(*tree.filter)) != 0)
        die("cache", "a hit returned another program than the compile");
    seccomp_plan_free(&cached);
    close(dirfd);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        die(dir, "cannot remove");

    double lin_load, lin_load_min, tree_load, tree_load_min;
    time_loads(&lin, 20, &lin_load, &lin_load_min);
    time_loads(&tree, 20, &tree_load, &tree_load_min);
    printf("seccomp cost in oci-rt, profile %s\n"
           "  compile LINEAR (%u insns): first %.0f us, mean %.0f us (N=%d)\n"
           "  compile TREE   (%u insns): first %.0f us, mean %.0f us (N=%d)\n"
           "  cache (TREE): miss %.0f us, hit mean %.1f us (N=%d)\n"
           "  load LINEAR: mean %.1f us, min %.1f us (20 children)\n"
           "  load TREE:   mean %.1f us, min %.1f us (20 children)\n",
           path, lin.len, lin_first, lin_us, n, tree.len, tree_first, tree_us, n, miss_us,
           hit / 1e3 / n, n, lin_load, lin_load_min, tree_load, tree_load_min);
    seccomp_plan_free(&lin);
    seccomp_plan_free(&tree);
    spec_config_free(c);
    return 0;
}
