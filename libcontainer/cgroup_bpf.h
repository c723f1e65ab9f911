/* The cgroup v2 device filter: linux.resources.devices as an eBPF
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup.
 *
 * Default deny. For each access bit asked (read, write, mknod) the last
 * rule of the config that matches the device and has that bit decides; a
 * request is allowed when every bit it asks is allowed. For one bit this
 * is "the last matching rule wins", as in runc's filter; for "rw" a later
 * "deny w" wins over an earlier "allow rwm", as on cgroup v1. */
#ifndef OCI_CGROUP_BPF_H
#define OCI_CGROUP_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "error.h"
#include "specs/spec_config.h"

/* The program for rules (malloc'd, *n instructions). */
struct bpf_insn *cgroup_bpf_devices_prog(const struct spec_device_cgroup *rules, size_t n_rules,
                                         size_t *n);
/* Load the program; the fd, or -1 with err (the verifier's log in it). */
int cgroup_bpf_load(const struct bpf_insn *insns, size_t n, struct oci_err *err);
/* Load and attach (BPF_F_ALLOW_MULTI) the filter for rules to the cgroup
 * directory cgroup_fd, then detach the programs that were there before. */
int cgroup_bpf_devices_apply(int cgroup_fd, const struct spec_device_cgroup *rules, size_t n_rules,
                             struct oci_err *err);
/* Load the filter for rules ahead, while the caller would wait anyway
 * (the verifier takes ~0.5 ms); the next cgroup_bpf_devices_apply of the
 * same program attaches it instead of loading its own. Errors are left to
 * that apply, which loads again and reports them. */
void cgroup_bpf_devices_preload(const struct spec_device_cgroup *rules, size_t n_rules);
/* The number of device programs attached to cgroup_fd, -1 with errno. */
int cgroup_bpf_devices_count(int cgroup_fd);

#endif
