/* libsystemd's sd-bus for the systemd cgroup driver, loaded with dlopen the
 * first time the driver talks to systemd: a runtime using the cgroupfs
 * driver never pays for loading it and the half dozen libraries it needs. */
#ifndef OCI_CGROUP_SDBUS_H
#define OCI_CGROUP_SDBUS_H

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "error.h"

/* The sd-bus functions the driver calls, resolved from libsystemd.so.0. */
struct cg_sd_lib {
    int (*open_system)(sd_bus **);
    int (*bus_new)(sd_bus **);
    int (*set_address)(sd_bus *, const char *);
    int (*start)(sd_bus *);
    sd_bus *(*flush_close_unref)(sd_bus *);
    int (*new_method_call)(sd_bus *, sd_bus_message **, const char *, const char *, const char *,
                           const char *);
    int (*append)(sd_bus_message *, const char *, ...);
    int (*append_array)(sd_bus_message *, char, const void *, size_t);
    int (*open_container)(sd_bus_message *, char, const char *);
    int (*close_container)(sd_bus_message *);
    int (*call)(sd_bus *, sd_bus_message *, uint64_t, sd_bus_error *, sd_bus_message **);
    int (*read)(sd_bus_message *, const char *, ...);
    sd_bus_message *(*message_unref)(sd_bus_message *);
    void (*error_free)(sd_bus_error *);
    int (*error_has_name)(const sd_bus_error *, const char *);
    int (*match_signal)(sd_bus *, sd_bus_slot **, const char *, const char *, const char *,
                        const char *, sd_bus_message_handler_t, void *);
    sd_bus_slot *(*slot_unref)(sd_bus_slot *);
    int (*process)(sd_bus *, sd_bus_message **);
    int (*wait)(sd_bus *, uint64_t);
    int (*call_method)(sd_bus *, const char *, const char *, const char *, const char *,
                       sd_bus_error *, sd_bus_message **, const char *, ...);
};

extern struct cg_sd_lib cg_sd;

/* Load libsystemd (once). */
int cg_sd_load(struct oci_err *err);
/* Can this runtime drive systemd (libsystemd loads)? */
bool cgroup_systemd_available(void);

#endif
