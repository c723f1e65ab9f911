/* linux.resources as systemd unit properties, as runc converts them: what
 * systemd has a property for is given to it, so that a daemon-reload or a
 * `systemctl set-property` of another unit never puts the scope back to
 * systemd's defaults. Everything is also written to the cgroup files by the
 * backends (cgroup_apply), which covers what systemd has no property for. */
#include "config.h"
#include "cgroup_need.h"
#include "cgroup_sdbus.h"
#include "cgroup_systemd_props.h"
#include "cgroup_v2_res.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SD_INFINITY UINT64_MAX

/* "0-3,8" -> systemd's CPU/NUMA set: a little-endian bit mask of bytes. */
static int cpuset_mask(const char *list, uint8_t **mask, size_t *len)
{
    *mask = NULL;
    *len = 0;
    for (const char *p = list; *p;) {
        while (*p == ',' || *p == ' ' || *p == '\n')
            p++;
        if (!*p)
            break;
        char *end;
        errno = 0;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p || errno)
            return -1;
        if (*end == '-') {
            p = end + 1;
            hi = strtoul(p, &end, 10);
            if (end == p || errno || hi < lo)
                return -1;
        }
        if (hi >= 8192)
            return -1;
        if (hi / 8 + 1 > *len) {
            *mask = xrealloc(*mask, hi / 8 + 1);
            memset(*mask + *len, 0, hi / 8 + 1 - *len);
            *len = hi / 8 + 1;
        }
        for (unsigned long i = lo; i <= hi; i++)
            (*mask)[i / 8] |= (uint8_t)(1u << (i % 8));
        p = end;
        if (*p && *p != ',' && *p != '\n' && *p != ' ')
            return -1;
    }
    return 0;
}

static int append_u64(sd_bus_message *m, const char *name, uint64_t v)
{
    return cg_sd.append(m, "(sv)", name, "t", v);
}

static int append_mask(sd_bus_message *m, const char *name, const char *list, struct oci_err *err)
{
    _cleanup_free_ uint8_t *mask = NULL;
    size_t len;
    if (cpuset_mask(list, &mask, &len) < 0)
        return err_set(err, 0, "linux.resources.cpu: \"%s\": not a CPU or node list", list);
    int r = cg_sd.open_container(m, 'r', "sv");
    if (r >= 0)
        r = cg_sd.append(m, "s", name);
    if (r >= 0)
        r = cg_sd.open_container(m, 'v', "ay");
    if (r >= 0)
        r = cg_sd.append_array(m, 'y', mask, len);
    if (r >= 0)
        r = cg_sd.close_container(m);
    if (r >= 0)
        r = cg_sd.close_container(m);
    return r < 0 ? err_set(err, -r, "systemd: property %s", name) : 0;
}

static int memory_props(sd_bus_message *m, const struct spec_memory *mem, bool v2,
                        struct oci_err *err)
{
    int r = 0;
    if (mem->has_limit && mem->limit != 0)
        r = append_u64(m, v2 ? "MemoryMax" : "MemoryLimit",
                       mem->limit < 0 ? SD_INFINITY : (uint64_t)mem->limit);
    if (r >= 0 && v2 && mem->has_reservation && mem->reservation > 0)
        r = append_u64(m, "MemoryLow", (uint64_t)mem->reservation);
    if (r >= 0 && v2 && mem->has_swap && mem->swap != 0) {
        int64_t swap;
        if (cg2_swap_max(mem->swap, mem->has_limit ? mem->limit : 0, &swap, err) < 0)
            return -1;
        if (swap != 0)
            r = append_u64(m, "MemorySwapMax", swap < 0 ? SD_INFINITY : (uint64_t)swap);
    }
    return r < 0 ? err_set(err, -r, "systemd: memory properties") : 0;
}

