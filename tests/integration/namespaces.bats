#!/usr/bin/env bats
# Namespaces, sysctls and cgroup placement.

load helpers

run_ok() {
    run --separate-stderr oci "$@" run --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        return 1
    fi
}

host_ns() {
    stat -L -c %i "/proc/self/ns/$1"
}

@test "every configured namespace differs from the caller's; user and time are shared" {
    make_bundle
    run_ok
    for t in pid net ipc uts mnt cgroup; do
        got=$(kv "ns.$t")
        [ -n "$got" ]
        [ "$got" != none ]
        if [ "$got" = "$(host_ns "$t")" ]; then
            echo "ns.$t is the host's ($got)" >&2
            false
        fi
    done
    assert_kv ns.user "$(host_ns user)"
    if [ -e /proc/self/ns/time ]; then
        assert_kv ns.time "$(host_ns time)"
    fi
    assert_kv pid 1
    assert_kv ppid 0
    assert_clean "$ID"
}

@test "two containers created at the same moment get a network namespace each, neither the caller's, and keep no fd of it" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    local pids=() x
    for x in a b; do
        "$OCI_RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID-$x" \
            </dev/null >/dev/null 2>"$OUT_DIR/$x.err" 3>&- &
        pids+=($!)
    done
    wait "${pids[0]}" || { cat "$OUT_DIR/a.err" >&2; false; }
    wait "${pids[1]}" || { cat "$OUT_DIR/b.err" >&2; false; }
    oci start "$ID-a"
    oci start "$ID-b"
    a=$(readlink "/proc/$(container_pid "$ID-a")/ns/net")
    b=$(readlink "/proc/$(container_pid "$ID-b")/ns/net")
    host=$(readlink /proc/self/ns/net)
    echo "a=$a b=$b host=$host" >&2
    [ -n "$a" ] && [ -n "$b" ]
    [ "$a" != "$b" ]
    [ "$a" != "$host" ] && [ "$b" != "$host" ]
    # no descriptor of a namespace in the container's process
    pid=$(container_pid "$ID-a")
    for fd in /proc/"$pid"/fd/*; do
        t=$(readlink "$fd")
        case $t in net:* | *ns/net*) echo "fd $fd is $t" >&2; false ;; esac
    done
    oci delete --force "$ID-a"
    oci delete --force "$ID-b"
    assert_clean "$ID-a"
    assert_clean "$ID-b"
}

@test "a namespace left out of the config is the caller's" {
    make_bundle '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
    run_ok
    assert_kv ns.net "$(host_ns net)"
    assert_kv ns.ipc "$(host_ns ipc)"
    [ "$(kv ns.uts)" != "$(host_ns uts)" ]
    assert_clean "$ID"
}

@test "uts: hostname and domainname from the config" {
    make_bundle '.hostname = "box-1" | .domainname = "example.test"'
    run_ok
    assert_kv hostname box-1
    assert_kv domainname example.test
    [ "$(hostname)" != box-1 ]
    assert_clean "$ID"
}

@test "joining a network namespace by path (ip netns)" {
    if ! command -v ip >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q iproute2 >/dev/null 2>&1 ||
            skip "ip (iproute2) is not installed and cannot be installed"
    fi
    ns=$ID-net
    make_netns "$ns"
    want=$(stat -L -c %i "/var/run/netns/$ns")
    make_bundle '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/var/run/netns/$ns"
    run_ok
    assert_kv ns.net "$want"
    [ "$want" != "$(host_ns net)" ]
    assert_clean "$ID"
    # The namespace outlives the container.
    [ -e "/var/run/netns/$ns" ]
    ip netns exec "$ns" true
}

@test "joining the pid namespace of another running container by /proc/PID/ns/pid" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    first=$BUNDLE
    start_ok "$ID-a"
    pida=$(container_pid "$ID-a")
    nsa=$(stat -L -c %i "/proc/$pida/ns/pid")

    make_bundle '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "/proc/$pida/ns/pid"
    run_ok
    assert_kv ns.pid "$nsa"
    [ "$(kv pid)" != 1 ]
    assert_clean "$ID"

    oci delete --force "$ID-a"
    BUNDLE=$first assert_clean "$ID-a"
}

@test "joining a namespace by a path that is not a namespace fails clearly" {
    make_bundle '.linux.namespaces |= map(if .type == "network" then .path = "/etc/hostname" else . end)'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "network|net" "/etc/hostname"
    assert_clean "$ID"
}

@test "time namespace with offsets" {
    [ -e /proc/self/ns/time ] || skip "this kernel has no time namespaces"
    make_bundle '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"monotonic": {"secs": 100, "nanosecs": 0}, "boottime": {"secs": 200, "nanosecs": 5}}'
    run_ok
    [ "$(kv ns.time)" != "$(host_ns time)" ]
    assert_kv timens_offsets "monotonic 100 0;boottime 200 5"
    assert_clean "$ID"
}

@test "sysctl: net.ipv4.ip_forward=1 inside a network namespace" {
    host_before=$(cat /proc/sys/net/ipv4/ip_forward)
    make_bundle '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}
        | .process.args = ["/bin/sh", "-c", "echo fwd=$(cat /proc/sys/net/ipv4/ip_forward); echo shmmax=$(cat /proc/sys/kernel/shmmax)"]'
    run_ok
    assert_kv fwd 1
    assert_kv shmmax 123456789
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_before" ]
    assert_clean "$ID"
}

@test "sysctl: a non-namespaced sysctl (vm.swappiness) is refused at create" {
    before=$(cat /proc/sys/vm/swappiness)
    make_bundle '.linux.sysctl = {"vm.swappiness": "13"}'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "vm.swappiness" "sysctl|namespace|not allowed"
    [ "$(cat /proc/sys/vm/swappiness)" = "$before" ]
    assert_clean "$ID"
}

@test "sysctl: net.* without a private network namespace is refused" {
    before=$(cat /proc/sys/net/ipv4/ip_forward)
    make_bundle '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "net.ipv4.ip_forward" "network|namespace|not allowed"
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
    assert_clean "$ID"
}

@test "sysctl: net.* in a network namespace joined by path is set there (podman's default network)" {
    ns=$ID-net
    make_netns "$ns"
    host_before=$(cat /proc/sys/net/ipv4/ping_group_range)
    make_bundle '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
        | .linux.sysctl = {"net.ipv4.ping_group_range": "0 0"}
        | .process.args = ["/bin/sh", "-c", "echo pgr=$(cat /proc/sys/net/ipv4/ping_group_range)"]' \
        --arg p "/var/run/netns/$ns"
    run_ok
    assert_kv pgr "0 0"
    [ "$(ip netns exec "$ns" cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')" = "0 0" ]
    [ "$(cat /proc/sys/net/ipv4/ping_group_range)" = "$host_before" ]
    assert_clean "$ID"
}

@test "sysctl: net.* in the runtime's own network namespace joined by path is refused" {
    host_before=$(cat /proc/sys/net/ipv4/ip_forward)
    make_bundle '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}' --arg p "/proc/$$/ns/net"
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "linux.sysctl\[\"net.ipv4.ip_forward\"\]" "network namespace /proc/$$/ns/net is the runtime's own"
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_before" ]
    assert_clean "$ID"
}

@test "hostname without a private uts namespace is refused" {
    host=$(hostname)
    make_bundle '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "not-the-host"'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "hostname|uts"
    [ "$(hostname)" = "$host" ]
    assert_clean "$ID"
}

# ---------------------------------------------------------------- cgroups

# Each line of /proc/PID/cgroup ends in the wanted path.
assert_cgroup_of() {
    local pid=$1 want=$2 line n=0
    while IFS= read -r line; do
        n=$((n + 1))
        if [ "${line#*:*:}" != "$want" ]; then
            echo "pid $pid: cgroup line '$line', want path $want" >&2
            return 1
        fi
    done <"/proc/$pid/cgroup"
    [ "$n" -gt 0 ]
}

@test "cgroup: the container is in /oci-rt/<id> in every v1 hierarchy and in unified" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    create_ok
    pid=$(container_pid)
    assert_cgroup_of "$pid" "/oci-rt/$ID"
    grep -q '^0::' "/proc/$pid/cgroup"
    for h in "$CGROUP_FS"/*/; do
        [ -d "${h}oci-rt/$ID" ]
        grep -qx "$pid" "${h}oci-rt/$ID/cgroup.procs"
    done
    oci start "$ID"
    # Inside, the cgroup namespace hides the path.
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "cgroup: inside the cgroup namespace the container's cgroup is /" {
    make_bundle
    run_ok
    [ -n "$(kv cgroup)" ]
    not grep -v ':/$' < <(kv cgroup | tr ';' '\n')
    assert_clean "$ID"
}

