/* The bundle of a container in direct mode: config.json for the shared,
 * read-only rootfs, the same for every runtime but the container's own
 * cgroup (under this run's parent) and what it runs. ociVersion 1.0.2, so
 * that every runtime in use accepts it. */
#include "config.h"
#include "bench/bench.h"
#include "bench/jgen.h"
#include "libcontainer/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void mount_entry(struct json_gen *j, const char *dst, const char *type, const char *src,
                        const char *const *options)
{
    json_gen_map_open(j);
    jkstr(j, "destination", dst);
    jkstr(j, "type", type);
    jkstr(j, "source", src);
    if (options)
        jkstrv(j, "options", options);
    json_gen_map_close(j);
}

static void gen_mounts(struct json_gen *j, const struct bench_spec *spec)
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
    json_gen_key(j, "mounts");
    json_gen_array_open(j);
    mount_entry(j, "/proc", "proc", "proc", NULL);
    mount_entry(j, "/dev", "tmpfs", "tmpfs", dev);
    mount_entry(j, "/dev/pts", "devpts", "devpts", pts);
    mount_entry(j, "/dev/shm", "tmpfs", "shm", shm);
    mount_entry(j, "/dev/mqueue", "mqueue", "mqueue", nne);
    mount_entry(j, "/sys", "sysfs", "sysfs", sys);
    mount_entry(j, "/sys/fs/cgroup", "cgroup", "cgroup", cg);
    mount_entry(j, "/tmp", "tmpfs", "tmpfs", tmp);
    if (spec->data)
        mount_entry(j, "/data", "bind", spec->data, data);
    json_gen_array_close(j);
}

static void gen_process(struct json_gen *j, const struct bench_spec *spec)
{
    static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
    static const char *const env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", NULL};
    json_gen_key(j, "process");
    json_gen_map_open(j);
    json_gen_kv_bool(j, "terminal", false);
    json_gen_key(j, "user");
    json_gen_map_open(j);
    json_gen_kv_int(j, "uid", 0);
    json_gen_kv_int(j, "gid", 0);
    json_gen_map_close(j);
    jkstrv(j, "args", spec->args);
    jkstrv(j, "env", env);
    jkstr(j, "cwd", spec->cwd ? spec->cwd : "/");
    json_gen_key(j, "capabilities");
    json_gen_map_open(j);
    jkstrv(j, "bounding", caps);
    jkstrv(j, "effective", caps);
    jkstrv(j, "permitted", caps);
    json_gen_map_close(j);
    json_gen_key(j, "rlimits");
    json_gen_array_open(j);
    json_gen_map_open(j);
    jkstr(j, "type", "RLIMIT_NOFILE");
    json_gen_kv_int(j, "hard", 1024);
    json_gen_kv_int(j, "soft", 1024);
    json_gen_map_close(j);
    json_gen_array_close(j);
    json_gen_kv_bool(j, "noNewPrivileges", true);
    json_gen_map_close(j);
}

static void gen_linux(struct json_gen *j, const struct bench *b, const char *id,
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
    json_gen_key(j, "linux");
    json_gen_map_open(j);
    jkstr(j, "cgroupsPath", cgpath);
    json_gen_key(j, "resources");
    json_gen_map_open(j);
    json_gen_key(j, "devices");
    json_gen_array_open(j);
    json_gen_map_open(j);
    json_gen_kv_bool(j, "allow", false);
    jkstr(j, "access", "rwm");
    json_gen_map_close(j);
    json_gen_array_close(j);
    json_gen_map_close(j);
    json_gen_key(j, "namespaces");
    json_gen_array_open(j);
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
        json_gen_map_open(j);
        jkstr(j, "type", ns[i]);
        if (!strcmp(ns[i], "network") && spec->netns)
            jkstr(j, "path", spec->netns);
        json_gen_map_close(j);
    }
    json_gen_array_close(j);
    jkstrv(j, "maskedPaths", masked);
    jkstrv(j, "readonlyPaths", ro);
    json_gen_map_close(j);
}

int bench_bundle_write(const struct bench *b, const char *dir, const char *id,
                       const struct bench_spec *spec, struct oci_err *err)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return err_set(err, errno, "mkdir %s", dir);
    struct json_gen jg, *j = &jg;
    json_gen_init(j, "    ", NULL, 0);
    json_gen_map_open(j);
    jkstr(j, "ociVersion", "1.0.2");
    gen_process(j, spec);
    json_gen_key(j, "root");
    json_gen_map_open(j);
    jkstr(j, "path", b->rootfs);
    json_gen_kv_bool(j, "readonly", true);
    json_gen_map_close(j);
    jkstr(j, "hostname", "ocibench");
    gen_mounts(j, spec);
    gen_linux(j, b, id, spec);
    json_gen_map_close(j);
    _cleanup_free_ char *path = NULL;
    xasprintf(&path, "%s/config.json", dir);
    return jsave(j, path, 0600, "write", err);
}
