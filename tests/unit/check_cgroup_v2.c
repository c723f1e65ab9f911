/* The cgroup v2 backend: resources written to a fake v2 tree in a temp dir
 * (exact file contents, conversions, errors, statistics) and the shape of
 * the eBPF device program. On a real cgroup2 hierarchy:
 * check_cgroup_v2_real.c. */
#include "config.h"
#include "cgroup_fixtures.h"
#include "libcontainer/cgroup_bpf.h"
#include "libcontainer/cgroup_fs.h"
#include "libcontainer/cgroup_need.h"
#include "libcontainer/cgroup_v2.h"
#include "libcontainer/cgroup_v2_enable.h"
#include "libcontainer/cgroup_v2_res.h"
#include "libcontainer/cgroups.h"
#include "libcontainer/util.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#define ALL_CTRL "cpuset cpu io memory hugetlb pids rdma misc"
static const char *const fake_files[] = {"memory.max",      "memory.low",    "memory.swap.max",
                                         "memory.current",  "memory.high",   "cpu.weight",
                                         "cpu.max",         "cpu.max.burst", "cpu.idle",
                                         "cpuset.cpus",     "cpuset.mems",   "pids.max",
                                         "io.weight",       "io.max",        "hugetlb.2MB.max",
                                         "hugetlb.1GB.max", "rdma.max",      "hugetlb.2MB.rsvd.max",
                                         "cgroup.freeze",   "memory.events"};

static char fake[64];

/* ---- the fake tree ---- */

static void put_file(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", fake, rel);
    for (char *s = strchr(path + strlen(fake) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write_all(fd, content, strlen(content)), 0);
    close(fd);
}

static char *get_file(const char *rel)
{
    char path[512], *out = NULL;
    snprintf(path, sizeof(path), "%s/%s", fake, rel);
    ck_assert_msg(read_file_at(AT_FDCWD, path, &out, NULL, 1 << 20) == 0, "read %s", path);
    return out;
}

#define ck_file(rel, want)                                                                         \
    do {                                                                                           \
        char *got_ = get_file(rel);                                                                \
        ck_assert_msg(!strcmp(got_, want), "%s: got \"%s\", want \"%s\"", rel, got_, want);        \
        free(got_);                                                                                \
    } while (0)

/* A unified host: root delegates root_subtree; /oci-rt (ours) is empty;
 * the container /oci-rt/c1 exists with every file and ctrls enabled. */
static void fake_tree(struct cgroup *cg, const char *root_subtree, const char *ctrls)
{
    snprintf(fake, sizeof(fake), "/tmp/check_cgv2.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(fake));
    put_file("cgroup.controllers", ALL_CTRL);
    put_file("cgroup.subtree_control", root_subtree);
    put_file("oci-rt/cgroup.controllers", root_subtree);
    put_file("oci-rt/cgroup.subtree_control", "");
    put_file("oci-rt/c1/cgroup.controllers", ctrls);
    for (size_t i = 0; i < ARRAY_SIZE(fake_files); i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "oci-rt/c1/%s", fake_files[i]);
        put_file(rel, "");
    }
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_init(cg, CG_UNIFIED, "/oci-rt/c1", NULL, &err), 0);
    free(cg->v2_mnt);
    cg->v2_mnt = xstrdup(fake);
    /* cgroup_apply always adds the default device rules; a BPF program
     * cannot attach to a temp dir: pretend a v1 devices hierarchy takes
     * them (the v2 backend then leaves devices alone, as on hybrid hosts) */
    cg->hier = xzalloc(sizeof(*cg->hier));
    cg->hier[0].mnt = xstrdup("/nonexistent");
    cg->hier[0].controllers = xstrdup("devices");
    cg->n_hier = 1;
}

static void fake_cleanup(struct cgroup *cg)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", fake);
    ck_assert_int_eq(system(cmd), 0);
    cgroup_release(cg);
}

