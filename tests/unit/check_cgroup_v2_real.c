/* The cgroup v2 backend on a real cgroup2 hierarchy: the eBPF device
 * filter, the freezer, cgroup.kill and statistics, in cgroups this test
 * creates and removes (<cgroup2 mount>/oci-rt-unit-<pid>-<tag>). It needs
 * root and a writable cgroup2 hierarchy (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on a hybrid host); elsewhere it exits 77
 * (Automake: SKIP) and says why. The same backend on a fake tree:
 * check_cgroup_v2.c. */
#include "config.h"
#include "cgroup_fixtures.h"
#include "libcontainer/cgroup_bpf.h"
#include "libcontainer/cgroup_fs.h"
#include "libcontainer/cgroup_need.h"
#include "libcontainer/cgroup_v2_enable.h"
#include "libcontainer/cgroup_v2_res.h"
#include "libcontainer/cgroup_v2.h"
#include "libcontainer/cgroups.h"
#include "libcontainer/util.h"
#include "skip.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t main_pid;

static const char *v2_mount(void)
{
    struct statfs st;
    if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
        return "/sys/fs/cgroup";
    if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
        return "/sys/fs/cgroup/unified";
    return NULL;
}

/* /oci-rt-unit-<runner pid>-<tag>: ours, removed by the teardown too */
static void real_cgroup(struct cgroup *cg, const char *tag)
{
    char path[128];
    snprintf(path, sizeof(path), "/oci-rt-unit-%d-%s", main_pid, tag);
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_init(cg, CG_UNIFIED, path, NULL, &err), 0);
    free(cg->v2_mnt);
    cg->v2_mnt = xstrdup(v2_mount());
}

/* A child in cg that runs fn once the parent has moved it there. */
static pid_t child_in(struct cgroup *cg, int (*fn)(void *), void *arg)
{
    int p[2];
    ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char c;
        close(p[1]);
        if (read(p[0], &c, 1) != 1)
            _exit(100);
        _exit(fn(arg));
    }
    close(p[0]);
    struct oci_err err = {0};
    ck_assert_msg(cgroup_enter(cg, pid, false, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    close(p[1]);
    return pid;
}

struct probe {
    const char *path;
    int flags;
};

static int do_open(void *arg)
{
    const struct probe *pr = arg;
    int fd = open(pr->path, pr->flags | O_CLOEXEC);
    return fd >= 0 ? 0 : errno;
}

/* errno of open(path, flags) in the cgroup, 0 when it opened */
static int probe_open(struct cgroup *cg, const char *path, int flags)
{
    struct probe pr = {path, flags};
    pid_t pid = child_in(cg, do_open, &pr);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void rules_apply(int dfd, const char *sq)
{
    struct spec_config *c = parse(sq);
    struct oci_err err = {0};
    const struct spec_resources *r = RESOURCES(c);
    ck_assert_msg(cgroup_bpf_devices_apply(dfd, r->devices, r->n_devices, &err) == 0, "%s",
                  err.msg);
    ck_assert_int_eq(cgroup_bpf_devices_count(dfd), 1); /* the previous one is detached */
    spec_config_free(c);
}

START_TEST(bpf_device_filter)
{
    struct cgroup cg;
    struct oci_err err = {0};
    real_cgroup(&cg, "dev");
    /* through cgroup_create: the config's rules and the default devices */
    int rc = create_with(&cg, RES("'devices':[{'allow':false,'access':'rwm'}]"), &err);
    ck_assert_msg(rc == 0, "create: %s", err.msg);
    char dir[256];
    cg2_dir(&cg, dir, sizeof(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(dfd, 0);
    ck_assert_int_eq(cgroup_bpf_devices_count(dfd), 1);
    ck_assert_int_eq(probe_open(&cg, "/dev/kmsg", O_RDONLY), EPERM);
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_RDWR), 0);

    /* the filter itself: the last matching rule decides */
    rules_apply(dfd, RES("'devices':[{'allow':true,'access':'rwm'},{'allow':false,'type':'c',"
                         "'major':1,'minor':3,'access':'rwm'}]"));
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_RDONLY), EPERM);
    ck_assert_int_eq(probe_open(&cg, "/dev/zero", O_RDONLY), 0);
    /* per access bit: a later "deny w" beats the earlier "allow rwm" */
    rules_apply(dfd, RES("'devices':[{'allow':true,'access':'rwm'},{'allow':false,'type':'c',"
                         "'major':1,'minor':3,'access':'w'}]"));
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_RDONLY), 0);
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_WRONLY), EPERM);
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_RDWR), EPERM);
    /* default deny, wildcard minor, a narrower later deny */
    rules_apply(dfd, RES("'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c',"
                         "'major':1,'access':'rw'},{'allow':false,'type':'c','major':1,"
                         "'minor':5,'access':'r'}]"));
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_RDWR), 0);
    ck_assert_int_eq(probe_open(&cg, "/dev/zero", O_RDONLY), EPERM);
    ck_assert_int_eq(probe_open(&cg, "/dev/zero", O_WRONLY), 0);
    ck_assert_int_eq(probe_open(&cg, "/dev/tty", O_RDONLY), EPERM);
    /* a block-only rule does not open char devices */
    rules_apply(dfd, RES("'devices':[{'allow':true,'type':'b','access':'rwm'}]"));
    ck_assert_int_eq(probe_open(&cg, "/dev/null", O_RDONLY), EPERM);

    /* update through cgroup_apply: allow all, the old filter replaced */
    rc = update_with(&cg, RES("'devices':[{'allow':true,'access':'rwm'}]"), &err);
    ck_assert_msg(rc == 0, "update: %s", err.msg);
    ck_assert_int_eq(cgroup_bpf_devices_count(dfd), 1);
    ck_assert_int_eq(probe_open(&cg, "/dev/kmsg", O_RDONLY), 0);
    close(dfd);
    ck_assert_msg(cgroup_destroy(&cg, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(access(dir, F_OK), -1);
    cgroup_release(&cg);
}
END_TEST

static int spin_then_sleep(void *arg)
{
    (void)arg;
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a); /* 20 ms of CPU, however loaded */
    do
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 20000000L);
    if (fork() == 0) /* a grandchild for cgroup.kill to find */
        pause();
    pause();
    return 0;
}

