/* The cgroup v1 backend against the kernel: resources, freezer, statistics
 * and OOM events in cgroups this test creates and removes
 * (/sys/fs/cgroup/<ctrl>/oci-rt-unit-<pid>). It needs root and v1
 * controllers; elsewhere it exits 77 (Automake: SKIP) and says why. The
 * same backend against a fake hierarchy: check_cgroup_v1.c. */
#include "config.h"
#include "cgroup_fixtures.h"
#include "libcontainer/cgroup_backend.h"
#include "libcontainer/cgroup_fs.h"
#include "libcontainer/cgroup_need.h"
#include "libcontainer/cgroup_v1.h"
#include "libcontainer/cgroup_v1_res.h"
#include "libcontainer/cgroup_v1_stats.h"
#include "libcontainer/cgroups.h"
#include "libcontainer/util.h"
#include "skip.h"

#include <check.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct cgroup rcg;
static bool real_ok;
static char real_err[1200];

static const char *const needed[] = {"memory", "pids", "cpu", "cpuacct", "freezer", "devices"};

/* Why the tests cannot run on this host, NULL when they can: root, and v1
 * hierarchies of every controller they use that root can write. */
static const char *unavailable(void)
{
    static char why[1200];
    if (geteuid() != 0)
        return "not root";
    struct cgroup probe;
    struct oci_err err = {0};
    if (cgroup_init(&probe, CG_LEGACY, "/oci-rt-unit-probe", NULL, &err) < 0 || probe.n_hier == 0) {
        snprintf(why, sizeof(why), "no cgroup v1 hierarchy: %s", err.msg[0] ? err.msg : "none");
        cgroup_release(&probe);
        return why;
    }
    why[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(needed) && !why[0]; i++) {
        if (!cgroup_has_controller(&probe, needed[i]))
            snprintf(why, sizeof(why), "no v1 %s controller", needed[i]);
    }
    for (size_t i = 0; i < probe.n_hier && !why[0]; i++) {
        if (access(probe.hier[i].mnt, W_OK) < 0)
            snprintf(why, sizeof(why), "cannot write the v1 hierarchy %s: %s", probe.hier[i].mnt,
                     strerror(errno));
    }
    cgroup_release(&probe);
    return why[0] ? why : NULL;
}

/* In the runner, before the test process: the test's cgroup. main made
 * sure the host has what it needs, so a failure here fails the test. */
static void real_setup(void)
{
    real_ok = false;
    struct oci_err err = {0};
    char path[64];
    snprintf(path, sizeof(path), "/oci-rt-unit-%d", getpid());
    if (cgroup_init(&rcg, CG_LEGACY, path, NULL, &err) < 0) {
        snprintf(real_err, sizeof(real_err), "init %s: %s", path, err.msg);
        cgroup_release(&rcg);
        return;
    }
    if (cgroup_create(&rcg, NULL, &err) < 0) {
        snprintf(real_err, sizeof(real_err), "create %s: %s", path, err.msg);
        cgroup_release(&rcg);
        return;
    }
    real_ok = true;
}