START_TEST(rich_resources)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_tree(&cg, "cpuset cpu io memory hugetlb pids rdma", ALL_CTRL);
    int rc = create_with(
        &cg,
        RES("'memory':{'limit':268435456,'reservation':134217728,'swap':536870912,"
            "'swappiness':10,'kernel':1},"
            "'cpu':{'shares':1024,'quota':50000,'period':200000,'burst':10000,'idle':1,"
            "'cpus':'0-1','mems':'0'},"
            "'pids':{'limit':100},"
            "'blockIO':{'weight':500,'leafWeight':300,'weightDevice':[{'major':8,'minor':0,"
            "'weight':300}],"
            "'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],"
            "'throttleWriteIOPSDevice':[{'major':8,'minor':0,'rate':100},{'major':8,"
            "'minor':16,'rate':0}]},"
            "'hugepageLimits':[{'pageSize':'2MB','limit':4194304},{'pageSize':'1GB','limit':0}],"
            "'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000}},"
            "'unified':{'memory.high':'200000000'}"),
        &err);
    ck_assert_msg(rc == 0, "create: %s", err.msg);
    ck_file("cgroup.subtree_control", "cpuset cpu io memory hugetlb pids rdma"); /* untouched */
    ck_file("oci-rt/cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
    ck_file("oci-rt/c1/memory.max", "268435456");
    ck_file("oci-rt/c1/memory.low", "134217728");
    ck_file("oci-rt/c1/memory.swap.max", "268435456"); /* memory+swap - memory */
    ck_file("oci-rt/c1/cpu.weight", "39");
    ck_file("oci-rt/c1/cpu.max", "50000 200000");
    ck_file("oci-rt/c1/cpu.max.burst", "10000");
    ck_file("oci-rt/c1/cpu.idle", "1");
    ck_file("oci-rt/c1/cpuset.cpus", "0-1");
    ck_file("oci-rt/c1/cpuset.mems", "0");
    ck_file("oci-rt/c1/pids.max", "100");
    ck_file("oci-rt/c1/io.weight", "default 4950\n8:0 2930\n");
    ck_file("oci-rt/c1/io.max", "8:0 rbps=1048576 wiops=100\n8:16 wiops=max\n");
    ck_file("oci-rt/c1/hugetlb.2MB.max", "4194304");
    ck_file("oci-rt/c1/hugetlb.2MB.rsvd.max", "4194304");
    ck_file("oci-rt/c1/hugetlb.1GB.max", "0");
    ck_file("oci-rt/c1/rdma.max", "mlx5_1 hca_handle=3 hca_object=10000\n");
    ck_file("oci-rt/c1/memory.high", "200000000");
    fake_cleanup(&cg);
}
END_TEST

/* Docker's objects that set nothing need no controller */
START_TEST(docker_empty_limits_need_no_controller)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_tree(&cg, "pids", "pids");
    put_file("cgroup.controllers", "pids");
    int rc = create_with(
        &cg, RES("'memory':{'disableOOMKiller':false},'cpu':{'shares':0},'blockIO':{'weight':0}"),
        &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_file("oci-rt/c1/memory.max", "");
    /* one limit set is a request again */
    fake_cleanup(&cg);
    fake_tree(&cg, "cpu pids", "cpu pids");
    put_file("cgroup.controllers", "cpu pids");
    rc = create_with(&cg, RES("'blockIO':{'weight':100}"), &err);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err.msg, "linux.resources.blockIO: the blkio controller is not available "
                              "on this host");
    fake_cleanup(&cg);
}
END_TEST

START_TEST(enable_only_needed_and_delegated)
{
    struct cgroup cg;
    struct oci_err err = {0};
    /* the host root has no memory: never written, memory not enabled */
    fake_tree(&cg, "cpu pids", "cpu pids");
    put_file("cgroup.controllers", "cpu pids");
    put_file("oci-rt/cgroup.subtree_control", "cpu");
    int rc = create_with(&cg, RES("'memory':{'limit':1048576},'pids':{'limit':5}"), &err);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err.msg, "linux.resources.memory: the memory controller is not available "
                              "on this host");
    ck_file("cgroup.subtree_control", "cpu pids");
    ck_file("oci-rt/cgroup.subtree_control", "+pids"); /* the fake file is overwritten */
    ck_file("oci-rt/c1/memory.max", "");
    ck_assert(!cgroup_has_controller(&cg, "memory"));
    ck_assert(cgroup_has_controller(&cg, "pids"));
    ck_assert(cgroup_has_controller(&cg, "freezer"));
    ck_assert(cgroup_has_controller(&cg, "devices"));
    fake_cleanup(&cg);
}
END_TEST

