/* The cgroup v1 backend: resources, freezer and statistics against a fake
 * hierarchy of plain files (the backend appends each value with a newline,
 * so a file shows every write in order). Against the kernel:
 * check_cgroup_v1_real.c. */
#include "config.h"
#include "cgroup_fixtures.h"
#include "libcontainer/cgroups.h"
#include "libcontainer/cgroup_backend.h"
#include "libcontainer/cgroup_fs.h"
#include "libcontainer/cgroup_need.h"
#include "libcontainer/cgroup_v1.h"
#include "libcontainer/cgroup_v1_res.h"
#include "libcontainer/cgroup_v1_stats.h"
#include "libcontainer/log.h"
#include "libcontainer/util.h"
#include "specs/spec_config.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the fake hierarchy ---- */

#define CPATH "/oci-rt/c1"

static const struct {
    const char *ctrl;
    const char *files; /* what the kernel has in a container's directory */
} fake_hiers[] = {
    {"cpu,cpuacct", "cpu.shares cpu.cfs_period_us cpu.cfs_quota_us cpu.cfs_burst_us "
                    "cpu.rt_period_us cpu.rt_runtime_us cpu.idle cpu.stat cpuacct.usage "
                    "cpuacct.usage_percpu cpuacct.stat"},
    {"cpuset", "cpuset.cpus cpuset.mems"},
    {"memory", "memory.limit_in_bytes memory.soft_limit_in_bytes memory.kmem.limit_in_bytes "
               "memory.kmem.tcp.limit_in_bytes memory.swappiness memory.oom_control "
               "memory.use_hierarchy memory.usage_in_bytes"},
    {"pids", "pids.max pids.current"},
    {"blkio", "blkio.weight blkio.leaf_weight blkio.weight_device blkio.leaf_weight_device "
              "blkio.throttle.read_bps_device blkio.throttle.write_bps_device "
              "blkio.throttle.read_iops_device blkio.throttle.write_iops_device"},
    {"devices", "devices.allow devices.deny"},
    {"freezer", "freezer.state"},
    {"net_cls,net_prio", "net_cls.classid net_prio.ifpriomap"},
    {"rdma", "rdma.max"},
    {"hugetlb", "hugetlb.2MB.limit_in_bytes hugetlb.2MB.rsvd.limit_in_bytes "
                "hugetlb.1GB.limit_in_bytes"},
};

static char base[64]; /* per test case, made and removed by the runner */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void base_setup(void)
{
    snprintf(base, sizeof(base), "/tmp/check_cgv1.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base));
}

static void base_teardown(void)
{
    nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct cgroup fcg;

static const char *fpath(const char *ctrl, const char *file)
{
    static char bufs[4][512];
    static int i;
    char *b = bufs[i++ % 4];
    snprintf(b, sizeof(bufs[0]), "%s/%d/%s" CPATH "%s%s", base, getpid(), ctrl, file ? "/" : "",
             file ? file : "");
    return b;
}

static void spit(const char *path, const char *content)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "create %s", path);
    fputs(content, f);
    fclose(f);
}

/* The file holds exactly want (or starts with it). */
static void check_file(const char *ctrl, const char *file, const char *want, bool prefix)
{
    char *got = slurp(fpath(ctrl, file));
    ck_assert_msg(got != NULL, "%s: missing", file);
    ck_assert_msg(prefix ? !strncmp(got, want, strlen(want)) : !strcmp(got, want),
                  "%s: got \"%s\", want \"%s%s\"", file, got, want, prefix ? "..." : "");
    free(got);
}
#define assert_file(ctrl, file, want) check_file(ctrl, file, want, false)
#define assert_prefix(ctrl, file, want) check_file(ctrl, file, want, true)

/* A legacy (v1 only) cgroup whose hierarchies are the fake ones, except
 * skip (a controller to leave out, or NULL). memory.memsw.limit_in_bytes
 * is a symlink to memory.limit_in_bytes, so one file shows the order of
 * the two writes; it starts with the kernel's "unlimited". */