@test "cgroup: linux.cgroupsPath /oci-rt-test/<id> is used and removed on delete" {
    cg=/oci-rt-test/$ID
    note_cgroup "$cg"
    make_bundle '.linux.cgroupsPath = $cg | .process.args = ["/usr/bin/ocitest", "sleep", "30"]' --arg cg "$cg"
    start_ok
    pid=$(container_pid)
    assert_cgroup_of "$pid" "$cg"
    for h in "$CGROUP_FS"/*/; do
        [ -d "${h%/}$cg" ]
        [ ! -d "${h}oci-rt/$ID" ]
    done
    oci delete --force "$ID"
    assert_clean "$ID" "$cg"
}

@test "cgroup: --cgroup-manager disabled creates no cgroup" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    oci_detached --cgroup-manager disabled -- create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    pid=$(container_pid)
    # Same cgroups as the caller (this shell).
    diff <(sed 's/^[0-9]*://' /proc/self/cgroup) <(sed 's/^[0-9]*://' "/proc/$pid/cgroup")
    [ -z "$(find "$CGROUP_FS"/*/ -maxdepth 4 -type d -name "$ID" 2>/dev/null)" ]
    oci start "$ID"
    oci kill "$ID" KILL
    wait_for_status "$ID" stopped
    oci delete "$ID"
    assert_clean "$ID"
}