/* /system.slice/a/c3: the root and /system.slice are not ours, /system.slice/a is. */
static void fake_foreign(struct cgroup *cg, const char *root_subtree, const char *slice_subtree)
{
    fake_tree(cg, root_subtree, ALL_CTRL);
    put_file("cgroup.subtree_control", root_subtree);
    put_file("system.slice/cgroup.controllers", ALL_CTRL);
    put_file("system.slice/cgroup.subtree_control", slice_subtree);
    put_file("system.slice/a/cgroup.controllers", "cpu pids memory");
    put_file("system.slice/a/cgroup.subtree_control", "");
    put_file("system.slice/a/c3/cgroup.subtree_control", "");
    free(cg->path);
    free(cg->top);
    cg->path = xstrdup("/system.slice/a/c3");
    cg->top = xstrdup("/system.slice/a");
}

START_TEST(enable_below_foreign_parent)
{
    struct cgroup cg;
    struct oci_err err = {0};
    /* a fresh machine: the root enables nothing; /system.slice has all */
    fake_foreign(&cg, "", ALL_CTRL);
    struct spec_config *c = parse(RES("'memory':{'limit':1048576},'cpu':{'shares':512}"));
    ck_assert_int_eq(cg2_enable_controllers(&cg, RESOURCES(c), &err), 0);
    spec_config_free(c);
    /* not ours: what the limits need, from the root down; left enabled */
    ck_file("cgroup.subtree_control", "+cpu +memory");
    ck_file("system.slice/cgroup.subtree_control", ALL_CTRL);
    /* ours: every controller offered, needed or not (stats without limits) */
    ck_file("system.slice/a/cgroup.subtree_control", "+cpu +memory +pids");
    ck_file("system.slice/a/c3/cgroup.subtree_control", ""); /* the container's own */
    fake_cleanup(&cg);
}
END_TEST

START_TEST(enable_nothing_foreign_without_limits)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_foreign(&cg, "", "");
    ck_assert_int_eq(cg2_enable_controllers(&cg, NULL, &err), 0);
    ck_file("cgroup.subtree_control", "");
    ck_file("system.slice/cgroup.subtree_control", "");
    ck_file("system.slice/a/cgroup.subtree_control", "+cpu +memory +pids");
    fake_cleanup(&cg);
}
END_TEST

START_TEST(enable_refused_names_cgroup_and_controller)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_foreign(&cg, "", "");
    /* a subtree_control the kernel refuses to write (here: not a file) */
    char path[512];
    snprintf(path, sizeof(path), "%s/system.slice/cgroup.subtree_control", fake);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    put_file("system.slice/cgroup.subtree_control/x", "");
    struct spec_config *c = parse(RES("'hugepageLimits':[{'pageSize':'2MB','limit':4194304}]"));
    ck_assert_int_eq(cg2_enable_controllers(&cg, RESOURCES(c), &err), -1);
    spec_config_free(c);
    char want[600];
    snprintf(want, sizeof(want), "cgroup: read %s/system.slice/cgroup.subtree_control", fake);
    ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "%s", err.msg);
    err_clear(&err);
    fake_cleanup(&cg);
    /* readable (as nothing enabled) but refusing the write: /dev/full */
    fake_foreign(&cg, "", "");
    snprintf(path, sizeof(path), "%s/system.slice/cgroup.subtree_control", fake);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(symlink("/dev/full", path), 0);
    c = parse(RES("'hugepageLimits':[{'pageSize':'2MB','limit':4194304}]"));
    ck_assert_int_eq(cg2_enable_controllers(&cg, RESOURCES(c), &err), -1);
    spec_config_free(c);
    snprintf(want, sizeof(want), "cgroup %s/system.slice: cannot enable the hugetlb controller",
             fake);
    ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "%s", err.msg);
    ck_assert_int_eq(err.errnum, ENOSPC);
    /* the levels above were still enabled (they stay so) */
    ck_file("cgroup.subtree_control", "+hugetlb");
    err_clear(&err);
    fake_cleanup(&cg);
}
END_TEST

