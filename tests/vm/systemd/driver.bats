#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup, --cgroup-manager systemd), on
# a systemd host: the systemd test guest (tests/vm/systemd-guest.sh).
# Every container is a transient scope; the tests ask systemd (systemctl)
# and the kernel (/proc/PID/cgroup, the cgroup files) what it made.

# shellcheck disable=SC2154  # status, output, stderr: set by bats' run
load ../../integration/helpers

# Why this file cannot run here (empty: it can). A skip in setup_file is
# reported as a failure by Debian's bats 1.8, so setup_file only records it
# and every test skips in setup.
cannot_run() {
    [ -d /run/systemd/system ] || { echo "not a systemd host (run it in tests/vm/systemd-guest.sh)"; return; }
    [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || { echo "cgroup v2 only host needed"; return; }
}

setup_file() {
    SKIP_REASON=$(cannot_run)
    export SKIP_REASON
    [ -z "$SKIP_REASON" ] || return 0
    ensure_rootfs
}

eval "_helpers_setup() $(declare -f setup | tail -n +2)"
setup() {
    [ -z "${SKIP_REASON:-}" ] || skip "$SKIP_REASON"
    _helpers_setup
}

# the helpers' teardown, then the scopes a failed test may have left
eval "_helpers_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
    local u
    _helpers_teardown
    for u in $(systemctl list-units --all --plain --no-legend "*${ID:-none}*" 2>/dev/null | awk '{ print $1 }'); do
        systemctl stop "$u" >/dev/null 2>&1 || true
    done
    systemctl reset-failed >/dev/null 2>&1 || true
}

sd() { "$OCI_RT" --root "$ROOT" --systemd-cgroup "$@"; }

# sleeping container, started detached
sd_start() {
    local id=$1
    shift
    oci_detached --systemd-cgroup -- run -d --bundle "$BUNDLE" "$@" "$id"
    [ "$status" -eq 0 ] || {
        echo "run $id: $stderr" >&2
        return 1
    }
}

prop() { systemctl show -P "$2" "$1"; }

cg_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

@test "systemd: default path: oci-rt-ID.scope in system.slice, Delegate=yes, the init in it" {
    make_bundle '.process.args = ["sleep", "1000"]'
    sd_start "$ID"
    pid=$(container_pid)
    unit=oci-rt-$ID.scope
    [ "$(cg_of "$pid")" = "/system.slice/$unit" ]
    [ "$(prop "$unit" ActiveState)" = active ]
    [ "$(prop "$unit" Delegate)" = yes ]
    [ "$(prop "$unit" Slice)" = system.slice ]
    [ "$(prop "$unit" MainPID)" = 0 ] || [ -n "$(prop "$unit" ControlGroup)" ]
    [ "$(prop "$unit" ControlGroup)" = "/system.slice/$unit" ]
    sd delete --force "$ID"
    run systemctl list-units --all --plain --no-legend "$unit"
    [ -z "$output" ]
    [ ! -d "/sys/fs/cgroup/system.slice/$unit" ]
}

@test "systemd: slice:prefix:name: the scope in a nested slice that systemd made with its parents" {
    make_bundle '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = "i13a-b-c.slice:i13p:" + $id'
    sd_start "$ID"
    pid=$(container_pid)
    [ "$(cg_of "$pid")" = "/i13a.slice/i13a-b.slice/i13a-b-c.slice/i13p-$ID.scope" ]
    [ "$(prop i13a-b-c.slice ActiveState)" = active ]
    [ "$(prop i13a-b.slice ActiveState)" = active ]
    [ "$(prop "i13p-$ID.scope" Slice)" = i13a-b-c.slice ]
    sd delete --force "$ID"
    [ -z "$(systemctl list-units --all --plain --no-legend "i13p-$ID.scope")" ]
    systemctl stop i13a.slice
}

