/* spec: a default config.json, like `runc spec`. */
#include "config.h"
#include "cli.h"
#include "libcontainer/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cli_opt opts[] = {
    {"bundle", 'b', "DIR", "write DIR/config.json (default: the current directory)"},
    {"rootless", 0, NULL, "a config for a container run by an unprivileged user"},
    {NULL, 0, NULL, NULL},
};

static const char head[] =
    "{\n"
    "  \"ociVersion\": \"" SPEC_OCI_VERSION "\",\n"
    "  \"process\": {\n"
    "    \"terminal\": true,\n"
    "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
    "    \"args\": [ \"sh\" ],\n"
    "    \"env\": [\n"
    "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "      \"TERM=xterm\"\n"
    "    ],\n"
    "    \"cwd\": \"/\",\n"
    "    \"capabilities\": {\n"
    "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
    "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
    "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
    "    },\n"
    "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
    "    \"noNewPrivileges\": true\n"
    "  },\n"
    "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
    "  \"hostname\": \"oci-rt\",\n"
    "  \"mounts\": [\n"
    "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
    "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
    "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
    "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
    "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
    "\"mode=0620\"%s ] },\n"
    "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
    "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
    "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
    "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n";

static const char sys_root[] =
    "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
    "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
    "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
    "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
    "  ],\n";

static const char sys_rootless[] =
    "    { \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
    "      \"options\": [ \"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
    "  ],\n";

static const char linux_head[] =
    "  \"linux\": {\n"
    "%s"
    "    \"namespaces\": [\n"
    "      { \"type\": \"pid\" },\n"
    "%s"
    "      { \"type\": \"ipc\" },\n"
    "      { \"type\": \"uts\" },\n"
    "      { \"type\": \"mount\" },\n"
    "      { \"type\": \"cgroup\" }%s\n"
    "    ],\n"
    "    \"maskedPaths\": [\n"
    "      \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
    "      \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"
    "      \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"\n"
    "    ],\n"
    "    \"readonlyPaths\": [\n"
    "      \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n"
    "    ]\n"
    "  }\n"
    "}\n";

static int run(const struct cli_cmd *cmd, struct cli_args *a)
{
    bool rootless = cli_flag(cmd, a, "rootless");
    const char *bundle = cli_get(cmd, a, "bundle");
    char path[4096], maps[256] = "";
    snprintf(path, sizeof(path), "%s/config.json", bundle ? bundle : ".");
    if (rootless)
        snprintf(maps, sizeof(maps),
                 "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
                 "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n",
                 getuid(), getgid());
    char *doc = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&doc, &len);
    fprintf(f, head, rootless ? "" : ", \"gid=5\"");
    fputs(rootless ? sys_rootless : sys_root, f);
    fprintf(f, linux_head,
            rootless ? maps
                     : "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": "
                       "\"rwm\" } ] },\n",
            rootless ? "" : "      { \"type\": \"network\" },\n",
            rootless ? ",\n      { \"type\": \"user\" }" : "");
    fclose(f);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(doc);
        if (errno == EEXIST)
            return cli_failf("spec: %s exists already; remove it first", path);
        return cli_failf("spec: create %s: %s", path, strerror(errno));
    }
    int rc = write_all(fd, doc, len);
    close(fd);
    free(doc);
    return rc < 0 ? cli_failf("spec: write %s: %s", path, strerror(errno)) : 0;
}

const struct cli_cmd cmd_spec = {
    .name = "spec",
    .fn = run,
    .summary = "write a default config.json to start a bundle from",
    .usage = "[--bundle DIR] [--rootless]",
    .opts = opts,
    .min_args = 0,
    .max_args = 0,
};