START_TEST(bfq_weight_and_unlimited)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_tree(&cg, ALL_CTRL, ALL_CTRL);
    put_file("oci-rt/c1/io.bfq.weight", "");
    int rc =
        create_with(&cg,
                    RES("'memory':{'limit':-1,'reservation':-1},'cpu':{'quota':-1},"
                        "'pids':{'limit':-1},'blockIO':{'weight':500,'weightDevice':[{'major':8,"
                        "'minor':0,'weight':300}]}"),
                    &err);
    ck_assert_msg(rc == 0, "create: %s", err.msg);
    ck_file("oci-rt/c1/io.bfq.weight", "default 500\n8:0 300\n");
    ck_file("oci-rt/c1/io.weight", "");
    ck_file("oci-rt/c1/memory.max", "max");
    ck_file("oci-rt/c1/memory.swap.max", "max");
    ck_file("oci-rt/c1/memory.low", "max");
    ck_file("oci-rt/c1/cpu.max", "max 100000");
    ck_file("oci-rt/c1/pids.max", "max");
    ck_file("oci-rt/c1/cpu.weight", "");
    fake_cleanup(&cg);
}
END_TEST

START_TEST(conversions)
{
    ck_assert_uint_eq(cg2_cpu_weight(2), 1);
    ck_assert_uint_eq(cg2_cpu_weight(1024), 39);
    ck_assert_uint_eq(cg2_cpu_weight(262144), 10000);
    ck_assert_uint_eq(cg2_cpu_weight(0), 1);
    ck_assert_uint_eq(cg2_cpu_weight(1 << 20), 10000);
    ck_assert_uint_eq(cg2_io_weight(10), 1);
    ck_assert_uint_eq(cg2_io_weight(100), 910);
    ck_assert_uint_eq(cg2_io_weight(1000), 10000);
    int64_t out;
    struct oci_err err = {0};
    ck_assert_int_eq(cg2_swap_max(300, 100, &out, &err), 0);
    ck_assert_int_eq(out, 200);
    ck_assert_int_eq(cg2_swap_max(100, 100, &out, &err), 0);
    ck_assert_int_eq(out, 0);
    ck_assert_int_eq(cg2_swap_max(-1, 100, &out, &err), 0);
    ck_assert_int_eq(out, -1);
    ck_assert_int_eq(cg2_swap_max(0, -1, &out, &err), 0);
    ck_assert_int_eq(out, -1);
    ck_assert_int_eq(cg2_swap_max(0, 100, &out, &err), 0);
    ck_assert_int_eq(out, 0);
    ck_assert_int_eq(cg2_swap_max(50, 100, &out, &err), -1);
    ck_assert_str_eq(err.msg, "linux.resources.memory.swap: 50 is below memory.limit 100 (swap "
                              "counts memory+swap)");
    err_clear(&err);
    ck_assert_int_eq(cg2_swap_max(50, 0, &out, &err), -1);
    ck_assert_str_eq(err.msg, "linux.resources.memory.swap: a swap limit needs a memory limit");
}
END_TEST

START_TEST(swap_equal_to_limit_disables_swap)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_tree(&cg, ALL_CTRL, ALL_CTRL);
    int rc = create_with(&cg, RES("'memory':{'limit':1048576,'swap':1048576}"), &err);
    ck_assert_msg(rc == 0, "create: %s", err.msg);
    ck_file("oci-rt/c1/memory.swap.max", "0");
    ck_file("oci-rt/c1/memory.max", "1048576");
    fake_cleanup(&cg);
}
END_TEST

START_TEST(errors)
{
    struct cgroup cg;
    fake_tree(&cg, ALL_CTRL, ALL_CTRL);
    put_file("oci-rt/c1/memory.max", "max\n");
    struct {
        const char *res, *msg;
    } cases[] = {
        {RES("'unified':{'memory.foo':'1'}"),
         "linux.resources.unified[\"memory.foo\"]: no such file (is the memory controller "
         "enabled?)"},
        {RES("'unified':{'cgroup.nope':'1'}"), "linux.resources.unified[\"cgroup.nope\"]: no "
                                               "such file"},
        {RES("'unified':{'../memory.max':'1'}"),
         "linux.resources.unified[\"../memory.max\"]: not a cgroup file name"},
        {RES("'unified':{'..':'1'}"), "linux.resources.unified[\"..\"]: not a cgroup file name"},
        {RES("'cpu':{'realtimeRuntime':950000}"),
         "linux.resources.cpu.realtimeRuntime: real-time CPU limits are not supported on cgroup "
         "v2"},
        {RES("'cpu':{'realtimePeriod':1000000}"),
         "linux.resources.cpu.realtimePeriod: real-time CPU limits are not supported on cgroup "
         "v2"},
        {RES("'memory':{'swap':1000}"),
         "linux.resources.memory.swap: a swap limit needs a memory limit"},
        {RES("'hugepageLimits':[{'pageSize':'64KB','limit':1}]"),
         "linux.resources.hugepageLimits: page size \"64KB\" is not supported (no "},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct oci_err err = {0};
        ck_assert_int_eq(update_with(&cg, cases[i].res, &err), -1);
        ck_assert_msg(!strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)), "got \"%s\"", err.msg);
    }
    ck_file("oci-rt/c1/memory.max", "max\n"); /* nothing written */
    fake_cleanup(&cg);
}
END_TEST

