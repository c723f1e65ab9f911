#!/usr/bin/env bats
# The systemd cgroup driver on systemd's hybrid layout (v1 controllers, the
# name=systemd hierarchy on cgroup2 at /sys/fs/cgroup/unified): the scope
# gets the v1 properties (MemoryLimit, CPUShares, TasksMax), systemd's v1
# controllers hold it, oci-rt makes the same path in the other hierarchies.
# Runs in `tests/vm/systemd-guest.sh --cgroup hybrid`; skips elsewhere.

# shellcheck disable=SC2154  # status, output: set by bats' run
load ../../integration/helpers

setup_file() {
    ensure_rootfs
}

# (in setup: a skip in setup_file is reported as a failure by this bats)
eval "_helpers_setup() $(declare -f setup | tail -n +2)"
setup() {
    [ -d /run/systemd/system ] || skip "not a systemd host (tests/vm/systemd-guest.sh --cgroup hybrid)"
    if [ "$(stat -fc %T /sys/fs/cgroup)" != tmpfs ] || [ ! -d /sys/fs/cgroup/memory ]; then
        skip "needs systemd's hybrid cgroup layout (tests/vm/systemd-guest.sh --cgroup hybrid)"
    fi
    _helpers_setup
}

eval "_helpers_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
    _helpers_teardown
    systemctl stop "oci-rt-${ID:-none}.scope" >/dev/null 2>&1 || true
}

@test "systemd (v1): the scope in every v1 hierarchy, the v1 properties and files, delete removes it" {
    make_bundle '.process.args = ["sleep", "1000"]
      | .linux.resources = {memory: {limit: 67108864}, cpu: {shares: 512}, pids: {limit: 40}}'
    oci_detached --systemd-cgroup -- run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    pid=$(container_pid)
    unit=oci-rt-$ID.scope
    for c in memory cpu,cpuacct pids freezer; do
        grep -q ":$c:/system.slice/$unit\$" "/proc/$pid/cgroup" || { cat "/proc/$pid/cgroup" >&2; false; }
    done
    [ "$(systemctl show -P MemoryLimit "$unit")" = 67108864 ]
    [ "$(systemctl show -P CPUShares "$unit")" = 512 ]
    [ "$(systemctl show -P TasksMax "$unit")" = 40 ]
    [ "$(cat "/sys/fs/cgroup/memory/system.slice/$unit/memory.limit_in_bytes")" = 67108864 ]
    [ "$(cat "/sys/fs/cgroup/cpu,cpuacct/system.slice/$unit/cpu.shares")" = 512 ]
    oci --systemd-cgroup pause "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = paused ]
    oci --systemd-cgroup resume "$ID"
    oci --systemd-cgroup update --memory 134217728 "$ID"
    [ "$(systemctl show -P MemoryLimit "$unit")" = 134217728 ]
    oci --systemd-cgroup delete --force "$ID"
    [ -z "$(systemctl list-units --all --plain --no-legend "$unit")" ]
    [ ! -d "/sys/fs/cgroup/memory/system.slice/$unit" ]
    [ ! -d "/sys/fs/cgroup/freezer/system.slice/$unit" ]
}
