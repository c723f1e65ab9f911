#!/usr/bin/env bats
# Process and linux attributes: scheduler, I/O priority, personality, time
# offsets, memory policy, LSM labels on a host without LSMs, linux.devices,
# capability sets that cannot be had.

load helpers

run_ok() {
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        echo "output: $output" >&2
        return 1
    fi
}

# expect_create_fails REGEX...: create fails with one matching line, leaves nothing.
expect_create_fails() {
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "$@"
    assert_clean "$ID"
}

# ------------------------------------------------------------------ scheduler

@test "scheduler: SCHED_BATCH with nice 5" {
    make_bundle '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
    run_ok
    assert_kv sched.policy SCHED_BATCH
    assert_kv sched.nice 5
    assert_kv sched.reset_on_fork 0
    assert_clean "$ID"
}

@test "scheduler: SCHED_IDLE" {
    make_bundle '.process.scheduler = {"policy": "SCHED_IDLE"}'
    run_ok
    assert_kv sched.policy SCHED_IDLE
    assert_clean "$ID"
}

@test "scheduler: SCHED_FIFO priority 10 as root, with realtime runtime for its cgroup" {
    # a realtime task needs realtime runtime in its cgroup where the kernel
    # has group realtime scheduling (cpu.rt_runtime_us); without it the
    # error names the setting
    if [ -e "$CGROUP_FS/cpu/cpu.rt_runtime_us" ]; then
        make_bundle '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
        expect_create_fails "process.scheduler" "realtimeRuntime"
        make_bundle '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}
            | .linux.resources.cpu = {"realtimePeriod": 1000000, "realtimeRuntime": 10000}'
    else
        make_bundle '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
    fi
    run_ok
    assert_kv sched.policy SCHED_FIFO
    assert_kv sched.priority 10
    assert_clean "$ID"
}

@test "scheduler: SCHED_FLAG_RESET_ON_FORK is set; a forked child gets nice 0 back" {
    make_bundle '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
    run_ok
    assert_kv sched.policy SCHED_OTHER
    assert_kv sched.nice -5
    assert_kv sched.reset_on_fork 1
    assert_clean "$ID"
    # "; true": sh forks for ocitest instead of exec'ing it
    make_bundle '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}
        | .process.args = ["/bin/sh", "-c", "/usr/bin/ocitest report; true"]'
    run_ok
    assert_kv sched.nice 0
    assert_kv sched.reset_on_fork 0
    assert_clean "$ID"
    # without the flag the child keeps it
    make_bundle '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5}
        | .process.args = ["/bin/sh", "-c", "/usr/bin/ocitest report; true"]'
    run_ok
    assert_kv sched.nice -5
    assert_clean "$ID"
}

@test "scheduler: an unknown policy and a bad priority fail clearly" {
    make_bundle '.process.scheduler = {"policy": "SCHED_BOGUS"}'
    expect_create_fails "process\.scheduler" "SCHED_BOGUS"
    make_bundle '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 0}'
    expect_create_fails "process\.scheduler"
}

# ------------------------------------------------------------------ ioPriority

@test "ioPriority: IOPRIO_CLASS_IDLE 4, IOPRIO_CLASS_BE 2, IOPRIO_CLASS_RT 1" {
    make_bundle '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 4}'
    run_ok
    assert_kv ioprio.class idle
    assert_kv ioprio.level 4
    assert_clean "$ID"
    make_bundle '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 2}'
    run_ok
    assert_kv ioprio.class be
    assert_kv ioprio.level 2
    assert_clean "$ID"
    make_bundle '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 1}'
    run_ok
    assert_kv ioprio.class rt
    assert_kv ioprio.level 1
    assert_clean "$ID"
}

@test "ioPriority: a priority out of 0..7 and an unknown class fail clearly" {
    make_bundle '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 9}'
    expect_create_fails "ioPriority"
    make_bundle '.process.ioPriority = {"class": "IOPRIO_CLASS_NOPE", "priority": 1}'
    expect_create_fails "ioPriority" "IOPRIO_CLASS_NOPE"
}

# ------------------------------------------------------------------ personality

@test "personality: LINUX32 -> 0x8, ADDR_NO_RANDOMIZE -> 0x40000, both -> 0x40008" {
    make_bundle '.linux.personality = {"domain": "LINUX32"}'
    run_ok
    assert_kv personality 0x8
    assert_clean "$ID"
    make_bundle '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
    run_ok
    assert_kv personality 0x40000
    assert_clean "$ID"
    make_bundle '.linux.personality = {"domain": "LINUX32", "flags": ["ADDR_NO_RANDOMIZE"]}
        | .process.args = ["/bin/sh", "-c", "echo machine=$(uname -m); /usr/bin/ocitest report"]'
    run_ok
    assert_kv personality 0x40008
    # LINUX32 makes uname report a 32-bit machine
    [[ "$(kv machine)" =~ ^(i686|i386|armv[78]l|armv8l)$ ]] || [ "$(uname -m)" != x86_64 ]
    assert_clean "$ID"
}