/* In the runner, after the test process: kill what a failed test left. */
static void real_teardown(void)
{
    if (!real_ok)
        return;
    struct oci_err err = {0};
    cgroup_freeze(&rcg, false, &err);
    pid_t *pids;
    size_t n;
    err_clear(&err);
    for (int round = 0; round < 50; round++) {
        if (cgroup_pids(&rcg, &pids, &n, &err) < 0 || n == 0) {
            free(pids);
            break;
        }
        for (size_t i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        free(pids);
        usleep(10000);
    }
    err_clear(&err);
    if (cgroup_destroy(&rcg, &err) < 0)
        fprintf(stderr, "check_cgroup_v1: cleanup: %s\n", err.msg);
    cgroup_release(&rcg);
}

#define REQUIRE_REAL() ck_assert_msg(real_ok, "the test's cgroup: %s", real_err)

static const char *real_path(const char *ctrl, const char *file)
{
    static char path[512];
    for (size_t i = 0; i < rcg.n_hier; i++) {
        const char *c = rcg.hier[i].controllers;
        size_t l = strlen(ctrl);
        bool has = false;
        for (const char *p = c; (p = strstr(p, ctrl)); p += l)
            has |= (p == c || p[-1] == ',') && (p[l] == ',' || p[l] == '\0');
        if (has) {
            snprintf(path, sizeof(path), "%s%s/%s", rcg.hier[i].mnt, rcg.path, file);
            return path;
        }
    }
    ck_abort_msg("no %s", ctrl);
    return NULL;
}

static char *real_read(const char *ctrl, const char *file)
{
    char *s = slurp(real_path(ctrl, file));
    ck_assert_msg(s != NULL, "read %s", real_path(ctrl, file));
    s[strcspn(s, "\n")] = '\0';
    return s;
}

#define assert_real(ctrl, file, want)                                                              \
    do {                                                                                           \
        char *got_ = real_read(ctrl, file);                                                        \
        ck_assert_msg(!strcmp(got_, want), "%s: got \"%s\", want \"%s\"", file, got_, want);       \
        free(got_);                                                                                \
    } while (0)

START_TEST(real_apply)
{
    REQUIRE_REAL();
    apply_ok(&rcg,
             "{'memory':{'limit':67108864,'swap':134217728},'pids':{'limit':32},"
             "'cpu':{'quota':50000,'period':100000,'shares':256},"
             "'devices':[{'allow':false,'access':'rwm'},"
             "{'allow':true,'type':'c','major':1,'minor':3,'access':'rwm'}]}",
             false);
    spec_config_free(cfg);
    assert_real("memory", "memory.limit_in_bytes", "67108864");
    assert_real("pids", "pids.max", "32");
    assert_real("cpu", "cpu.cfs_quota_us", "50000");
    assert_real("cpu", "cpu.cfs_period_us", "100000");
    assert_real("cpu", "cpu.shares", "256");
    assert_real("devices", "devices.list", "c 1:3 rwm");
    bool has_memsw = access(real_path("memory", "memory.memsw.limit_in_bytes"), F_OK) == 0;
    if (has_memsw)
        assert_real("memory", "memory.memsw.limit_in_bytes", "134217728");
    /* lower both (limit first), then raise both (memsw first): the kernel
     * refuses the other orders */
    apply_ok(&rcg, "{'memory':{'limit':33554432,'swap':50331648}}", true);
    spec_config_free(cfg);
    assert_real("memory", "memory.limit_in_bytes", "33554432");
    apply_ok(&rcg, "{'memory':{'limit':268435456,'swap':536870912},'pids':{'limit':-1}}", true);
    spec_config_free(cfg);
    assert_real("memory", "memory.limit_in_bytes", "268435456");
    if (has_memsw)
        assert_real("memory", "memory.memsw.limit_in_bytes", "536870912");
    assert_real("pids", "pids.max", "max");
    apply_ok(&rcg, "{'memory':{'limit':-1}}", true);
    spec_config_free(cfg);
    assert_real("memory", "memory.limit_in_bytes", "9223372036854771712");
}
END_TEST

static void burn_ms(int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    do
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

/* A child in the cgroup: burns ms of CPU, then allocates mb MiB, then
 * waits to be killed. */
static pid_t child_in_cgroup(int burn, int mb)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char c;
        signal(SIGTERM, SIG_DFL); /* Check's handler would kill the runner */
        signal(SIGALRM, SIG_DFL);
        close(p[1]);
        if (read(p[0], &c, 1) != 1)
            _exit(1);
        burn_ms(burn);
        for (int i = 0; i < mb; i++) {
            char *m =
                mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m != MAP_FAILED)
                memset(m, 1, 1 << 20);
        }
        for (;;)
            pause();
    }
    close(p[0]);
    struct oci_err err = {0};
    int rc = cgroup_v1_backend.enter(&rcg, pid, &err);
    ck_assert_int_eq(write(p[1], "g", 1), 1);
    close(p[1]);
    ck_assert_msg(rc == 0, "enter: %s", err.msg);
    return pid;
}

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