@test "systemd: a path that is not slice:prefix:name is one clear error and leaves nothing" {
    make_bundle '.linux.cgroupsPath = "/not/systemd"'
    run --separate-stderr sd run --bundle "$BUNDLE" "$ID"
    assert_error_line 'cgroupsPath' 'slice:prefix:name'
    make_bundle '.linux.cgroupsPath = "bad--x.slice:p:n"'
    run --separate-stderr sd run --bundle "$BUNDLE" "$ID"
    assert_error_line 'not a valid slice name'
    [ -z "$(ls "$ROOT" 2>/dev/null)" ]
}

@test "systemd: resources become unit properties and cgroup files; a daemon-reload keeps them" {
    make_bundle '.process.args = ["sleep", "1000"]
      | .linux.resources = {memory: {limit: 67108864, reservation: 33554432},
                            cpu: {shares: 2048, quota: 50000, period: 100000, cpus: "0"},
                            pids: {limit: 99}, blockIO: {weight: 500},
                            unified: {"memory.high": "60000000"}}'
    sd_start "$ID"
    unit=oci-rt-$ID.scope
    dir=/sys/fs/cgroup/system.slice/$unit
    [ "$(prop "$unit" MemoryMax)" = 67108864 ]
    [ "$(prop "$unit" MemoryLow)" = 33554432 ]
    [ "$(prop "$unit" CPUWeight)" = "$(((1 + ((2048 - 2) * 9999) / 262142)))" ]
    [ "$(prop "$unit" CPUQuotaPerSecUSec)" = 500ms ]
    [ "$(prop "$unit" TasksMax)" = 99 ]
    [ "$(prop "$unit" AllowedCPUs)" = 0 ]
    [ "$(prop "$unit" IOWeight)" != "[not set]" ]
    [ "$(cat "$dir/memory.max")" = 67108864 ]
    [ "$(cat "$dir/pids.max")" = 99 ]
    [ "$(cat "$dir/cpu.max")" = "50000 100000" ]
    [ "$(prop "$unit" MemoryHigh)" = 60000000 ]
    high=$(cat "$dir/memory.high")
    [ "$high" -le 60000000 ]
    [ "$high" -gt 59000000 ]
    systemctl daemon-reload
    [ "$(cat "$dir/memory.max")" = 67108864 ]
    [ "$(cat "$dir/pids.max")" = 99 ]
    [ "$(cat "$dir/memory.high")" = "$high" ]
}

@test "systemd: device rules become DevicePolicy=strict and DeviceAllow" {
    make_bundle '.process.args = ["sleep", "1000"]'
    sd_start "$ID"
    unit=oci-rt-$ID.scope
    [ "$(prop "$unit" DevicePolicy)" = strict ]
    allow=$(prop "$unit" DeviceAllow)
    [[ "$allow" == *"/dev/char/1:3 rwm"* ]]
    [[ "$allow" == *"char-pts rwm"* ]]
    run sd exec "$ID" sh -c 'echo x >/dev/null && echo ok'
    [ "$output" = ok ]
}

@test "systemd: exec, ps, kill --all, pause and resume work in the scope" {
    make_bundle '.process.args = ["sleep", "1000"]'
    sd_start "$ID"
    pid=$(container_pid)
    run sd exec "$ID" cat /proc/self/cgroup
    echo "exec: $status $output" >&2
    [ "$status" -eq 0 ]
    [ "$output" = "0::/" ] # the container's cgroup namespace
    [ "$(grep -c . "/sys/fs/cgroup/system.slice/oci-rt-$ID.scope/cgroup.procs")" -ge 1 ]
    run sd ps "$ID"
    [[ "$output" == *sleep* ]]
    sd pause "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = paused ]
    [ "$(cat "/sys/fs/cgroup/system.slice/oci-rt-$ID.scope/cgroup.freeze")" = 1 ]
    sd resume "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = running ]
    sd kill --all "$ID" KILL
    wait_for_status "$ID" stopped 10
    sd delete "$ID"
    [ -z "$(systemctl list-units --all --plain --no-legend "oci-rt-$ID.scope")" ]
}