@test "personality: an unknown domain or flag fails clearly" {
    make_bundle '.linux.personality = {"domain": "LINUX99"}'
    expect_create_fails "personality" "LINUX99"
    make_bundle '.linux.personality = {"domain": "LINUX", "flags": ["BOGUS"]}'
    expect_create_fails "personality" "BOGUS"
}

# ------------------------------------------------------------------ time

@test "timeOffsets: monotonic and boottime offsets in a new time namespace" {
    [ -e /proc/self/ns/time ] || skip "this kernel has no time namespaces"
    make_bundle '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"monotonic": {"secs": 3600, "nanosecs": 0}, "boottime": {"secs": -1, "nanosecs": 7}}
        | .process.args = ["/bin/sh", "-c", "/usr/bin/ocitest report; echo up=$(cut -d. -f1 /proc/uptime)"]'
    run_ok
    assert_kv timens_offsets "monotonic 3600 0;boottime -1 7"
    [ "$(kv ns.time)" != "$(stat -L -c %i /proc/self/ns/time)" ]
    # /proc/uptime is the boottime clock: about one second behind the host's
    host_up=$(cut -d. -f1 /proc/uptime)
    [ "$(kv up)" -le "$host_up" ]
    [ "$(kv up)" -ge $((host_up - 5)) ]
    assert_clean "$ID"

    make_bundle '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"boottime": {"secs": 864000}}
        | .process.args = ["/bin/sh", "-c", "echo up=$(cut -d. -f1 /proc/uptime)"]'
    run_ok
    [ "$(kv up)" -ge $(($(cut -d. -f1 /proc/uptime) + 864000 - 5)) ]
    assert_clean "$ID"
}

@test "timeOffsets without a new time namespace fail clearly" {
    make_bundle '.linux.timeOffsets = {"monotonic": {"secs": 10}}'
    expect_create_fails "timeOffsets" "time namespace"
}

# ------------------------------------------------------------------ memory policy

@test "memoryPolicy: MPOL_BIND, MPOL_INTERLEAVE, MPOL_PREFERRED on node 0 (numa_maps shows it)" {
    [ -e /proc/self/numa_maps ] || skip "no NUMA support in this kernel"
    for m in MPOL_BIND:bind:0 MPOL_INTERLEAVE:interleave:0 MPOL_PREFERRED:prefer:0; do
        make_bundle '.linux.memoryPolicy = {"mode": $m, "nodes": "0"}
            | .process.args = ["/bin/sh", "-c", "head -n1 /proc/self/numa_maps"]' --arg m "${m%%:*}"
        run_ok
        [ "$(awk '{ print $2 }' <<<"$output")" = "${m#*:}" ] || { echo "$m: $output" >&2; false; }
        assert_clean "$ID"
    done
    make_bundle '.process.args = ["/bin/sh", "-c", "head -n1 /proc/self/numa_maps"]'
    run_ok
    [ "$(awk '{ print $2 }' <<<"$output")" = default ]
    assert_clean "$ID"
}

@test "memoryPolicy: nodes \"99\", a bad node list and an unknown mode fail clearly" {
    make_bundle '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "99"}'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "memoryPolicy"
    assert_clean "$ID"
    make_bundle '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-x"}'
    expect_create_fails "memoryPolicy\.nodes" "0-x"
    make_bundle '.linux.memoryPolicy = {"mode": "MPOL_NOPE", "nodes": "0"}'
    expect_create_fails "memoryPolicy\.mode" "MPOL_NOPE"
}

@test "an error raised in the container's init always reaches the caller (20 failing creates)" {
    make_bundle '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "99"}'
    lost=0
    for i in $(seq 20); do
        oci_detached create --bundle "$BUNDLE" "$ID"
        [ "$status" -ne 0 ]
        if ! grep -q memoryPolicy <<<"$stderr"; then
            lost=$((lost + 1))
            echo "run $i: $stderr" >&2
        fi
        oci delete --force "$ID" >/dev/null 2>&1 || true
    done
    [ "$lost" -eq 0 ]
    assert_clean "$ID"
}

# ------------------------------------------------------------------ LSMs

lsm_enabled() {
    case $1 in
    apparmor) [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ;;
    selinux) [ -e /sys/fs/selinux/enforce ] ;;
    esac
}