START_TEST(real_freezer)
{
    REQUIRE_REAL();
    pid_t pid = child_in_cgroup(0, 0);
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_frozen(&rcg), 0);
    ck_assert_msg(cgroup_freeze(&rcg, true, &err) == 0, "freeze: %s", err.msg);
    ck_assert_int_eq(cgroup_frozen(&rcg), 1);
    assert_real("freezer", "freezer.state", "FROZEN");
    ck_assert_msg(cgroup_freeze(&rcg, false, &err) == 0, "thaw: %s", err.msg);
    ck_assert_int_eq(cgroup_frozen(&rcg), 0);
    assert_real("freezer", "freezer.state", "THAWED");
    /* signal_all freezes around the kill and thaws after */
    ck_assert_msg(cgroup_signal_all(&rcg, SIGTERM, &err) == 0, "signal: %s", err.msg);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    ck_assert_int_eq(cgroup_frozen(&rcg), 0);
}
END_TEST

START_TEST(real_stats)
{
    REQUIRE_REAL();
    pid_t pid = child_in_cgroup(100, 4);
    struct cgroup_stats st;
    struct oci_err err = {0};
    /* the burn and the allocation take CPU time, which a loaded machine
     * hands out slowly: wait for them (at most 20 s), not for a fixed time */
    for (int i = 0;; i++) {
        ck_assert_msg(cgroup_stats(&rcg, &st, &err) == 0, "stats: %s", err.msg);
        if ((st.cpu.total >= 80000000 && st.memory.usage >= 4 << 20) || i == 400)
            break;
        cgroup_stats_free(&st);
        usleep(50000);
    }
    ck_assert(st.has_cpu && st.has_memory && st.has_pids);
    ck_assert_uint_ge(st.cpu.total, 80000000);
    ck_assert_uint_ge(st.cpu.n_percpu, 1);
    uint64_t sum = 0;
    for (size_t i = 0; i < st.cpu.n_percpu; i++)
        sum += st.cpu.percpu[i];
    /* cpuacct.usage and cpuacct.usage_percpu are two reads, a moment
     * apart, of a cgroup whose process may still be on a CPU: they agree
     * to within that moment (10 ms is far more than it takes) */
    uint64_t gap = sum > st.cpu.total ? sum - st.cpu.total : st.cpu.total - sum;
    ck_assert_msg(gap < 10000000, "per-cpu sum %" PRIu64 " vs total %" PRIu64, sum, st.cpu.total);
    ck_assert_uint_ge(st.cpu.user + st.cpu.kernel, 50000000);
    ck_assert_uint_ge(st.memory.usage, 4 << 20);
    ck_assert_uint_gt(st.memory.raw.n, 10);
    ck_assert_ptr_nonnull(spec_map_get(&st.memory.raw, "total_rss"));
    ck_assert_uint_eq(st.pids.current, 1);
    ck_assert_uint_eq(st.pids.limit, 0);
    cgroup_stats_free(&st);
    reap(pid);
}
END_TEST

START_TEST(real_oom)
{
    REQUIRE_REAL();
    apply_ok(&rcg, "{'memory':{'limit':16777216}}", false);
    spec_config_free(cfg);
    struct oci_err err = {0};
    bool per_event = false;
    int efd = cgroup_oom_watch(&rcg, &per_event, &err);
    ck_assert(per_event);
    ck_assert_msg(efd >= 0, "watch: %s", err.msg);
    ck_assert(fcntl(efd, F_GETFD) & FD_CLOEXEC);
    ck_assert_int_eq(cgroup_oom_kills(&rcg), 0);
    pid_t pid = child_in_cgroup(0, 64);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %x", status);
    struct pollfd p = {.fd = efd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    uint64_t events;
    ck_assert_int_eq(read(efd, &events, sizeof(events)), sizeof(events));
    ck_assert_uint_ge(events, 1);
    ck_assert_int_ge(cgroup_oom_kills(&rcg), 1);
    close(efd);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cgroup_v1_real");
    /* one cgroup per test, made and removed by the runner */
    const struct {
        const char *name;
        const TTest *test;
    } real[] = {{"real_apply", real_apply},
                {"real_freezer", real_freezer},
                {"real_stats", real_stats},
                {"real_oom", real_oom}};
    for (size_t i = 0; i < ARRAY_SIZE(real); i++) {
        TCase *r = tcase_create(real[i].name);
        tcase_add_unchecked_fixture(r, real_setup, real_teardown);
        tcase_set_timeout(r, 30);
        tcase_add_test(r, real[i].test);
        suite_add_tcase(s, r);
    }
    return s;
}

int main(void)
{
    const char *why = unavailable();
    if (why)
        return unit_skip(why);
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