@test "systemd: update sets the unit's properties and the files" {
    make_bundle '.process.args = ["sleep", "1000"] | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
    sd_start "$ID"
    unit=oci-rt-$ID.scope
    sd update --memory 134217728 --pids-limit 77 --cpu-quota 20000 --cpu-period 100000 "$ID"
    [ "$(prop "$unit" MemoryMax)" = 134217728 ]
    [ "$(prop "$unit" TasksMax)" = 77 ]
    [ "$(prop "$unit" CPUQuotaPerSecUSec)" = 200ms ]
    [ "$(cat "/sys/fs/cgroup/system.slice/$unit/memory.max")" = 134217728 ]
    [ "$(cat "/sys/fs/cgroup/system.slice/$unit/pids.max")" = 77 ]
    systemctl daemon-reload
    [ "$(cat "/sys/fs/cgroup/system.slice/$unit/memory.max")" = 134217728 ]
}

@test "systemd: events --stats reads the scope's cgroup" {
    make_bundle '.process.args = ["sleep", "1000"] | .linux.resources = {memory: {limit: 67108864}}'
    sd_start "$ID"
    run sd events --stats "$ID"
    [ "$status" -eq 0 ]
    [ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
    [ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
}

@test "systemd: a create that fails after the scope started leaves no unit, cgroup or state" {
    make_bundle '.process.args = ["/no/such/binary"]'
    run --separate-stderr sd run --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    [ -z "$(systemctl list-units --all --plain --no-legend "oci-rt-$ID.scope")" ]
    [ ! -d "/sys/fs/cgroup/system.slice/oci-rt-$ID.scope" ]
    [ -z "$(ls "$ROOT" 2>/dev/null)" ]
}

@test "systemd: run.oci.systemd.subgroup puts the container in a sub-cgroup of the scope" {
    make_bundle '.process.args = ["sleep", "1000"] | .annotations["run.oci.systemd.subgroup"] = "inner"
      | .linux.resources = {memory: {limit: 67108864}}'
    sd_start "$ID"
    pid=$(container_pid)
    unit=oci-rt-$ID.scope
    [ "$(cg_of "$pid")" = "/system.slice/$unit/inner" ]
    [ "$(cat "/sys/fs/cgroup/system.slice/$unit/inner/memory.max")" = 67108864 ]
    [ "$(prop "$unit" MemoryMax)" = 67108864 ]
    sd delete --force "$ID"
    [ ! -d "/sys/fs/cgroup/system.slice/$unit" ]
}

@test "systemd: run.oci.delegate-cgroup: the processes in a cgroup the container owns, its cgroup namespace above it" {
    make_bundle '.process.args = ["sleep", "1000"]
      | .annotations["run.oci.systemd.subgroup"] = "container"
      | .annotations["run.oci.delegate-cgroup"] = "payload"
      | .linux.namespaces |= (map(select(.type != "cgroup")) + [{type: "cgroup"}])
      | .linux.resources = {pids: {limit: 40}}'
    sd_start "$ID"
    pid=$(container_pid)
    unit=oci-rt-$ID.scope
    [ "$(cg_of "$pid")" = "/system.slice/$unit/container/payload" ]
    [ "$(cat "/sys/fs/cgroup/system.slice/$unit/container/pids.max")" = 40 ]
    [ "$(cat "/sys/fs/cgroup/system.slice/$unit/container/payload/pids.max")" = max ]
    run sd exec "$ID" cat /proc/self/cgroup
    [ "$output" = "0::/payload" ]
    run sd ps "$ID"
    [[ "$output" == *sleep* ]]
    sd delete --force "$ID"
    [ -z "$(systemctl list-units --all --plain --no-legend "$unit")" ]
}

@test "systemd: features says the systemd driver is supported" {
    run "$OCI_RT" features
    [ "$(jq -r .linux.cgroup.systemd <<<"$output")" = true ]
}