@test "process.apparmorProfile without AppArmor fails clearly, leaving nothing" {
    ! lsm_enabled apparmor || skip "AppArmor is enabled on this host"
    make_bundle '.process.apparmorProfile = "oci-rt-test-profile"'
    expect_create_fails "apparmorProfile" "AppArmor is not enabled on this host"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "apparmorProfile" "not enabled on this host"
    assert_clean "$ID"
}

@test "process.selinuxLabel and linux.mountLabel without SELinux fail clearly, leaving nothing" {
    ! lsm_enabled selinux || skip "SELinux is enabled on this host"
    make_bundle '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
    expect_create_fails "selinuxLabel" "SELinux is not enabled on this host"
    make_bundle '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
    expect_create_fails "mountLabel" "SELinux is not enabled on this host"
}

# ------------------------------------------------------------------ devices

@test "linux.devices: a char device /dev/mynull 1:3 mode 0600 uid/gid 1000, a fifo, a block device" {
    make_bundle '.linux.devices = [
            {"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 1000, "gid": 1000},
            {"path": "/dev/myfifo", "type": "p", "fileMode": 416},
            {"path": "/dev/myloop", "type": "b", "major": 7, "minor": 200, "fileMode": 432, "uid": 0, "gid": 6}]
        | .process.args = ["/bin/sh", "-c",
            "ocitest stat /dev/mynull | sed s/^/null./; ocitest stat /dev/myfifo | sed s/^/fifo./; ocitest stat /dev/myloop | sed s/^/loop./"]'
    run_ok
    assert_kv null.type chr
    assert_kv null.rdev 1:3
    assert_kv null.mode 0600
    assert_kv null.uid 1000
    assert_kv null.gid 1000
    assert_kv fifo.type fifo
    assert_kv fifo.mode 0640
    assert_kv loop.type blk
    assert_kv loop.rdev 7:200
    assert_kv loop.mode 0660
    assert_kv loop.gid 6
    # made in the container's /dev (a tmpfs), not in the image
    [ ! -e "$ROOTFS/dev/mynull" ]
    assert_clean "$ID"
}

@test "linux.devices: the device cgroup decides access (denied by default, allowed by a rule)" {
    # /dev/fuse (10:229): not one of the default allowed devices, harmless to open
    dev='{"path": "/dev/myfuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}'
    make_bundle '.linux.devices = [$dev] | .process.args = ["/usr/bin/ocitest", "open", "/dev/myfuse", "rw"]' --argjson dev "$dev"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == open=EPERM* ]]
    assert_clean "$ID"
    make_bundle '.linux.devices = [$dev]
        | .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]
        | .process.args = ["/usr/bin/ocitest", "open", "/dev/myfuse", "rw"]' --argjson dev "$dev"
    run_ok
    [ "$output" = open=ok ]
    assert_clean "$ID"
}

@test "linux.devices: a path with a trailing slash is the node's path (as runc cleans it); a path with no name is refused" {
    make_bundle '.linux.devices = [{"path": "/dev/slashed/", "type": "c", "major": 1, "minor": 5,
            "fileMode": 416, "uid": 1001, "gid": 1002}]
        | .process.args = ["/usr/bin/ocitest", "stat", "/dev/slashed"]'
    run_ok
    assert_kv type chr
    assert_kv rdev 1:5
    assert_kv mode 0640
    assert_kv uid 1001
    assert_kv gid 1002
    assert_clean "$ID"
    make_bundle '.linux.devices = [{"path": "/dev/..", "type": "c", "major": 1, "minor": 5}]'
    expect_create_fails 'linux\.devices /dev/\.\.: not the path of a device node'
}

@test "linux.devices: an unknown type fails clearly" {
    make_bundle '.linux.devices = [{"path": "/dev/x", "type": "z", "major": 1, "minor": 3}]'
    expect_create_fails "linux\.devices\[0\]" "type"
}

# ------------------------------------------------------------------ capabilities

@test "capabilities: an inheritable cap outside the bounding set is dropped with a warning naming it" {
    # the runtime-spec: capabilities that cannot be granted are a warning
    make_bundle '.process.capabilities.inheritable = ["CAP_KILL", "CAP_SYS_CHROOT"]'
    run_ok
    [[ "$stderr" == *"inheritable: CAP_SYS_CHROOT is not in bounding"* ]] || {
        echo "no warning: $stderr" >&2
        false
    }
    assert_kv caps.inh "$(capmask 5)"
    assert_clean "$ID"
}

@test "capabilities: inheritable without ambient for root: exactly the configured inheritable set, no ambient" {
    make_bundle '.process.capabilities.inheritable = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]'
    run_ok
    assert_kv caps.inh "$(capmask 5 10)"
    assert_kv caps.amb "$(capmask)"
    assert_kv caps.eff "$(capmask 29 5 10)"
    assert_clean "$ID"
}