static int cpu_props(sd_bus_message *m, const struct spec_cpu *cpu, bool v2, struct oci_err *err)
{
    int r = 0;
    if (cpu->has_shares && cpu->shares)
        r = append_u64(m, v2 ? "CPUWeight" : "CPUShares",
                       v2 ? cg2_cpu_weight(cpu->shares) : cpu->shares);
    uint64_t period = cpu->has_period && cpu->period ? cpu->period : 100000;
    if (r >= 0 && cpu->has_period && cpu->period)
        r = append_u64(m, "CPUQuotaPeriodUSec", cpu->period);
    if (r >= 0 && cpu->has_quota && cpu->quota != 0) {
        uint64_t per_sec = SD_INFINITY;
        if (cpu->quota > 0) {
            /* systemd keeps it in 10 ms steps per second: round up so that
             * the quota is never lower than asked */
            per_sec = (uint64_t)cpu->quota * 1000000 / period;
            if (per_sec % 10000)
                per_sec = (per_sec / 10000 + 1) * 10000;
        }
        r = append_u64(m, "CPUQuotaPerSecUSec", per_sec);
    }
    if (r < 0)
        return err_set(err, -r, "systemd: CPU properties");
    if (v2 && cpu->cpus && *cpu->cpus && append_mask(m, "AllowedCPUs", cpu->cpus, err) < 0)
        return -1;
    if (v2 && cpu->mems && *cpu->mems && append_mask(m, "AllowedMemoryNodes", cpu->mems, err) < 0)
        return -1;
    return 0;
}

/* The char or block device class (/proc/devices) of a major, for a rule
 * on every minor of it: "char-pts". NULL when the kernel has none. */
static char *device_class(char type, int64_t major)
{
    _cleanup_free_ char *data = NULL;
    if (read_file_at(AT_FDCWD, "/proc/devices", &data, NULL, 1 << 16) < 0)
        return NULL;
    bool in = false;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "Character", 9) || !strncmp(line, "Block", 5)) {
            in = (type == 'c') == (line[0] == 'C');
            continue;
        }
        long maj;
        char name[128];
        if (in && sscanf(line, " %ld %127s", &maj, name) == 2 && maj == major) {
            char *out;
            xasprintf(&out, "%s-%s", type == 'c' ? "char" : "block", name);
            return out;
        }
    }
    return NULL;
}

/* One allow rule as DeviceAllow entries (a type "a" rule is both kinds). */
static int device_allow(sd_bus_message *m, const struct spec_device_cgroup *d)
{
    const char *types = !d->type || !strcmp(d->type, "a") ? "cb" : d->type;
    const char *access = d->access && *d->access ? d->access : "rwm";
    int r = 0;
    for (const char *t = types; r >= 0 && *t; t++) {
        _cleanup_free_ char *node = NULL;
        if (!d->has_major)
            xasprintf(&node, "%s-*", *t == 'c' ? "char" : "block");
        else if (!d->has_minor)
            node = device_class(*t, d->major);
        else
            xasprintf(&node, "/dev/%s/%" PRId64 ":%" PRId64, *t == 'c' ? "char" : "block", d->major,
                      d->minor);
        if (!node) {
            log_debug("systemd: no device class for %c %" PRId64 ":*: left to the cgroup's own "
                      "filter",
                      *t, d->major);
            continue;
        }
        r = cg_sd.append(m, "(ss)", node, access);
    }
    return r;
}

/* The device rules as DevicePolicy/DeviceAllow. systemd's filter and
 * oci-rt's own one both apply, so systemd's must never be stricter: a
 * rule list that ends up allowing everything is "auto" (no filter), else
 * "strict" with every allow rule; the deny rules are left to oci-rt's
 * filter. */