static char *events(struct cgroup *cg)
{
    char path[300], *out = NULL;
    cg2_dir(cg, path, 256);
    strcat(path, "/cgroup.events");
    ck_assert_int_eq(read_file_at(AT_FDCWD, path, &out, NULL, 4096), 0);
    return out;
}

START_TEST(freeze_kill_stats)
{
    struct cgroup cg;
    struct oci_err err = {0};
    real_cgroup(&cg, "frz");
    ck_assert_msg(cgroup_create(&cg, NULL, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(cgroup_frozen(&cg), 0);
    pid_t pid = child_in(&cg, spin_then_sleep, NULL);
    /* the spin is done when its grandchild exists (at most 20 s) */
    for (int i = 0; i < 400; i++) {
        pid_t *pids;
        size_t n;
        ck_assert_int_eq(cgroup_pids(&cg, &pids, &n, &err), 0);
        free(pids);
        if (n >= 2)
            break;
        usleep(50000);
    }
    ck_assert_msg(cgroup_freeze(&cg, true, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(cgroup_frozen(&cg), 1);
    char *ev = events(&cg);
    ck_assert_msg(strstr(ev, "frozen 1"), "%s", ev);
    free(ev);
    ck_assert_msg(cgroup_freeze(&cg, false, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(cgroup_frozen(&cg), 0);
    ev = events(&cg);
    ck_assert_msg(strstr(ev, "frozen 0"), "%s", ev);
    free(ev);

    struct cgroup_stats st;
    ck_assert_int_eq(cgroup_stats(&cg, &st, &err), 0);
    ck_assert(st.has_cpu);
    ck_assert_uint_ge(st.cpu.total, 10000000); /* the 20 ms spin */
    ck_assert_uint_ge(st.cpu.total, st.cpu.user);
    char ctrl[512], path[300];
    cg2_dir(&cg, path, 256);
    strcat(path, "/cgroup.controllers");
    ck_assert_int_eq(cg2_read(AT_FDCWD, path, ctrl, sizeof(ctrl)), 0);
    ck_assert(st.has_hugetlb == cg2_word_in(ctrl, "hugetlb"));
    ck_assert(st.has_memory == cg2_word_in(ctrl, "memory"));
    cgroup_stats_free(&st);

    /* cgroup.kill: both the child and its child, even when frozen */
    ck_assert_msg(cgroup_freeze(&cg, true, &err) == 0, "%s", err.msg);
    ck_assert_msg(cgroup_signal_all(&cg, SIGKILL, &err) == 0, "%s", err.msg);
    ev = events(&cg);
    ck_assert_msg(strstr(ev, "populated 0"), "%s", ev);
    free(ev);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    ck_assert_msg(cgroup_destroy(&cg, &err) == 0, "%s", err.msg);
    cgroup_release(&cg);
}
END_TEST

/* Kill and remove what a failed test left in its cgroups. */
static void real_teardown(void)
{
    const char *mnt = v2_mount();
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "oci-rt-unit-%d-", main_pid);
    DIR *d = mnt ? opendir(mnt) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s/cgroup.kill", mnt, e->d_name);
        write_file_at(AT_FDCWD, path, "1", 1);
        snprintf(path, sizeof(path), "%s/%s", mnt, e->d_name);
        for (int i = 0; i < 200 && rmdir(path) < 0 && errno == EBUSY; i++)
            usleep(10000);
    }
    if (d)
        closedir(d);
}

/* Why the tests cannot run on this host, NULL when they can. */
static const char *unavailable(void)
{
    static char why[300];
    if (geteuid() != 0)
        return "not root";
    const char *mnt = v2_mount();
    if (!mnt)
        return "no cgroup2 hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified";
    if (access(mnt, W_OK) < 0) {
        snprintf(why, sizeof(why), "cannot write the cgroup2 hierarchy %s: %s", mnt,
                 strerror(errno));
        return why;
    }
    return NULL;
}

int main(void)
{
    const char *why = unavailable();
    if (why)
        return unit_skip(why);
    main_pid = getpid();
    Suite *s = suite_create("cgroup_v2_real");
    TCase *r = tcase_create("real");
    tcase_add_unchecked_fixture(r, NULL, real_teardown);
    tcase_set_timeout(r, 30);
    tcase_add_test(r, bpf_device_filter);
    tcase_add_test(r, freeze_kill_stats);
    suite_add_tcase(s, r);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
