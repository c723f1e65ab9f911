/* The bundle of a container in direct mode: config.json for the shared,
 * read-only rootfs, the same for every runtime but the container's own
 * cgroup (under this run's parent) and what it runs. ociVersion 1.0.2, so
 * that every runtime in use accepts it. */
#include "config.h"
#include "bench/bench.h"
#include "bench/jgen.h"
#include "libcontainer/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

static void mount_entry(yajl_gen g, const char *dst, const char *type, const char *src,
                        const char *const *options)
{
    yajl_gen_map_open(g);
    jkstr(g, "destination", dst);
    jkstr(g, "type", type);
    jkstr(g, "source", src);
    if (options)
        jkstrv(g, "options", options);
    yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, const struct bench_spec *spec)
{
    static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
    static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                      "mode=0620", "gid=5",  NULL};
    static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
                                      "mode=1777", "size=65536k", NULL};
    static const char *const nne[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
    static const char *const tmp[] = {"nosuid", "nodev", "mode=1777", "size=262144k", NULL};
    static const char *const data[] = {"rbind", "rw", NULL};
    jstr(g, "mounts");
    yajl_gen_array_open(g);
    mount_entry(g, "/proc", "proc", "proc", NULL);
    mount_entry(g, "/dev", "tmpfs", "tmpfs", dev);
    mount_entry(g, "/dev/pts", "devpts", "devpts", pts);
    mount_entry(g, "/dev/shm", "tmpfs", "shm", shm);
    mount_entry(g, "/dev/mqueue", "mqueue", "mqueue", nne);
    mount_entry(g, "/sys", "sysfs", "sysfs", sys);
    mount_entry(g, "/sys/fs/cgroup", "cgroup", "cgroup", cg);
    mount_entry(g, "/tmp", "tmpfs", "tmpfs", tmp);
    if (spec->data)
        mount_entry(g, "/data", "bind", spec->data, data);
    yajl_gen_array_close(g);
}

static void gen_process(yajl_gen g, const struct bench_spec *spec)
{
    static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
    static const char *const env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", NULL};
    jstr(g, "process");
    yajl_gen_map_open(g);
    jkbool(g, "terminal", false);
    jstr(g, "user");
    yajl_gen_map_open(g);
    jkint(g, "uid", 0);
    jkint(g, "gid", 0);
    yajl_gen_map_close(g);
    jkstrv(g, "args", spec->args);
    jkstrv(g, "env", env);
    jkstr(g, "cwd", spec->cwd ? spec->cwd : "/");
    jstr(g, "capabilities");
    yajl_gen_map_open(g);
    jkstrv(g, "bounding", caps);
    jkstrv(g, "effective", caps);
    jkstrv(g, "permitted", caps);
    yajl_gen_map_close(g);
    jstr(g, "rlimits");
    yajl_gen_array_open(g);
    yajl_gen_map_open(g);
    jkstr(g, "type", "RLIMIT_NOFILE");
    jkint(g, "hard", 1024);
    jkint(g, "soft", 1024);
    yajl_gen_map_close(g);
    yajl_gen_array_close(g);
    jkbool(g, "noNewPrivileges", true);
    yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g, const struct bench *b, const char *id,
                      const struct bench_spec *spec)
{
    static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
    static const char *const masked[] = {"/proc/acpi",
                                         "/proc/asound",
                                         "/proc/kcore",
                                         "/proc/keys",
                                         "/proc/latency_stats",
                                         "/proc/timer_list",
                                         "/proc/timer_stats",
                                         "/proc/sched_debug",
                                         "/sys/firmware",
                                         "/proc/scsi",
                                         NULL};
    static const char *const ro[] = {"/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
                                     "/proc/sysrq-trigger", NULL};
    char cgpath[256];
    snprintf(cgpath, sizeof(cgpath), "/ocibench-%s/%s", b->tag, id);
    jstr(g, "linux");
    yajl_gen_map_open(g);
    jkstr(g, "cgroupsPath", cgpath);
    jstr(g, "resources");
    yajl_gen_map_open(g);
    jstr(g, "devices");
    yajl_gen_array_open(g);
    yajl_gen_map_open(g);
    jkbool(g, "allow", false);
    jkstr(g, "access", "rwm");
    yajl_gen_map_close(g);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    jstr(g, "namespaces");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
        yajl_gen_map_open(g);
        jkstr(g, "type", ns[i]);
        if (!strcmp(ns[i], "network") && spec->netns)
            jkstr(g, "path", spec->netns);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    jkstrv(g, "maskedPaths", masked);
    jkstrv(g, "readonlyPaths", ro);
    yajl_gen_map_close(g);
}

int bench_bundle_write(const struct bench *b, const char *dir, const char *id,
                       const struct bench_spec *spec, struct oci_err *err)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return err_set(err, errno, "mkdir %s", dir);
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    jkstr(g, "ociVersion", "1.0.2");
    gen_process(g, spec);
    jstr(g, "root");
    yajl_gen_map_open(g);
    jkstr(g, "path", b->rootfs);
    jkbool(g, "readonly", true);
    yajl_gen_map_close(g);
    jkstr(g, "hostname", "ocibench");
    gen_mounts(g, spec);
    gen_linux(g, b, id, spec);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    _cleanup_free_ char *path = NULL;
    xasprintf(&path, "%s/config.json", dir);
    int rc = write_file_atomic(AT_FDCWD, path, buf, len, 0600);
    yajl_gen_free(g);
    if (rc < 0)
        return err_set(err, errno, "write %s", path);
    return 0;
}