static int device_props(sd_bus_message *m, const struct spec_resources *res, struct oci_err *err)
{
    size_t n;
    _cleanup_free_ struct spec_device_cgroup *devs = cg_devices_with_defaults(res, &n);
    bool all = false;
    for (size_t i = 0; i < n; i++) {
        const struct spec_device_cgroup *d = &devs[i];
        const char *a = d->access && *d->access ? d->access : "rwm";
        bool every = (!d->type || !strcmp(d->type, "a")) && !d->has_major && !d->has_minor &&
                     strchr(a, 'r') && strchr(a, 'w') && strchr(a, 'm');
        if (every)
            all = d->allow;
    }
    int r = cg_sd.append(m, "(sv)", "DevicePolicy", "s", all ? "auto" : "strict");
    if (r >= 0)
        r = cg_sd.open_container(m, 'r', "sv");
    if (r >= 0)
        r = cg_sd.append(m, "s", "DeviceAllow");
    if (r >= 0)
        r = cg_sd.open_container(m, 'v', "a(ss)");
    if (r >= 0)
        r = cg_sd.open_container(m, 'a', "(ss)");
    for (size_t i = 0; r >= 0 && !all && i < n; i++)
        if (devs[i].allow)
            r = device_allow(m, &devs[i]);
    for (int k = 0; r >= 0 && k < 3; k++)
        r = cg_sd.close_container(m);
    return r < 0 ? err_set(err, -r, "systemd: device properties") : 0;
}

/* linux.resources.unified: the files systemd manages itself as unit
 * properties, so that a reload does not put them back to its defaults. */
static int unified_props(sd_bus_message *m, const struct spec_map *u, struct oci_err *err)
{
    static const struct {
        const char *file, *prop;
    } map[] = {
        {"memory.min", "MemoryMin"},          {"memory.low", "MemoryLow"},
        {"memory.high", "MemoryHigh"},        {"memory.max", "MemoryMax"},
        {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
        {"cpu.weight", "CPUWeight"},          {"io.weight", "IOWeight"},
    };
    for (size_t i = 0; i < u->n; i++) {
        const char *v = u->items[i].value;
        for (size_t j = 0; j < ARRAY_SIZE(map); j++) {
            if (strcmp(u->items[i].key, map[j].file) != 0)
                continue;
            uint64_t n = SD_INFINITY;
            if (!strcmp(map[j].file, "io.weight") && !strncmp(v, "default ", 8))
                v += 8;
            if (strcmp(v, "max") != 0 && parse_u64(v, &n) < 0)
                break; /* left to the file, where the kernel judges it */
            int r = append_u64(m, map[j].prop, n);
            if (r < 0)
                return err_set(err, -r, "systemd: property %s", map[j].prop);
        }
    }
    return 0;
}

int cg_sd_append_resources(sd_bus_message *m, const struct spec_resources *res, bool v2,
                           bool create, struct oci_err *err)
{
    int r = 0;
    if (create) {
        static const char *const v2_acct[] = {"MemoryAccounting", "CPUAccounting", "IOAccounting",
                                              "TasksAccounting"};
        static const char *const v1_acct[] = {"MemoryAccounting", "CPUAccounting",
                                              "BlockIOAccounting", "TasksAccounting"};
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(v2_acct); i++)
            r = cg_sd.append(m, "(sv)", v2 ? v2_acct[i] : v1_acct[i], "b", 1);
    }
    if (r < 0)
        return err_set(err, -r, "systemd: accounting properties");
    /* at create the device rules come with the defaults even when the
     * config has none; an update touches them only when it has some */
    if ((create || (res && res->n_devices)) && device_props(m, res, err) < 0)
        return -1;
    if (!res)
        return 0;
    if (res->memory && memory_props(m, res->memory, v2, err) < 0)
        return -1;
    if (res->cpu && cpu_props(m, res->cpu, v2, err) < 0)
        return -1;
    if (res->has_pids_limit && res->pids_limit != 0)
        r = append_u64(m, "TasksMax",
                       res->pids_limit < 0 ? SD_INFINITY : (uint64_t)res->pids_limit);
    if (r >= 0 && v2 && res->unified.n && unified_props(m, &res->unified, err) < 0)
        return -1;
    if (r >= 0 && res->block_io && res->block_io->has_weight && res->block_io->weight)
        r = append_u64(m, v2 ? "IOWeight" : "BlockIOWeight",
                       v2 ? cg2_io_weight(res->block_io->weight) : res->block_io->weight);
    return r < 0 ? err_set(err, -r, "systemd: resource properties") : 0;
}