START_TEST(update_checks_and_keeps)
{
    struct cgroup cg;
    struct oci_err err = {0};
    fake_tree(&cg, ALL_CTRL, ALL_CTRL);
    put_file("oci-rt/c1/memory.current", "104857600\n");
    put_file("oci-rt/c1/memory.max", "max\n");
    put_file("oci-rt/c1/cpu.max", "50000 100000\n");
    ck_assert_int_eq(
        update_with(&cg, RES("'memory':{'limit':52428800,'checkBeforeUpdate':true}"), &err), -1);
    ck_assert_msg(strstr(err.msg, "linux.resources.memory.limit: 52428800 is below the current "
                                  "usage 104857600"),
                  "%s", err.msg);
    err_clear(&err);
    ck_assert_int_eq(
        update_with(&cg, RES("'memory':{'limit':209715200,'checkBeforeUpdate':true}"), &err), 0);
    ck_file("oci-rt/c1/memory.max", "209715200");
    /* swap alone: against the limit in place */
    ck_assert_int_eq(update_with(&cg, RES("'memory':{'swap':314572800}"), &err), 0);
    ck_file("oci-rt/c1/memory.swap.max", "104857600");
    /* a period alone keeps the quota, a quota alone the period */
    ck_assert_int_eq(update_with(&cg, RES("'cpu':{'period':200000}"), &err), 0);
    ck_file("oci-rt/c1/cpu.max", "50000 200000");
    ck_assert_int_eq(update_with(&cg, RES("'cpu':{'quota':70000}"), &err), 0);
    ck_file("oci-rt/c1/cpu.max", "70000");
    fake_cleanup(&cg);
}
END_TEST

