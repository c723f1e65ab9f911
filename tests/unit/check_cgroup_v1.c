/* The cgroup v1 backend: resources, freezer and statistics against a fake
 * hierarchy of plain files (the backend appends each value with a newline,
 * so a file shows every write in order), and, as root on a host with v1
 * controllers, against the kernel in cgroups this test creates and removes
 * (/sys/fs/cgroup/<ctrl>/oci-rt-unit-<pid>). */
#include "config.h"
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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

static char *slurp(const char *path)
{
    char *s = NULL;
    if (read_file_at(AT_FDCWD, path, &s, NULL, 1 << 20) < 0)
        return NULL;
    return s;
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

static struct spec_config *cfg;

/* linux.resources of a config.json (single quotes for double quotes) */
static const struct spec_resources *res_of(const char *resources)
{
    char *doc;
    xasprintf(&doc, "{'ociVersion':'1.3.0','root':{'path':'rootfs'},'linux':{'resources':%s}}",
              resources);
    for (char *p = doc; *p; p++)
        if (*p == '\'')
            *p = '"';
    char *msg = NULL;
    cfg = spec_config_parse(doc, strlen(doc), "config.json", &msg);
    ck_assert_msg(cfg != NULL, "parse: %s", msg ? msg : "?");
    free(doc);
    ck_assert_ptr_nonnull(cfg->linux_->resources);
    return cfg->linux_->resources;
}

static void apply_ok(struct cgroup *cg, const char *resources, bool update)
{
    struct oci_err err = {0};
    int rc = cgroup_apply(cg, res_of(resources), update, &err);
    ck_assert_msg(rc == 0, "apply: %s", err.msg);
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

/* ---- real kernel (root, v1 controllers) ---- */

static struct cgroup rcg;
static bool real_ok;
static char real_skip[1200];

static void real_setup(void)
{
    real_ok = false;
    if (geteuid() != 0) {
        snprintf(real_skip, sizeof(real_skip), "not root");
        return;
    }
    struct oci_err err = {0};
    char path[64];
    snprintf(path, sizeof(path), "/oci-rt-unit-%d", getpid());
    if (cgroup_init(&rcg, CG_LEGACY, path, NULL, &err) < 0 || rcg.n_hier == 0) {
        snprintf(real_skip, sizeof(real_skip), "no cgroup v1 hierarchy: %s", err.msg);
        cgroup_release(&rcg);
        return;
    }
    static const char *const need[] = {"memory", "pids", "cpu", "cpuacct", "freezer", "devices"};
    for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
        if (!cgroup_has_controller(&rcg, need[i])) {
            snprintf(real_skip, sizeof(real_skip), "no v1 %s controller", need[i]);
            cgroup_release(&rcg);
            return;
        }
    }
    if (cgroup_create(&rcg, NULL, &err) < 0) {
        snprintf(real_skip, sizeof(real_skip), "create: %.100s", err.msg);
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

#define REQUIRE_REAL()                                                                             \
    do {                                                                                           \
        if (!real_ok) {                                                                            \
            fprintf(stderr, "SKIP %s: %s\n", __func__, real_skip);                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

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
    ck_assert_uint_eq(sum, st.cpu.total);
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
    /* one cgroup per real test, made and removed by the runner */
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
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
