/* The cgroup v2 backend: resources written to a fake v2 tree in a temp dir
 * (exact file contents, conversions, errors, statistics), and on a real
 * cgroup2 hierarchy (root only) the eBPF device filter, the freezer,
 * cgroup.kill and statistics, in cgroups this test creates and removes. */
#include "config.h"
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

static pid_t main_pid;
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

static struct spec_config *parse(const char *sq)
{
    char *doc = xstrdup(sq), *msg = NULL;
    for (char *p = doc; *p; p++)
        if (*p == '\'')
            *p = '"';
    struct spec_config *c = spec_config_parse(doc, strlen(doc), "config.json", &msg);
    ck_assert_msg(c != NULL, "parse: %s", msg ? msg : "?");
    free(doc);
    return c;
}

#define RES(x) "{'ociVersion':'1.3.0','root':{'path':'rootfs'},'linux':{'resources':{" x "}}}"
#define RESOURCES(c) ((c)->linux_->resources)

static int create(struct cgroup *cg, const char *res_json, struct oci_err *err)
{
    struct spec_config *c = parse(res_json);
    int rc = cgroup_create(cg, RESOURCES(c), err);
    spec_config_free(c);
    return rc;
}

static int update(struct cgroup *cg, const char *res_json, struct oci_err *err)
{
    struct spec_config *c = parse(res_json);
    int rc = cgroup_apply(cg, RESOURCES(c), true, err);
    spec_config_free(c);
    return rc;
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
    int rc = create(
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

START_TEST(enable_only_needed_and_delegated)
{
    struct cgroup cg;
    struct oci_err err = {0};
    /* the host root has no memory: never written, memory not enabled */
    fake_tree(&cg, "cpu pids", "cpu pids");
    put_file("cgroup.controllers", "cpu pids");
    put_file("oci-rt/cgroup.subtree_control", "cpu");
    int rc = create(&cg, RES("'memory':{'limit':1048576},'pids':{'limit':5}"), &err);
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
    int rc = create(&cg,
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
    int rc = create(&cg, RES("'memory':{'limit':1048576,'swap':1048576}"), &err);
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
        ck_assert_int_eq(update(&cg, cases[i].res, &err), -1);
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
    ck_assert_int_eq(update(&cg, RES("'memory':{'limit':52428800,'checkBeforeUpdate':true}"), &err),
                     -1);
    ck_assert_msg(strstr(err.msg, "linux.resources.memory.limit: 52428800 is below the current "
                                  "usage 104857600"),
                  "%s", err.msg);
    err_clear(&err);
    ck_assert_int_eq(
        update(&cg, RES("'memory':{'limit':209715200,'checkBeforeUpdate':true}"), &err), 0);
    ck_file("oci-rt/c1/memory.max", "209715200");
    /* swap alone: against the limit in place */
    ck_assert_int_eq(update(&cg, RES("'memory':{'swap':314572800}"), &err), 0);
    ck_file("oci-rt/c1/memory.swap.max", "104857600");
    /* a period alone keeps the quota, a quota alone the period */
    ck_assert_int_eq(update(&cg, RES("'cpu':{'period':200000}"), &err), 0);
    ck_file("oci-rt/c1/cpu.max", "50000 200000");
    ck_assert_int_eq(update(&cg, RES("'cpu':{'quota':70000}"), &err), 0);
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

/* ---- a real cgroup2 hierarchy ---- */

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
    int rc = create(&cg, RES("'devices':[{'allow':false,'access':'rwm'}]"), &err);
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
    rc = update(&cg, RES("'devices':[{'allow':true,'access':'rwm'}]"), &err);
    ck_assert_msg(rc == 0, "update: %s", err.msg);
    ck_assert_int_eq(cgroup_bpf_devices_count(dfd), 1);
    ck_assert_int_eq(probe_open(&cg, "/dev/kmsg", O_RDONLY), 0);
    close(dfd);
    ck_assert_msg(cgroup_destroy(&cg, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(access(dir, F_OK), -1);
    cgroup_release(&cg);
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

int main(void)
{
    main_pid = getpid();
    Suite *s = suite_create("cgroup_v2");
    TCase *f = tcase_create("fake");
    tcase_add_test(f, rich_resources);
    tcase_add_test(f, enable_only_needed_and_delegated);
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
    if (geteuid() != 0)
        fprintf(stderr, "SKIP real cgroup2 tests: not root\n");
    else if (!v2_mount())
        fprintf(stderr, "SKIP real cgroup2 tests: no cgroup2 hierarchy\n");
    else {
        TCase *r = tcase_create("real");
        tcase_add_unchecked_fixture(r, NULL, real_teardown);
        tcase_set_timeout(r, 30);
        tcase_add_test(r, bpf_device_filter);
        tcase_add_test(r, freeze_kill_stats);
        suite_add_tcase(s, r);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