@test "cgroup: --systemd-cgroup fails clearly (no systemd here) and leaves nothing" {
    [ ! -d /run/systemd/system ] || skip "systemd is running here"
    make_bundle
    oci_detached --systemd-cgroup -- create --bundle "$BUNDLE" "$ID"
    assert_error_line "systemd" "no system bus at /run/dbus/system_bus_socket"
    assert_clean "$ID"
    oci_detached --cgroup-manager systemd -- run --bundle "$BUNDLE" "$ID"
    assert_error_line "systemd" "bus"
    assert_clean "$ID"
}

@test "cgroup: an invalid --cgroup-manager is refused" {
    make_bundle
    run --separate-stderr oci --cgroup-manager nosuch run --bundle "$BUNDLE" "$ID"
    assert_error_line "cgroup-manager|cgroup manager" "nosuch"
    assert_clean "$ID"
}

# ------------------------------------------------------------ no mount ns

@test "no mount namespace: runs chrooted in the host's, as runc does; its mounts are undone by delete and by run" {
    # runc 1.1 runs such a config with chroot and makes the config's mounts
    # in the host's mount namespace (and leaves them there after delete);
    # oci-rt makes them on a bind of the rootfs onto itself and removes
    # that whole stack when the container goes
    local rootfs n0
    rootfs=$(copy_rootfs)
    make_bundle '.root.path = $r | del(.linux.maskedPaths, .linux.readonlyPaths)
        | .linux.namespaces |= map(select(.type != "mount"))
        | .process.args = ["/bin/sh", "-c", "cat /etc/hostname; ls /proc/self/ns >/dev/null && echo proc-ok; exec /usr/bin/ocitest sleep 60"]' \
        --arg r "$rootfs"
    n0=$(grep -c " $rootfs" /proc/self/mountinfo || true)
    start_ok
    wait_for_line "$OUT_DIR/$ID.out" proc-ok
    grep -qx ocitest "$OUT_DIR/$ID.out" || [ "$(head -n1 "$OUT_DIR/$ID.out")" = "$(cat "$rootfs/etc/hostname")" ]
    pid=$(container_pid)
    # in the host's mount namespace, with the rootfs as its root
    [ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]
    [ "$(readlink "/proc/$pid/root")" = "$rootfs" ]
    # its /proc is a mount the host sees under the rootfs
    awk -v p="$rootfs/proc" '$5 == p && $9 == "proc" { f = 1 } END { exit !f }' /proc/self/mountinfo
    # exec lands in the container's root too
    run -0 oci exec "$ID" cat /etc/hostname
    [ "$output" = "$(cat "$rootfs/etc/hostname")" ]
    run -0 oci delete --force "$ID"
    [ "$(grep -c " $rootfs" /proc/self/mountinfo || true)" = "$n0" ]
    assert_clean "$ID"
    # run (foreground, deleted at exit) leaves no mount either
    jq '.process.args = ["/bin/cat", "/etc/hostname"]' "$BUNDLE/config.json" >"$BUNDLE/c.json"
    mv "$BUNDLE/c.json" "$BUNDLE/config.json"
    run -0 oci run --bundle "$BUNDLE" "$ID-run" </dev/null
    [ "$output" = "$(cat "$rootfs/etc/hostname")" ]
    [ "$(grep -c " $rootfs" /proc/self/mountinfo || true)" = "$n0" ]
    assert_clean "$ID-run"
}

@test "no mount namespace: maskedPaths and readonlyPaths are refused clearly (runc refuses them too)" {
    make_bundle '.linux.namespaces |= map(select(.type != "mount"))'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "linux\.maskedPaths" "needs a mount namespace"
    make_bundle '.linux.namespaces |= map(select(.type != "mount")) | del(.linux.maskedPaths)'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "linux\.readonlyPaths" "need a mount namespace"
    assert_clean "$ID"
}

@test "sysctl: kernel.hostname and kernel.domainname set the container's names; one that contradicts hostname is refused" {
    make_bundle 'del(.hostname) | .linux.sysctl = {"kernel.hostname": "from-sysctl", "kernel.domainname": "dom.example"}'
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_kv hostname from-sysctl
    assert_kv domainname dom.example
    assert_clean "$ID"
    # the same value as hostname is no contradiction
    make_bundle '.hostname = "same" | .linux.sysctl = {"kernel.hostname": "same"}'
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_kv hostname same
    make_bundle '.hostname = "one" | .linux.sysctl = {"kernel.hostname": "two"}'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line 'linux\.sysctl\["kernel\.hostname"\] = "two" contradicts hostname "one"'
    make_bundle '.domainname = "a.example" | .linux.sysctl = {"kernel.domainname": "b.example"}'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line 'kernel\.domainname.*contradicts domainname'
    assert_clean "$ID"
}