static struct cgroup *fake(const char *skip)
{
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/%d", base, getpid());
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); /* a second fake in one test */
    memset(&fcg, 0, sizeof(fcg));
    fcg.mode = CG_LEGACY;
    fcg.v2_fd = -1;
    fcg.path = xstrdup(CPATH);
    fcg.top = xstrdup("/oci-rt");
    fcg.hier = xzalloc(ARRAY_SIZE(fake_hiers) * sizeof(*fcg.hier));
    for (size_t i = 0; i < ARRAY_SIZE(fake_hiers); i++) {
        const char *ctrl = fake_hiers[i].ctrl;
        if (skip && !strcmp(skip, ctrl))
            continue;
        ck_assert_int_eq(mkdir_p(fpath(ctrl, NULL), 0755), 0);
        fcg.hier[fcg.n_hier].controllers = xstrdup(ctrl);
        xasprintf(&fcg.hier[fcg.n_hier].mnt, "%s/%d/%s", base, getpid(), ctrl);
        fcg.n_hier++;
        char *files = xstrdup(fake_hiers[i].files), *save = NULL;
        for (char *f = strtok_r(files, " ", &save); f; f = strtok_r(NULL, " ", &save))
            spit(fpath(ctrl, f), "");
        free(files);
    }
    if (!skip || strcmp(skip, "memory") != 0) {
        spit(fpath("memory", "memory.limit_in_bytes"), "9223372036854771712\n");
        ck_assert_int_eq(
            symlink("memory.limit_in_bytes", fpath("memory", "memory.memsw.limit_in_bytes")), 0);
    }
    return &fcg;
}

static void apply_fails(struct cgroup *cg, const char *resources, bool update, const char *want)
{
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_apply(cg, res_of(resources), update, &err), -1);
    ck_assert_msg(!strcmp(err.msg, want), "got \"%s\"\nwant \"%s\"", err.msg, want);
}

/* ---- fake: resources ---- */

static const char rich[] =
    "{'devices':[{'allow':false,'access':'rwm'},"
    "{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'},"
    "{'allow':true,'type':'b','major':8,'access':'r'},{'allow':false,'type':'c','minor':5}],"
    "'memory':{'limit':209715200,'reservation':104857600,'swap':419430400,'kernel':-1,"
    "'kernelTCP':1048576,'swappiness':10,'disableOOMKiller':true,'useHierarchy':true},"
    "'cpu':{'shares':512,'quota':50000,'period':100000,'burst':10000,'realtimeRuntime':950,"
    "'realtimePeriod':1000,'cpus':'0-1','mems':'0','idle':1},"
    "'pids':{'limit':64},"
    "'blockIO':{'weight':300,'leafWeight':200,"
    "'weightDevice':[{'major':8,'minor':0,'weight':500,'leafWeight':300},"
    "{'major':8,'minor':16,'weight':400}],"
    "'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
    "'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':700},{'major':8,'minor':16,'rate':1}],"
    "'throttleReadIOPSDevice':[{'major':8,'minor':0,'rate':80}],"
    "'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':300}]},"
    "'hugepageLimits':[{'pageSize':'2MB','limit':209715200},{'pageSize':'1GB','limit':0}],"
    "'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500},"
    "{'name':'eth1','priority':1000}]},"
    "'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'rxe3':{'hcaObjects':10}}}";