START_TEST(stats_fake)
{
    struct cgroup cg;
    fake_tree(&cg, ALL_CTRL, ALL_CTRL);
    put_file("oci-rt/c1/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
                                   "nr_periods 7\nnr_throttled 2\nthrottled_usec 30\n");
    put_file("oci-rt/c1/memory.current", "4096\n");
    put_file("oci-rt/c1/memory.peak", "8192\n");
    put_file("oci-rt/c1/memory.max", "max\n");
    put_file("oci-rt/c1/memory.events", "low 0\nhigh 1\nmax 5\noom 2\noom_kill 3\n");
    put_file("oci-rt/c1/memory.swap.current", "0\n");
    put_file("oci-rt/c1/memory.swap.max", "1048576\n");
    put_file("oci-rt/c1/memory.stat", "anon 100\nfile 200\nkernel 300\n");
    put_file("oci-rt/c1/pids.current", "3\n");
    put_file("oci-rt/c1/pids.max", "max\n");
    put_file("oci-rt/c1/io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
                                  "8:16 rbytes=5 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
    put_file("oci-rt/c1/hugetlb.2MB.current", "2097152\n");
    put_file("oci-rt/c1/hugetlb.2MB.max", "4194304\n");
    put_file("oci-rt/c1/hugetlb.2MB.events", "max 4\n");
    put_file("oci-rt/c1/hugetlb.2MB.rsvd.current", "0\n");
    struct cgroup_stats st;
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_stats(&cg, &st, &err), 0);
    ck_assert(st.has_cpu && st.has_memory && st.has_pids && st.has_blkio && st.has_hugetlb);
    ck_assert_uint_eq(st.cpu.total, 1500000);
    ck_assert_uint_eq(st.cpu.user, 1000000);
    ck_assert_uint_eq(st.cpu.kernel, 500000);
    ck_assert_uint_eq(st.cpu.periods, 7);
    ck_assert_uint_eq(st.cpu.throttled_periods, 2);
    ck_assert_uint_eq(st.cpu.throttled_time, 30000);
    ck_assert_uint_eq(st.memory.usage, 4096);
    ck_assert_uint_eq(st.memory.max_usage, 8192);
    ck_assert_uint_eq(st.memory.limit, 0);
    ck_assert_uint_eq(st.memory.failcnt, 5);
    ck_assert_uint_eq(st.memory.swap_limit, 1048576);
    ck_assert_uint_eq(st.memory.cache, 200);
    ck_assert_uint_eq(st.memory.kernel_usage, 300);
    ck_assert_uint_eq(st.memory.raw.n, 3);
    ck_assert_str_eq(st.memory.raw.items[1].key, "file");
    ck_assert_str_eq(st.memory.raw.items[1].value, "200");
    ck_assert_uint_eq(st.pids.current, 3);
    ck_assert_uint_eq(st.pids.limit, 0);
    ck_assert_uint_eq(st.n_io_bytes, 6);
    ck_assert_str_eq(st.io_bytes[1].op, "Write");
    ck_assert_uint_eq(st.io_bytes[1].value, 20);
    ck_assert_uint_eq(st.io_bytes[3].minor, 16);
    ck_assert_uint_eq(st.n_io_ops, 6);
    ck_assert_uint_eq(st.io_ops[1].value, 2);
    ck_assert_uint_eq(st.n_hugetlb, 1);
    ck_assert_str_eq(st.hugetlb[0].size, "2MB");
    ck_assert_uint_eq(st.hugetlb[0].usage, 2097152);
    ck_assert_uint_eq(st.hugetlb[0].max, 4194304);
    ck_assert_uint_eq(st.hugetlb[0].failcnt, 4);
    cgroup_stats_free(&st);
    ck_assert_int_eq(cgroup_oom_kills(&cg), 3);
    bool per_event = true;
    int fd = cgroup_oom_watch(&cg, &per_event, &err);
    ck_assert(!per_event);
    ck_assert_msg(fd >= 0, "%s", err.msg);
    ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 0), 0);
    put_file("oci-rt/c1/memory.events", "oom_kill 4\n");
    ck_assert_int_eq(poll(&p, 1, 1000), 1);
    ck_assert_int_eq(cgroup_oom_kills(&cg), 4);
    close(fd);
    fake_cleanup(&cg);
}
END_TEST

START_TEST(bpf_program_shape)
{
    /* "allow all" last: one block, no default epilogue (unreachable) */
    struct spec_device_cgroup rules[] = {
        {.allow = false, .access = "rwm"},
        {.allow = true, .type = "a"},
    };
    size_t n;
    struct bpf_insn *p = cgroup_bpf_devices_prog(rules, 2, &n);
    ck_assert_uint_eq(n, 6 + 2);
    ck_assert_int_eq(p[7].code, BPF_JMP | BPF_EXIT);
    ck_assert_int_eq(p[6].imm, 1);
    free(p);
    p = cgroup_bpf_devices_prog(NULL, 0, &n); /* no rule: deny */
    ck_assert_uint_eq(n, 8);
    ck_assert_int_eq(p[6].imm, 0);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgroup_v2");
    TCase *f = tcase_create("fake");
    tcase_add_test(f, rich_resources);
    tcase_add_test(f, enable_only_needed_and_delegated);
    tcase_add_test(f, docker_empty_limits_need_no_controller);
    tcase_add_test(f, enable_below_foreign_parent);
    tcase_add_test(f, enable_nothing_foreign_without_limits);
    tcase_add_test(f, enable_refused_names_cgroup_and_controller);
    tcase_add_test(f, bfq_weight_and_unlimited);
    tcase_add_test(f, conversions);
    tcase_add_test(f, swap_equal_to_limit_disables_swap);
    tcase_add_test(f, errors);
    tcase_add_test(f, update_checks_and_keeps);
    tcase_add_test(f, stats_fake);
    tcase_add_test(f, bpf_program_shape);
    suite_add_tcase(s, f);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
