/* Unit tests for the config.json parser (specs/): every field of good
 * documents, the fixtures in $srcdir/tests/unit/data/ (runc's and Docker's
 * configs, the spec's full example, one with every field) and the examples
 * of config.md and config-linux.md. Bad documents and the parser's
 * behaviour: check_specs_parser.c. */
#include "specs/spec_config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "specs_fixtures.h"
#include "unit_run.h"

/* ---- good documents: fixtures ---- */

START_TEST(test_runc_spec)
{
    struct spec_config *c = load("runc-spec.json");
    struct spec_process *p = c->process;

    ck_assert_str_eq(c->oci_version, "1.0.2-dev");
    ck_assert_str_eq(c->root_path, "rootfs");
    ck_assert(c->root_readonly);
    ck_assert_str_eq(c->hostname, "runc");
    ck_assert_ptr_null(c->domainname);
    ck_assert_ptr_nonnull(p);
    ck_assert(p->terminal);
    ck_assert(!p->has_console_size);
    ck_assert_uint_eq(p->user.uid, 0);
    ck_assert_uint_eq(p->user.gid, 0);
    ck_assert(!p->user.has_umask);
    assert_strv(&p->args, 1, "sh");
    assert_strv(&p->env, 2, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm");
    ck_assert_str_eq(p->cwd, "/");
    ck_assert(p->has_capabilities);
    ck_assert(p->capabilities.has_bounding && !p->capabilities.has_inheritable);
    assert_strv(&p->capabilities.ambient, 3, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
    ck_assert_uint_eq(p->n_rlimits, 1);
    ck_assert_str_eq(p->rlimits[0].type, "RLIMIT_NOFILE");
    ck_assert_uint_eq(p->rlimits[0].soft, 1024);
    ck_assert_uint_eq(p->rlimits[0].hard, 1024);
    ck_assert(p->no_new_privileges);
    ck_assert(!p->has_oom_score_adj);
    ck_assert_uint_eq(c->n_mounts, 7);
    ck_assert_str_eq(c->mounts[2].destination, "/dev/pts");
    ck_assert_str_eq(c->mounts[2].type, "devpts");
    assert_strv(&c->mounts[2].options, 6, "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                "mode=0620", "gid=5");
    ck_assert_str_eq(c->mounts[0].source, "proc");
    ck_assert_uint_eq(c->mounts[0].options.n, 0);
    ck_assert_uint_eq(c->linux_->resources->n_devices, 1);
    ck_assert(!c->linux_->resources->devices[0].allow);
    ck_assert_ptr_null(c->linux_->resources->devices[0].type);
    ck_assert(!c->linux_->resources->devices[0].has_major);
    ck_assert_str_eq(c->linux_->resources->devices[0].access, "rwm");
    ck_assert_uint_eq(c->linux_->n_namespaces, 5);
    ck_assert_int_eq(c->linux_->namespaces[1].type, SPEC_NS_NETWORK);
    ck_assert_ptr_null(c->linux_->namespaces[1].path);
    ck_assert_ptr_nonnull(spec_config_namespace(c, SPEC_NS_MOUNT));
    ck_assert_ptr_null(spec_config_namespace(c, SPEC_NS_USER));
    ck_assert(c->linux_->has_masked_paths);
    ck_assert_uint_eq(c->linux_->masked_paths.n, 10);
    ck_assert_str_eq(c->linux_->masked_paths.items[9], "/proc/scsi");
    assert_strv(&c->linux_->readonly_paths, 5, "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger");
    ck_assert_ptr_null(c->linux_->seccomp);
    ck_assert_uint_eq(c->hooks.n[SPEC_HOOK_PRESTART], 0);
    ck_assert_uint_eq(c->annotations.n, 0);
    spec_config_free(c);
}
END_TEST

START_TEST(test_runc_spec_rootless)
{
    struct spec_config *c = load("runc-spec-rootless.json");
    struct spec_linux *l = c->linux_;

    ck_assert_ptr_null(l->resources);
    ck_assert_uint_eq(l->uid_mappings.n, 1);
    ck_assert_uint_eq(l->gid_mappings.n, 1);
    ck_assert_uint_eq(l->uid_mappings.items[0].size, 1);
    ck_assert_ptr_nonnull(spec_config_namespace(c, SPEC_NS_USER));
    ck_assert_ptr_null(spec_config_namespace(c, SPEC_NS_NETWORK));
    ck_assert_str_eq(c->mounts[5].source, "/sys");
    ck_assert_str_eq(c->mounts[5].options.items[0], "rbind");
    spec_config_free(c);
}
END_TEST

static void check_full_config_linux(const struct spec_linux *l)
{
    const struct spec_resources *r = l->resources;

    ck_assert_uint_eq(l->n_devices, 2);
    ck_assert_str_eq(l->devices[0].path, "/dev/fuse");
    ck_assert_str_eq(l->devices[0].type, "c");
    ck_assert_int_eq(l->devices[0].major, 10);
    ck_assert_int_eq(l->devices[0].minor, 229);
    ck_assert(l->devices[0].has_file_mode);
    ck_assert_uint_eq(l->devices[0].file_mode, 438);
    ck_assert(l->devices[1].has_uid && l->devices[1].has_gid);
    ck_assert_uint_eq(l->uid_mappings.items[0].host_id, 1000);
    ck_assert_uint_eq(l->gid_mappings.items[0].size, 32000);
    ck_assert_str_eq(spec_map_get(&l->sysctl, "net.core.somaxconn"), "256");
    ck_assert_str_eq(l->cgroups_path, "/myRuntime/myContainer");
    ck_assert(r->network->has_class_id);
    ck_assert_uint_eq(r->network->class_id, 1048577);
    ck_assert_str_eq(r->network->priorities[1].name, "eth1");
    ck_assert_uint_eq(r->network->priorities[1].priority, 1000);
    ck_assert(r->has_pids_limit);
    ck_assert_int_eq(r->pids_limit, 32771);
    ck_assert_uint_eq(r->n_hugepage_limits, 2);
    ck_assert_uint_eq(r->hugepage_limits[0].limit, 9223372036854772000ULL);
    ck_assert_str_eq(r->hugepage_limits[1].page_size, "64KB");
    ck_assert_int_eq(r->memory->kernel, -1);
    ck_assert(r->memory->has_swappiness);
    ck_assert_uint_eq(r->memory->swappiness, 0);
    ck_assert(r->memory->has_disable_oom_killer && !r->memory->disable_oom_killer);
    ck_assert(!r->memory->has_use_hierarchy);
    ck_assert_uint_eq(r->cpu->shares, 1024);
    ck_assert_int_eq(r->cpu->idle, 1);
    ck_assert_str_eq(r->cpu->mems, "0-7");
    ck_assert(!r->cpu->has_burst);
    ck_assert_uint_eq(r->n_devices, 3);
    ck_assert(r->devices[2].has_major && r->devices[2].major == 8);
    ck_assert_uint_eq(r->block_io->n_weight_device, 2);
    ck_assert(!r->block_io->weight_device[1].has_leaf_weight);
    ck_assert_uint_eq(r->block_io->weight_device[0].leaf_weight, 300);
    ck_assert_uint_eq(r->block_io->n_throttle_read_bps, 1);
    ck_assert_uint_eq(r->block_io->throttle_read_bps[0].rate, 600);
    ck_assert_uint_eq(r->block_io->n_throttle_write_bps, 0);
    ck_assert_uint_eq(r->block_io->throttle_write_iops[0].minor, 16);
    ck_assert_str_eq(l->rootfs_propagation, "slave");
    ck_assert_str_eq(l->seccomp->default_action, "SCMP_ACT_ALLOW");
    assert_strv(&l->seccomp->architectures, 2, "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    assert_strv(&l->seccomp->syscalls[0].names, 2, "getcwd", "chmod");
    ck_assert_str_eq(l->seccomp->syscalls[0].action, "SCMP_ACT_ERRNO");
    ck_assert(l->time_monotonic.present && l->time_monotonic.secs == 172800);
    ck_assert(l->time_boottime.present && l->time_boottime.secs == 604800);
    ck_assert_uint_eq(l->n_namespaces, 8);
    ck_assert_int_eq(l->namespaces[7].type, SPEC_NS_TIME);
    ck_assert_str_eq(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
}

START_TEST(test_spec_full_config)
{
    struct spec_config *c = load("spec-full-config.json");
    const struct spec_process *p = c->process;

    ck_assert_str_eq(c->oci_version, "1.0.1");
    ck_assert_str_eq(c->hostname, "slartibartfast");
    ck_assert_uint_eq(p->user.uid, 1);
    ck_assert_uint_eq(p->user.n_additional_gids, 2);
    ck_assert_uint_eq(p->user.additional_gids[1], 6);
    assert_strv(&p->capabilities.effective, 2, "CAP_AUDIT_WRITE", "CAP_KILL");
    ck_assert_uint_eq(p->n_rlimits, 2);
    ck_assert_str_eq(p->rlimits[0].type, "RLIMIT_CORE");
    ck_assert_str_eq(p->apparmor_profile, "acme_secure_profile");
    ck_assert(p->has_oom_score_adj);
    ck_assert_int_eq(p->oom_score_adj, 100);
    ck_assert_str_eq(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
    ck_assert_str_eq(p->io_priority->class_, "IOPRIO_CLASS_IDLE");
    ck_assert_int_eq(p->io_priority->priority, 4);
    ck_assert_uint_eq(c->n_mounts, 7);
    ck_assert_str_eq(c->mounts[6].destination, "/sys/fs/cgroup");
    ck_assert_uint_eq(c->hooks.n[SPEC_HOOK_PRESTART], 2);
    ck_assert_str_eq(c->hooks.items[SPEC_HOOK_PRESTART][0].path, "/usr/bin/fix-mounts");
    assert_strv(&c->hooks.items[SPEC_HOOK_PRESTART][0].args, 3, "fix-mounts", "arg1", "arg2");
    assert_strv(&c->hooks.items[SPEC_HOOK_PRESTART][0].env, 1, "key1=value1");
    ck_assert(!c->hooks.items[SPEC_HOOK_PRESTART][1].has_timeout);
    ck_assert(c->hooks.items[SPEC_HOOK_POSTSTART][0].has_timeout);
    ck_assert_int_eq(c->hooks.items[SPEC_HOOK_POSTSTART][0].timeout, 5);
    ck_assert_uint_eq(c->hooks.n[SPEC_HOOK_CREATE_RUNTIME], 0);
    ck_assert_uint_eq(c->hooks.n[SPEC_HOOK_POSTSTOP], 1);
    ck_assert_uint_eq(c->annotations.n, 2);
    ck_assert_str_eq(c->annotations.items[1].key, "com.example.key2");
    check_full_config_linux(c->linux_);
    spec_config_free(c);
}
END_TEST

START_TEST(test_docker_like)
{
    struct spec_config *c = load("docker-like.json");
    struct spec_process *p = c->process;
    struct spec_linux *l = c->linux_;

    ck_assert_str_eq(c->oci_version, "1.2.0");
    ck_assert_uint_eq(p->user.uid, 1000);
    assert_strv(&p->args, 4, "/docker-entrypoint.sh", "nginx", "-g", "daemon off;");
    ck_assert_uint_eq(p->capabilities.bounding.n, 14);
    ck_assert(!p->capabilities.has_ambient);
    ck_assert_uint_eq(p->rlimits[1].hard, UINT64_MAX);
    ck_assert_str_eq(p->apparmor_profile, "docker-default");
    ck_assert(p->has_oom_score_adj && p->oom_score_adj == 0);
    ck_assert_uint_eq(c->n_mounts, 11);
    ck_assert_str_eq(c->mounts[10].source, "/srv/www");
    assert_strv(&c->mounts[10].options, 3, "rbind", "ro", "rprivate");
    ck_assert_uint_eq(c->hooks.n[SPEC_HOOK_CREATE_RUNTIME], 1);
    ck_assert_str_eq(c->hooks.items[SPEC_HOOK_PRESTART][0].args.items[0], "libnetwork-setkey");
    ck_assert_str_eq(spec_map_get(&l->sysctl, "net.ipv4.ping_group_range"), "0 2147483647");
    ck_assert_uint_eq(l->resources->n_devices, 9);
    ck_assert(l->resources->devices[8].has_major && !l->resources->devices[8].has_minor);
    ck_assert_int_eq(l->resources->memory->swap, 1073741824);
    ck_assert(!l->resources->memory->has_kernel);
    ck_assert_int_eq(l->resources->cpu->quota, 150000);
    ck_assert_int_eq(l->resources->pids_limit, -1);
    ck_assert(l->resources->block_io->has_weight && !l->resources->block_io->has_leaf_weight);
    ck_assert_uint_eq(l->resources->block_io->weight, 500);
    ck_assert_str_eq(l->cgroups_path, "system.slice:docker:3f2e1d0c9b8a");
    ck_assert_str_eq(spec_config_namespace(c, SPEC_NS_NETWORK)->path,
                     "/var/run/docker/netns/6d5c4b3a2f1e");
    ck_assert_ptr_null(spec_config_namespace(c, SPEC_NS_USER));
    ck_assert(l->seccomp->has_default_errno_ret && l->seccomp->default_errno_ret == 1);
    ck_assert_uint_eq(l->seccomp->n_syscalls, 6);
    ck_assert_uint_eq(l->seccomp->syscalls[3].args[0].value, 4294967295ULL);
    ck_assert_str_eq(l->seccomp->syscalls[4].args[0].op, "SCMP_CMP_MASKED_EQ");
    ck_assert_uint_eq(l->seccomp->syscalls[4].args[0].value_two, 0);
    ck_assert(l->seccomp->syscalls[5].has_errno_ret && l->seccomp->syscalls[5].errno_ret == 38);
    ck_assert(!l->seccomp->syscalls[0].has_errno_ret);
    ck_assert_uint_eq(l->masked_paths.n, 11);
    ck_assert_str_eq(spec_map_get(&c->annotations, "org.opencontainers.image.stopSignal"),
                     "SIGQUIT");
    spec_config_free(c);
}
END_TEST

static void check_everything_process(const struct spec_process *p)
{
    ck_assert(p->terminal && p->has_console_size);
    ck_assert_uint_eq(p->console_height, 25);
    ck_assert_uint_eq(p->console_width, UINT64_MAX);
    ck_assert_str_eq(p->cwd, "/work");
    assert_strv(&p->env, 2, "A=1", "B=");
    assert_strv(&p->args, 3, "/bin/app", "--flag", "");
    ck_assert_str_eq(p->command_line, "app.exe --flag");
    ck_assert_uint_eq(p->rlimits[1].hard, UINT64_MAX);
    ck_assert(p->capabilities.has_effective && p->capabilities.effective.n == 0);
    ck_assert(!p->capabilities.has_inheritable);
    assert_strv(&p->capabilities.permitted, 2, "CAP_KILL", "CAP_CHOWN");
    ck_assert(p->no_new_privileges);
    ck_assert_int_eq(p->oom_score_adj, -1000);
    ck_assert_str_eq(p->scheduler->policy, "SCHED_DEADLINE");
    ck_assert_int_eq(p->scheduler->nice, -20);
    ck_assert_int_eq(p->scheduler->priority, INT32_MAX);
    assert_strv(&p->scheduler->flags, 2, "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_UTIL_CLAMP_MAX");
    ck_assert_uint_eq(p->scheduler->runtime, 10000000);
    ck_assert_uint_eq(p->scheduler->deadline, 20000000);
    ck_assert_uint_eq(p->scheduler->period, UINT64_MAX);
    ck_assert_str_eq(p->io_priority->class_, "IOPRIO_CLASS_BE");
    ck_assert_str_eq(p->exec_cpu_affinity->initial, "7");
    ck_assert_str_eq(p->exec_cpu_affinity->final, "0-3, 7");
    ck_assert_uint_eq(p->user.uid, UINT32_MAX);
    ck_assert(p->user.has_umask && p->user.umask == 18);
    ck_assert_uint_eq(p->user.n_additional_gids, 0);
    ck_assert_str_eq(p->user.username, "nobody");
}

static void check_everything_resources(const struct spec_resources *r)
{
    ck_assert(!r->devices[0].allow && !r->devices[0].type && !r->devices[0].access);
    ck_assert_str_eq(r->devices[1].type, "a");
    ck_assert_str_eq(r->devices[1].access, "");
    ck_assert(r->devices[3].has_major && !r->devices[3].has_minor);
    ck_assert_int_eq(r->memory->limit, INT64_MAX);
    ck_assert_int_eq(r->memory->reservation, -1);
    ck_assert(r->memory->has_swap && r->memory->swap == 0);
    ck_assert_int_eq(r->memory->kernel_tcp, 1);
    ck_assert_uint_eq(r->memory->swappiness, 100);
    ck_assert(r->memory->disable_oom_killer && r->memory->has_use_hierarchy);
    ck_assert(!r->memory->use_hierarchy && r->memory->check_before_update);
    ck_assert_uint_eq(r->cpu->shares, 2);
    ck_assert_int_eq(r->cpu->quota, -1);
    ck_assert(r->cpu->has_burst && r->cpu->burst == 5000);
    ck_assert_int_eq(r->cpu->realtime_runtime, 950000);
    ck_assert_uint_eq(r->cpu->realtime_period, 1000000);
    ck_assert_str_eq(r->cpu->cpus, "0-3");
    ck_assert(r->has_pids_limit && r->pids_limit == 0);
    ck_assert_uint_eq(r->block_io->weight, 65535);
    ck_assert_uint_eq(r->block_io->weight_device[1].leaf_weight, 20);
    ck_assert(!r->block_io->weight_device[1].has_weight);
    ck_assert_uint_eq(r->block_io->throttle_write_bps[1].rate, UINT64_MAX);
    ck_assert_uint_eq(r->block_io->throttle_read_iops[0].rate, 602);
    ck_assert_int_eq(r->block_io->throttle_write_iops[0].minor, 4);
    ck_assert_str_eq(r->hugepage_limits[1].page_size, "1GB");
    ck_assert_uint_eq(r->network->priorities[1].priority, UINT32_MAX);
    ck_assert_uint_eq(r->n_rdma, 2);
    ck_assert_str_eq(r->rdma[0].device, "mlx5_1");
    ck_assert_uint_eq(r->rdma[0].hca_handles, 3);
    ck_assert(!r->rdma[1].has_hca_handles && r->rdma[1].hca_objects == 1000);
    ck_assert_uint_eq(r->unified.n, 3);
    ck_assert_str_eq(r->unified.items[0].key, "io.max");
    ck_assert_str_eq(r->unified.items[0].value,
                     "259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120");
}

static void check_everything_linux(const struct spec_linux *l)
{
    ck_assert_int_eq(l->namespaces[0].type, SPEC_NS_TIME);
    ck_assert_str_eq(l->namespaces[3].path, "/proc/1/ns/ipc");
    ck_assert_uint_eq(l->uid_mappings.items[1].host_id, 100000);
    ck_assert_int_eq(l->time_boottime.secs, INT64_MIN);
    ck_assert_uint_eq(l->time_boottime.nanosecs, UINT32_MAX);
    ck_assert(l->time_monotonic.present && l->time_monotonic.nanosecs == 0);
    ck_assert_int_eq(l->devices[2].major, -1);
    ck_assert_int_eq(l->devices[2].minor, INT64_MAX);
    ck_assert(!l->devices[1].has_file_mode && !l->devices[1].has_uid);
    ck_assert_uint_eq(l->devices[0].gid, 5);
    ck_assert_str_eq(l->devices[3].type, "p");
    ck_assert_uint_eq(l->n_net_devices, 2);
    ck_assert_str_eq(l->net_devices[0].host_name, "eth1");
    ck_assert_str_eq(l->net_devices[0].name, "ctr_eth1");
    ck_assert_ptr_null(l->net_devices[1].name);
    ck_assert_str_eq(l->intel_rdt->clos_id, "guaranteed_group");
    ck_assert_uint_eq(l->intel_rdt->schemata.n, 2);
    ck_assert_str_eq(l->intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f");
    ck_assert_str_eq(l->intel_rdt->mem_bw_schema, "MB:0=20;1=70");
    ck_assert(l->intel_rdt->enable_monitoring);
    ck_assert_str_eq(l->sysctl.items[1].key, "kernel.shm_rmid_forced");
    ck_assert_str_eq(l->seccomp->default_action, "SCMP_ACT_KILL_PROCESS");
    ck_assert_uint_eq(l->seccomp->default_errno_ret, 38);
    assert_strv(&l->seccomp->flags, 2, "SECCOMP_FILTER_FLAG_TSYNC",
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    ck_assert_str_eq(l->seccomp->listener_path, "/run/seccomp-agent.sock");
    ck_assert_str_eq(l->seccomp->listener_metadata, "meta=1");
    ck_assert_uint_eq(l->seccomp->syscalls[2].n_args, 2);
    ck_assert_uint_eq(l->seccomp->syscalls[2].args[1].index, 5);
    ck_assert_uint_eq(l->seccomp->syscalls[2].args[1].value, UINT64_MAX);
    ck_assert_uint_eq(l->seccomp->syscalls[2].args[1].value_two, 7);
    ck_assert_str_eq(l->rootfs_propagation, "rslave");
    ck_assert(l->has_masked_paths && l->masked_paths.n == 0);
    ck_assert(l->has_readonly_paths);
    ck_assert_str_eq(l->mount_label, "system_u:object_r:container_file_t:s0");
    ck_assert_str_eq(l->personality->domain, "LINUX32");
    ck_assert_uint_eq(l->personality->flags.n, 0);
    ck_assert_str_eq(l->memory_policy->mode, "MPOL_BIND");
    ck_assert_str_eq(l->memory_policy->nodes, "0-1,3");
    assert_strv(&l->memory_policy->flags, 2, "MPOL_F_STATIC_NODES", "MPOL_F_NUMA_BALANCING");
}

START_TEST(test_everything)
{
    struct spec_config *c = load("everything.json");

    ck_assert_str_eq(c->root_path, "/bundles/all/rootfs");
    ck_assert(c->root_readonly);
    ck_assert_str_eq(c->domainname, "example.test");
    ck_assert_uint_eq(c->mounts[0].uid_mappings.items[0].host_id, 100000);
    ck_assert_uint_eq(c->mounts[0].gid_mappings.n, 2);
    ck_assert_uint_eq(c->mounts[0].gid_mappings.items[1].host_id, UINT32_MAX);
    ck_assert_str_eq(c->mounts[1].destination, "relative/deprecated");
    ck_assert_ptr_null(c->mounts[1].source);
    for (int k = 0; k < SPEC_HOOK_KINDS; k++)
        ck_assert_uint_ge(c->hooks.n[k], 1);
    ck_assert_int_eq(c->hooks.items[SPEC_HOOK_CREATE_CONTAINER][1].timeout, INT32_MAX);
    ck_assert_int_eq(c->hooks.items[SPEC_HOOK_CREATE_RUNTIME][0].timeout, 1);
    ck_assert_str_eq(c->hooks.items[SPEC_HOOK_START_CONTAINER][0].path, "/hooks/start-container");
    ck_assert_uint_eq(c->annotations.n, 3);
    ck_assert_str_eq(c->annotations.items[0].key, "z.last"); /* document order */
    ck_assert_str_eq(c->annotations.items[1].value, "");
    ck_assert_str_eq(spec_map_get(&c->annotations, "m.middle"),
                     "with \"quotes\" and \\ and \xc3\xa9");
    check_everything_process(c->process);
    check_everything_linux(c->linux_);
    check_everything_resources(c->linux_->resources);
    spec_config_free(c);
}
END_TEST

/* ---- good documents: the examples of config.md and config-linux.md ---- */

/* Load a fixture, check one expression over c (and l = c->linux_, r = its
 * resources when present), free it. */
#define FIXTURE_CHECK(name, expr)                                                                  \
    do {                                                                                           \
        struct spec_config *c = load(name);                                                        \
        const struct spec_linux *l = c->linux_;                                                    \
        const struct spec_resources *r = l ? l->resources : NULL;                                  \
        (void)r;                                                                                   \
        ck_assert_msg(expr, "%s: %s", name, #expr);                                                \
        spec_config_free(c);                                                                       \
    } while (0)
#define STREQ(a, b) (strcmp((a), (b)) == 0)

START_TEST(test_spec_examples_config)
{
    FIXTURE_CHECK("spec-root.json", c->root_readonly && !c->process && !l);
    FIXTURE_CHECK("spec-root-windows.json",
                  STREQ(c->root_path, "\\\\?\\Volume{ec84d99e-3f02-11e7-ac6c-00155d7682cf}\\"));
    FIXTURE_CHECK("spec-mounts.json", c->n_mounts == 2 &&
                                          STREQ(c->mounts[1].source, "/volumes/testing") &&
                                          STREQ(c->mounts[0].options.items[3], "size=65536k"));
    FIXTURE_CHECK("spec-mounts-windows.json",
                  STREQ(c->mounts[0].destination, "C:\\folder-inside-container") &&
                      STREQ(c->mounts[0].options.items[0], "ro"));
    FIXTURE_CHECK("spec-mounts-solaris.json",
                  STREQ(c->mounts[0].type, "lofs") && c->mounts[1].options.n == 0);
    FIXTURE_CHECK("spec-process-linux.json",
                  c->process->has_console_size && c->process->console_width == 80 &&
                      c->process->user.umask == 63 && STREQ(c->process->cwd, "/root") &&
                      STREQ(c->process->exec_cpu_affinity->final, "0-3,7") &&
                      STREQ(c->process->capabilities.ambient.items[0], "CAP_NET_BIND_SERVICE"));
    FIXTURE_CHECK("spec-process-solaris.json", c->process->user.additional_gids[1] == 8);
    FIXTURE_CHECK("spec-hostname.json", STREQ(c->hostname, "mrsdalloway"));
    FIXTURE_CHECK("spec-domainname.json", STREQ(c->domainname, "foobarbaz.test"));
    FIXTURE_CHECK("spec-platform-linux.json",
                  l->n_namespaces == 1 && l->namespaces[0].type == SPEC_NS_PID);
    FIXTURE_CHECK(
        "spec-hooks.json",
        c->hooks.n[SPEC_HOOK_CREATE_RUNTIME] == 2 &&
            STREQ(c->hooks.items[SPEC_HOOK_CREATE_CONTAINER][0].args.items[0], "-mount") &&
            STREQ(c->hooks.items[SPEC_HOOK_START_CONTAINER][0].path, "/usr/bin/refresh-ldcache") &&
            c->hooks.items[SPEC_HOOK_POSTSTOP][0].args.n == 2);
    FIXTURE_CHECK("spec-annotations.json",
                  STREQ(spec_map_get(&c->annotations, "com.example.gpu-cores"), "2"));
}
END_TEST

START_TEST(test_spec_examples_linux)
{
    FIXTURE_CHECK("spec-linux-namespaces.json",
                  STREQ(spec_config_namespace(c, SPEC_NS_PID)->path, "/proc/1234/ns/pid") &&
                      !spec_config_namespace(c, SPEC_NS_CGROUP)->path);
    FIXTURE_CHECK("spec-linux-idmappings.json", l->gid_mappings.items[0].size == 32000);
    FIXTURE_CHECK("spec-linux-devices.json",
                  STREQ(l->devices[1].path, "/dev/sda") && l->devices[1].file_mode == 432);
    FIXTURE_CHECK("spec-linux-netdevices.json",
                  STREQ(l->net_devices[0].host_name, "eth0") &&
                      STREQ(l->net_devices[0].name, "container_eth0"));
    FIXTURE_CHECK("spec-linux-cgroups.json", r->memory->reservation == 200000 && r->n_devices == 1);
    FIXTURE_CHECK("spec-linux-sysctl.json", STREQ(l->sysctl.items[0].key, "net.ipv4.ip_forward"));
    FIXTURE_CHECK("spec-linux-seccomp.json", l->seccomp->n_syscalls == 1);
    FIXTURE_CHECK("spec-linux-rootfs-propagation.json", STREQ(l->rootfs_propagation, "slave"));
    FIXTURE_CHECK("spec-linux-masked-paths.json",
                  l->masked_paths.n == 1 && STREQ(l->masked_paths.items[0], "/proc/kcore"));
    FIXTURE_CHECK("spec-linux-readonly-paths.json",
                  l->readonly_paths.n == 1 && STREQ(l->readonly_paths.items[0], "/proc/sys"));
    FIXTURE_CHECK("spec-linux-mount-label.json",
                  STREQ(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"));
    FIXTURE_CHECK("spec-linux-intelrdt.json",
                  l->intel_rdt->schemata.n == 3 &&
                      STREQ(l->intel_rdt->schemata.items[2], "MB:0=20;1=70"));
    FIXTURE_CHECK("spec-linux-memorypolicy.json",
                  STREQ(l->memory_policy->mode, "MPOL_INTERLEAVE") &&
                      STREQ(l->memory_policy->nodes, "2-3") &&
                      STREQ(l->memory_policy->flags.items[0], "MPOL_F_STATIC_NODES"));
}
END_TEST

START_TEST(test_spec_examples_resources)
{
    FIXTURE_CHECK("spec-linux-resources-devices.json",
                  r->devices[1].allow && r->devices[1].minor == 229);
    FIXTURE_CHECK("spec-linux-resources-memory.json", r->memory->kernel_tcp == -1);
    FIXTURE_CHECK("spec-linux-resources-cpu.json",
                  r->cpu->has_burst && r->cpu->burst == 1000000 && r->cpu->idle == 0);
    FIXTURE_CHECK("spec-linux-resources-blockio.json", r->block_io->leaf_weight == 10);
    FIXTURE_CHECK("spec-linux-resources-hugepages.json", r->hugepage_limits[0].limit == 209715200);
    FIXTURE_CHECK("spec-linux-resources-network.json", r->network->n_priorities == 2);
    FIXTURE_CHECK("spec-linux-resources-pids.json", r->pids_limit == 32771);
    FIXTURE_CHECK("spec-linux-resources-rdma.json",
                  r->n_rdma == 3 && STREQ(r->rdma[2].device, "rxe3") &&
                      !r->rdma[2].has_hca_handles && r->rdma[2].has_hca_objects);
    FIXTURE_CHECK("spec-linux-resources-unified.json",
                  STREQ(spec_map_get(&r->unified, "hugetlb.1GB.max"), "1073741824"));
}
END_TEST

static Suite *specs_fields_suite(void)
{
    Suite *s = suite_create("specs fields");
    TCase *good = tcase_create("good");

    tcase_add_test(good, test_runc_spec);
    tcase_add_test(good, test_runc_spec_rootless);
    tcase_add_test(good, test_spec_full_config);
    tcase_add_test(good, test_docker_like);
    tcase_add_test(good, test_everything);
    tcase_add_test(good, test_spec_examples_config);
    tcase_add_test(good, test_spec_examples_linux);
    tcase_add_test(good, test_spec_examples_resources);
    suite_add_tcase(s, good);
    return s;
}

int main(void)
{
    return unit_run(specs_fields_suite());
}