START_TEST(fake_rich)
{
    struct cgroup *cg = fake(NULL);
    apply_ok(cg, rich, false);
    assert_file("devices", "devices.deny", "a\na *:* rwm\nc *:5 rwm\n");
    /* then cgroup_apply's default devices (runc's) */
    assert_prefix("devices", "devices.allow", "c 1:3 rw\nb 8:* r\nc *:* m\n");
    assert_file("memory", "memory.use_hierarchy", "1\n");
    assert_file("memory", "memory.kmem.limit_in_bytes", "-1\n");
    assert_file("memory", "memory.kmem.tcp.limit_in_bytes", "1048576\n");
    /* the current limit is above the new memsw: memory first, then memsw */
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n209715200\n419430400\n");
    assert_file("memory", "memory.soft_limit_in_bytes", "104857600\n");
    assert_file("memory", "memory.oom_control", "1\n");
    assert_file("memory", "memory.swappiness", "10\n");
    assert_file("cpu,cpuacct", "cpu.shares", "512\n");
    assert_file("cpu,cpuacct", "cpu.cfs_period_us", "100000\n");
    assert_file("cpu,cpuacct", "cpu.cfs_burst_us", "10000\n");
    assert_file("cpu,cpuacct", "cpu.cfs_quota_us", "50000\n");
    assert_file("cpu,cpuacct", "cpu.idle", "1\n");
    assert_file("cpu,cpuacct", "cpu.rt_period_us", "1000\n");
    assert_file("cpu,cpuacct", "cpu.rt_runtime_us", "950\n");
    assert_file("cpuset", "cpuset.cpus", "0-1\n");
    assert_file("cpuset", "cpuset.mems", "0\n");
    assert_file("pids", "pids.max", "64\n");
    assert_file("blkio", "blkio.weight", "300\n");
    assert_file("blkio", "blkio.leaf_weight", "200\n");
    assert_file("blkio", "blkio.weight_device", "8:0 500\n8:16 400\n");
    assert_file("blkio", "blkio.leaf_weight_device", "8:0 300\n");
    assert_file("blkio", "blkio.throttle.read_bps_device", "8:0 600\n");
    assert_file("blkio", "blkio.throttle.write_bps_device", "8:0 700\n8:16 1\n");
    assert_file("blkio", "blkio.throttle.read_iops_device", "8:0 80\n");
    assert_file("blkio", "blkio.throttle.write_iops_device", "8:16 300\n");
    /* no 1GB rsvd file: the reservation limit is skipped from there on */
    assert_file("hugetlb", "hugetlb.2MB.limit_in_bytes", "209715200\n");
    assert_file("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes", "209715200\n");
    assert_file("hugetlb", "hugetlb.1GB.limit_in_bytes", "0\n");
    assert_file("net_cls,net_prio", "net_cls.classid", "1048577\n");
    assert_file("net_cls,net_prio", "net_prio.ifpriomap", "eth0 500\neth1 1000\n");
    assert_file("rdma", "rdma.max", "mlx5_1 hca_handle=3 hca_object=10000\nrxe3 hca_object=10\n");
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

/* zero means "not set" (runc): nothing is written */
START_TEST(fake_zero_is_unset)
{
    struct cgroup *cg = fake(NULL);
    apply_ok(cg,
             "{'memory':{'limit':0,'reservation':0,'swap':0,'kernel':0,"
             /* and -1 in a uint64, as Docker <= 18.x wrote its default swappiness */
             "'swappiness':18446744073709551615},'cpu':{'shares':0,"
             "'quota':0,'period':0,'cpus':'','mems':''},'pids':{'limit':0},"
             "'blockIO':{'weight':0},'network':{'classID':0}}",
             false);
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n");
    assert_file("memory", "memory.soft_limit_in_bytes", "");
    assert_file("memory", "memory.kmem.limit_in_bytes", "");
    assert_file("memory", "memory.swappiness", "");
    assert_file("cpu,cpuacct", "cpu.shares", "");
    assert_file("cpu,cpuacct", "cpu.cfs_quota_us", "");
    assert_file("cpu,cpuacct", "cpu.cfs_period_us", "");
    assert_file("cpuset", "cpuset.cpus", "");
    assert_file("pids", "pids.max", "");
    assert_file("blkio", "blkio.weight", "");
    assert_file("net_cls,net_prio", "net_cls.classid", "");
    assert_file("devices", "devices.deny", "a\n"); /* create: deny all but the defaults */
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

START_TEST(fake_unlimited)
{
    struct cgroup *cg = fake(NULL);
    /* -1: unlimited memory makes memory+swap unlimited too, memsw first */
    apply_ok(cg, "{'memory':{'limit':-1},'cpu':{'quota':-1},'pids':{'limit':-1}}", true);
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n-1\n-1\n");
    assert_file("cpu,cpuacct", "cpu.cfs_quota_us", "-1\n");
    assert_file("pids", "pids.max", "max\n");
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

/* memsw >= limit at every step: raise memsw first, lower the limit first */
START_TEST(fake_swap_order)
{
    struct cgroup *cg = fake(NULL);
    const char *lim = fpath("memory", "memory.limit_in_bytes");
    spit(lim, "100\n");
    apply_ok(cg, "{'memory':{'limit':1000,'swap':2000}}", true);
    assert_file("memory", "memory.limit_in_bytes", "100\n2000\n1000\n");
    spec_config_free(cfg);
    spit(lim, "5000\n");
    apply_ok(cg, "{'memory':{'limit':1000,'swap':2000}}", true);
    assert_file("memory", "memory.limit_in_bytes", "5000\n1000\n2000\n");
    spec_config_free(cfg);
    spit(lim, "5000\n");
    apply_ok(cg, "{'memory':{'limit':1000,'swap':-1}}", true);
    assert_file("memory", "memory.limit_in_bytes", "5000\n-1\n1000\n");
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

START_TEST(fake_check_before_update)
{
    struct cgroup *cg = fake(NULL);
    spit(fpath("memory", "memory.usage_in_bytes"), "500000000\n");
    char want[1024];
    snprintf(want, sizeof(want),
             "linux.resources.memory.limit: 100000000 is below the current usage of 500000000 "
             "bytes (%s/memory.usage_in_bytes, checkBeforeUpdate)",
             fpath("memory", NULL));
    const char *r = "{'memory':{'limit':100000000,'checkBeforeUpdate':true}}";
    apply_fails(cg, r, true, want);
    spec_config_free(cfg);
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n");
    apply_ok(cg, r, false); /* at create: no check */
    spec_config_free(cfg);
    apply_ok(cg, "{'memory':{'limit':600000000,'checkBeforeUpdate':true}}", true);
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n100000000\n600000000\n");
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

START_TEST(fake_missing_controller)
{
    struct cgroup *cg = fake("pids");
    apply_fails(cg, "{'memory':{'limit':1000},'pids':{'limit':10}}", false,
                "linux.resources.pids: the pids controller is not available on this host");
    spec_config_free(cfg);
    /* nothing was written before the check */
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n");
    ck_assert(cgroup_has_controller(cg, "cpu"));
    ck_assert(cgroup_has_controller(cg, "cpuacct"));
    ck_assert(cgroup_has_controller(cg, "net_prio"));
    ck_assert(!cgroup_has_controller(cg, "pids"));
    ck_assert(!cgroup_has_controller(cg, "cpuacc"));
    ck_assert(!cgroup_has_controller(cg, "net"));
    cgroup_release(cg);
}
END_TEST

/* an optional kernel file is an error only when the config asks for it */
START_TEST(fake_missing_optional_file)
{
    struct cgroup *cg = fake(NULL);
    ck_assert_int_eq(unlink(fpath("cpu,cpuacct", "cpu.idle")), 0);
    ck_assert_int_eq(unlink(fpath("cpu,cpuacct", "cpu.cfs_burst_us")), 0);
    apply_ok(cg, "{'cpu':{'idle':0,'burst':0,'shares':100}}", false);
    spec_config_free(cfg);
    char want[1024];
    snprintf(want, sizeof(want),
             "linux.resources.cpu.idle: %s: not supported by this kernel: no such file or "
             "directory",
             fpath("cpu,cpuacct", "cpu.idle"));
    apply_fails(cg, "{'cpu':{'idle':1}}", false, want);
    spec_config_free(cfg);
    snprintf(want, sizeof(want),
             "linux.resources.cpu.burst: %s: not supported by this kernel: no such file or "
             "directory",
             fpath("cpu,cpuacct", "cpu.cfs_burst_us"));
    apply_fails(cg, "{'cpu':{'burst':1000}}", false, want);
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

static char warned[1024];
static void sink(enum log_level level, const char *msg)
{
    if (level == LOG_LVL_WARN)
        snprintf(warned, sizeof(warned), "%s", msg);
}

START_TEST(fake_kmem_missing_warns)
{
    struct cgroup *cg = fake(NULL);
    log_set_sink(sink, LOG_LVL_WARN);
    ck_assert_int_eq(unlink(fpath("memory", "memory.kmem.limit_in_bytes")), 0);
    apply_ok(cg, "{'memory':{'kernel':1048576,'limit':2097152}}", false);
    char want[1024];
    snprintf(want, sizeof(want),
             "linux.resources.memory.kernel: %s: not supported by this kernel, ignored",
             fpath("memory", "memory.kmem.limit_in_bytes"));
    ck_assert_str_eq(warned, want);
    assert_file("memory", "memory.limit_in_bytes", "9223372036854771712\n2097152\n");
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

START_TEST(fake_errors_name_field_and_file)
{
    struct cgroup *cg = fake(NULL);
    const char *lim = fpath("memory", "memory.limit_in_bytes");
    ck_assert_int_eq(unlink(fpath("memory", "memory.memsw.limit_in_bytes")), 0);
    ck_assert_int_eq(unlink(lim), 0);
    ck_assert_int_eq(mkdir(lim, 0755), 0); /* open for writing fails: EISDIR */
    char want[1024];
    snprintf(want, sizeof(want), "linux.resources.memory.limit: write %s: is a directory", lim);
    apply_fails(cg, "{'memory':{'limit':1000}}", false, want);
    spec_config_free(cfg);
    apply_fails(cg, "{'cpu':{'shares':1}}", false,
                "linux.resources.cpu.shares: 1 is not in 2..262144");
    spec_config_free(cfg);
    apply_fails(cg, "{'memory':{'swappiness':101}}", false,
                "linux.resources.memory.swappiness: 101 is not in 0..100");
    spec_config_free(cfg);
    ck_assert_int_eq(unlink(fpath("devices", "devices.allow")), 0);
    snprintf(want, sizeof(want),
             "linux.resources.devices[1]: %s: not supported by this kernel: no such file or "
             "directory",
             fpath("devices", "devices.allow"));
    apply_fails(cg, "{'devices':[{'allow':false},{'allow':true,'type':'c'}]}", false, want);
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

/* BFQ: blkio.bfq.weight{,_device} when blkio.weight does not exist */
START_TEST(fake_blkio_bfq)
{
    struct cgroup *cg = fake(NULL);
    ck_assert_int_eq(unlink(fpath("blkio", "blkio.weight")), 0);
    spit(fpath("blkio", "blkio.bfq.weight"), "");
    spit(fpath("blkio", "blkio.bfq.weight_device"), "");
    apply_ok(cg, "{'blockIO':{'weight':300,'weightDevice':[{'major':8,'minor':0,'weight':5}]}}",
             false);
    assert_file("blkio", "blkio.bfq.weight", "300\n");
    assert_file("blkio", "blkio.bfq.weight_device", "8:0 5\n");
    assert_file("blkio", "blkio.weight_device", "");
    cgroup_release(cg);
    spec_config_free(cfg);
}
END_TEST

/* ---- fake: freezer, stats, OOM count ---- */

START_TEST(fake_freezer)
{
    struct cgroup *cg = fake(NULL);
    struct oci_err err = {0};
    spit(fpath("freezer", "freezer.state"), "THAWED\n");
    ck_assert_int_eq(cgroup_frozen(cg), 0);
    ck_assert_int_eq(cgroup_freeze(cg, true, &err), 0);
    assert_file("freezer", "freezer.state", "FROZEN\n");
    ck_assert_int_eq(cgroup_frozen(cg), 1);
    spit(fpath("freezer", "freezer.self_freezing"), "0\n");
    ck_assert_int_eq(cgroup_frozen(cg), 0); /* frozen by an ancestor only */
    ck_assert_int_eq(cgroup_freeze(cg, false, &err), 0);
    assert_file("freezer", "freezer.state", "THAWED\n");
    cgroup_release(cg);
    cg = fake("freezer");
    ck_assert_int_eq(cgroup_frozen(cg), -1);
    ck_assert_int_eq(cgroup_freeze(cg, true, &err), -1);
    cgroup_release(cg);
}
END_TEST

static void fake_stat_files(void)
{
    spit(fpath("cpu,cpuacct", "cpuacct.usage"), "123456789\n");
    spit(fpath("cpu,cpuacct", "cpuacct.usage_percpu"), "100 200 \n");
    spit(fpath("cpu,cpuacct", "cpuacct.stat"), "user 10\nsystem 5\n");
    spit(fpath("cpu,cpuacct", "cpu.stat"),
         "nr_periods 7\nnr_throttled 2\nthrottled_time 999\nnr_bursts 0\n");
    ck_assert_int_eq(unlink(fpath("memory", "memory.memsw.limit_in_bytes")), 0);
    const char *mem[][2] = {
        {"memory.usage_in_bytes", "4096"},
        {"memory.max_usage_in_bytes", "8192"},
        {"memory.limit_in_bytes", "16384"},
        {"memory.failcnt", "1"},
        {"memory.memsw.usage_in_bytes", "5000"},
        {"memory.memsw.max_usage_in_bytes", "6000"},
        {"memory.memsw.limit_in_bytes", "32768"},
        {"memory.memsw.failcnt", "2"},
        {"memory.kmem.usage_in_bytes", "300"},
        {"memory.kmem.limit_in_bytes", "400"},
        {"memory.stat", "cache 100\nrss 200\ntotal_cache 300\ntotal_rss 400\n"},
        {"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(mem); i++)
        spit(fpath("memory", mem[i][0]), mem[i][1]);
    spit(fpath("pids", "pids.current"), "3\n");
    spit(fpath("pids", "pids.max"), "max\n");
    spit(fpath("blkio", "blkio.throttle.io_service_bytes_recursive"),
         "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
         "8:0 Total 12288\nTotal 12288\n");
    spit(fpath("blkio", "blkio.throttle.io_serviced_recursive"),
         "8:16 Read 1\n8:16 Write 2\nTotal 3\n");
    spit(fpath("blkio", "blkio.bfq.io_service_bytes_recursive"), "Total 0\n");
    spit(fpath("blkio", "blkio.bfq.io_serviced_recursive"), "Total 0\n");
    spit(fpath("hugetlb", "hugetlb.2MB.usage_in_bytes"), "2097152\n");
    spit(fpath("hugetlb", "hugetlb.2MB.max_usage_in_bytes"), "4194304\n");
    spit(fpath("hugetlb", "hugetlb.2MB.failcnt"), "1\n");
}

START_TEST(fake_stats)
{
    struct cgroup *cg = fake(NULL);
    fake_stat_files();
    struct cgroup_stats st;
    struct oci_err err = {0};
    ck_assert_msg(cgroup_stats(cg, &st, &err) == 0, "%s", err.msg);
    uint64_t tick = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);
    ck_assert(st.has_cpu && st.has_memory && st.has_pids && st.has_blkio);
    const struct {
        uint64_t got, want;
    } eq[] = {
        {st.cpu.total, 123456789},     {st.cpu.n_percpu, 2},
        {st.cpu.percpu[1], 200},       {st.cpu.user, 10 * tick},
        {st.cpu.kernel, 5 * tick},     {st.cpu.periods, 7},
        {st.cpu.throttled_periods, 2}, {st.cpu.throttled_time, 999},
        {st.memory.usage, 4096},       {st.memory.max_usage, 8192},
        {st.memory.limit, 16384},      {st.memory.failcnt, 1},
        {st.memory.swap_usage, 5000},  {st.memory.swap_max_usage, 6000},
        {st.memory.swap_limit, 32768}, {st.memory.swap_failcnt, 2},
        {st.memory.kernel_usage, 300}, {st.memory.kernel_limit, 400},
        {st.memory.cache, 300}, /* total_cache */
    };
    for (size_t i = 0; i < ARRAY_SIZE(eq); i++)
        ck_assert_msg(eq[i].got == eq[i].want, "[%zu]: %" PRIu64 " != %" PRIu64, i, eq[i].got,
                      eq[i].want);
    ck_assert_uint_eq(st.memory.raw.n, 4);
    ck_assert_str_eq(st.memory.raw.items[1].key, "rss");
    ck_assert_str_eq(st.memory.raw.items[1].value, "200");
    ck_assert_uint_eq(st.pids.current, 3);
    ck_assert_uint_eq(st.pids.limit, 0); /* max */
    /* BFQ has nothing: the throttle counters */
    ck_assert_uint_eq(st.n_io_bytes, 6);
    ck_assert_uint_eq(st.io_bytes[1].major, 8);
    ck_assert_str_eq(st.io_bytes[1].op, "Write");
    ck_assert_uint_eq(st.io_bytes[1].value, 8192);
    ck_assert_uint_eq(st.n_io_ops, 2);
    ck_assert_uint_eq(st.io_ops[0].minor, 16);
    if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0) {
        ck_assert(st.has_hugetlb);
        ck_assert_uint_eq(st.n_hugetlb, 1); /* no 1GB files */
        ck_assert_str_eq(st.hugetlb[0].size, "2MB");
        ck_assert_uint_eq(st.hugetlb[0].usage, 2097152);
        ck_assert_uint_eq(st.hugetlb[0].max, 4194304);
        ck_assert_uint_eq(st.hugetlb[0].failcnt, 1);
    }
    ck_assert_int_eq(cgroup_oom_kills(cg), 3);
    cgroup_stats_free(&st);
    spit(fpath("pids", "pids.max"), "100\n");
    spit(fpath("blkio", "blkio.bfq.io_serviced_recursive"), "8:0 Read 9\nTotal 9\n");
    spit(fpath("blkio", "blkio.bfq.io_service_bytes_recursive"), "8:0 Read 99\nTotal 99\n");
    ck_assert_msg(cgroup_stats(cg, &st, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(st.pids.limit, 100);
    ck_assert_uint_eq(st.n_io_bytes, 1); /* BFQ's when it has entries */
    ck_assert_uint_eq(st.io_bytes[0].value, 99);
    ck_assert_uint_eq(st.io_ops[0].value, 9);
    cgroup_stats_free(&st);
    cgroup_release(cg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cgroup_v1");
    TCase *f = tcase_create("fake");
    tcase_add_unchecked_fixture(f, base_setup, base_teardown);
    tcase_add_test(f, fake_rich);
    tcase_add_test(f, fake_zero_is_unset);
    tcase_add_test(f, fake_unlimited);
    tcase_add_test(f, fake_swap_order);
    tcase_add_test(f, fake_check_before_update);
    tcase_add_test(f, fake_missing_controller);
    tcase_add_test(f, fake_missing_optional_file);
    tcase_add_test(f, fake_kmem_missing_warns);
    tcase_add_test(f, fake_errors_name_field_and_file);
    tcase_add_test(f, fake_blkio_bfq);
    tcase_add_test(f, fake_freezer);
    tcase_add_test(f, fake_stats);
    suite_add_tcase(s, f);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
