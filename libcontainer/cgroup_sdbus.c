/* libsystemd's sd-bus, loaded on first use (cgroup_sdbus.h). */
#include "config.h"
#include "dynload.h"
#include "cgroup_sdbus.h"
#include "util.h"

#include <dlfcn.h> /* RTLD_ flags */

struct cg_sd_lib cg_sd;

int cg_sd_load(struct oci_err *err)
{
    static void *h;
    if (h)
        return 0;
    if (oci_dl_need("the systemd cgroup driver", err) < 0)
        return -1;
    void *lib = oci_dl.open("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return err_set(err, 0, "systemd cgroup driver: load libsystemd: %s", oci_dl.error());
    struct {
        void **fn;
        const char *name;
    } syms[] = {
        {(void **)&cg_sd.open_system, "sd_bus_open_system"},
        {(void **)&cg_sd.bus_new, "sd_bus_new"},
        {(void **)&cg_sd.set_address, "sd_bus_set_address"},
        {(void **)&cg_sd.start, "sd_bus_start"},
        {(void **)&cg_sd.flush_close_unref, "sd_bus_flush_close_unref"},
        {(void **)&cg_sd.new_method_call, "sd_bus_message_new_method_call"},
        {(void **)&cg_sd.append, "sd_bus_message_append"},
        {(void **)&cg_sd.append_array, "sd_bus_message_append_array"},
        {(void **)&cg_sd.open_container, "sd_bus_message_open_container"},
        {(void **)&cg_sd.close_container, "sd_bus_message_close_container"},
        {(void **)&cg_sd.call, "sd_bus_call"},
        {(void **)&cg_sd.read, "sd_bus_message_read"},
        {(void **)&cg_sd.message_unref, "sd_bus_message_unref"},
        {(void **)&cg_sd.error_free, "sd_bus_error_free"},
        {(void **)&cg_sd.error_has_name, "sd_bus_error_has_name"},
        {(void **)&cg_sd.match_signal, "sd_bus_match_signal"},
        {(void **)&cg_sd.slot_unref, "sd_bus_slot_unref"},
        {(void **)&cg_sd.process, "sd_bus_process"},
        {(void **)&cg_sd.wait, "sd_bus_wait"},
        {(void **)&cg_sd.call_method, "sd_bus_call_method"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
        if (!(*syms[i].fn = oci_dl.sym(lib, syms[i].name))) {
            oci_dl.close(lib);
            return err_set(err, 0, "systemd cgroup driver: libsystemd has no %s", syms[i].name);
        }
    }
    h = lib;
    return 0;
}

bool cgroup_systemd_available(void)
{
    struct oci_err err = {0};
    bool ok = cg_sd_load(&err) == 0;
    err_clear(&err);
    return ok;
}
