#!/usr/bin/env bats
# User namespaces: id maps written by the runtime, ownership seen from the
# host, sysfs and devices in a user namespace, and rootless containers run
# by an unprivileged user.

load helpers

# The helpers' setup_file, kept under another name.
eval "$(declare -f setup_file | sed '1s/^setup_file/_helpers_setup_file/')"

RL_USER=ocirt-test

setup_file() {
    _helpers_setup_file || return 1
    # The unprivileged user of the rootless tests: ours if we make it.
    if ! id -u "$RL_USER" >/dev/null 2>&1; then
        useradd --system --create-home --shell /usr/sbin/nologin "$RL_USER" >/dev/null 2>&1 &&
            export RL_USER_CREATED=1
    fi
}

teardown_file() {
    if [ -n "${RL_USER_CREATED:-}" ]; then
        userdel -r -f "$RL_USER" >/dev/null 2>&1 || true
    fi
}

USERNS='.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'

run_ok() {
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        echo "output: $output" >&2
        return 1
    fi
}

@test "userns: uid_map/gid_map inside are the configured ones, the process is root inside" {
    make_bundle "$USERNS"
    run_ok
    assert_kv uid_map "0 100000 65536"
    assert_kv gid_map "0 200000 65536"
    assert_kv uid 0
    assert_kv gid 0
    [ "$(kv ns.user)" != "$(stat -L -c %i /proc/self/ns/user)" ]
    assert_clean "$ID"
}

@test "userns: several ranges in the maps" {
    make_bundle '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 301000, "size": 10}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 401000, "size": 10}]
        | .process.user = {"uid": 1000, "gid": 1000}'
    run_ok
    assert_kv uid_map "0 100000 1000;1000 301000 10"
    assert_kv gid_map "0 100000 1000;1000 401000 10"
    assert_kv uid 1000
    assert_kv gid 1000
    assert_clean "$ID"
}

@test "userns: files made in a tmpfs belong to the mapped ids on the host" {
    for u in 0:100000:200000 1000:101000:201000; do
        make_bundle "$USERNS"'
            | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]}]
            | .process.user = {"uid": $u, "gid": $u}
            | .process.args = ["/bin/sh", "-c", "touch /tmp/file && mkdir /tmp/dir && echo ready; exec /usr/bin/ocitest sleep 30"]' \
            --argjson u "${u%%:*}"
        start_ok
        wait_for_line "$OUT_DIR/$ID.out" '^ready$'
        pid=$(container_pid)
        [ "$(stat -c %u:%g "/proc/$pid/root/tmp/file")" = "${u#*:}" ]
        [ "$(stat -c %u:%g "/proc/$pid/root/tmp/dir")" = "${u#*:}" ]
        oci delete --force "$ID"
        assert_clean "$ID"
    done
}

@test "userns: the runtime's init becomes the mapped root before start" {
    make_bundle "$USERNS"
    create_ok
    pid=$(container_pid)
    grep -E '^Uid:\s+100000\s+100000\s+100000\s+100000$' "/proc/$pid/status"
    grep -E '^Gid:\s+200000\s+200000\s+200000\s+200000$' "/proc/$pid/status"
    [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]
    [ "$(cat "/proc/$pid/uid_map" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "userns: with a network namespace /sys is a new sysfs (only lo), without one a read-only bind of the host's" {
    make_bundle "$USERNS"' | .process.args = ["/bin/sh", "-c", "echo net=$(ls /sys/class/net | paste -sd,); ocitest write /sys/kernel/uevent_helper x"]'
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_kv net lo
    [[ "$(kv write)" != ok ]]
    assert_clean "$ID"

    make_bundle "$USERNS"' | .linux.namespaces |= map(select(.type != "network"))
        | .process.args = ["/bin/sh", "-c", "echo net=$(ls /sys/class/net | paste -sd,); ocitest write /sys/kernel/uevent_helper x"]'
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -le 1 ] || { echo "run failed ($status): $stderr" >&2; false; }
    assert_kv net "$(ls /sys/class/net | paste -sd,)"
    [[ "$(kv write)" == EROFS* ]]
    assert_clean "$ID"
}

@test "userns: /dev/null and friends are bind mounts of the host's devices; mknod is refused" {
    make_bundle "$USERNS"'
        | .linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]
        | .process.args = ["/bin/sh", "-c", "ocitest mounts; ocitest stat /dev/kmsg | sed s/^/kmsg./; echo hi >/dev/null && echo devnull=ok; mknod /dev/shm/n c 1 3; echo mknod=$?"]'
    run_ok
    hostdev=$(awk '$5 == "/dev" { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/self/mountinfo)
    for d in /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/kmsg; do
        line=$(mountinfo_line "$d")
        [ -n "$line" ] || { echo "$d is not a mount point" >&2; false; }
        # a bind of the host's device node: a file of the host's /dev
        [ "$(awk '{ print $4 }' <<<"$line")" = "${d#/dev}" ]
        [ "$(awk '{ for (i = 7; $i != "-"; i++); print $(i + 1) }' <<<"$line")" = "$hostdev" ]
    done
    assert_kv kmsg.type chr
    assert_kv kmsg.rdev 1:11
    assert_kv devnull ok
    [ "$(kv mknod)" != 0 ]
    assert_clean "$ID"
}

@test "userns: a linux.devices entry missing on the host fails clearly (it cannot be bind-mounted)" {
    [ ! -e /dev/oci-rt-test-nodev ]
    make_bundle "$USERNS"' | .linux.devices = [{"path": "/dev/oci-rt-test-nodev", "type": "c", "major": 1, "minor": 3}]'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "/dev/oci-rt-test-nodev"
    assert_clean "$ID"
}

@test "userns: uid mappings without a user namespace are refused" {
    make_bundle '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "uidMappings|user namespace"
    assert_clean "$ID"
}

@test "userns: a user namespace without mappings maps the caller's euid/egid to root (crun's default; crun spec --rootless writes it)" {
    make_bundle '.linux.namespaces += [{"type": "user"}] | del(.linux.uidMappings, .linux.gidMappings)'
    run_ok
    assert_kv uid 0
    assert_kv gid 0
    assert_kv uid_map "0 $(id -u) 1"
    assert_kv gid_map "0 $(id -g) 1"
    [ "$(kv ns.user)" != "$(stat -L -c %i /proc/self/ns/user)" ]
    assert_clean "$ID"
}

@test "userns: a user namespace with uidMappings but no gidMappings is refused" {
    make_bundle '.linux.namespaces += [{"type": "user"}] | del(.linux.gidMappings)
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "uidMappings/gidMappings" "needs both"
    assert_clean "$ID"
}

# ------------------------------------------------------------------ rootless

# rootless_setup: RL_UID/RL_GID, RLDIR (owned by the user: its bundles, its
# XDG_RUNTIME_DIR, a copy of the binary it can run).
rootless_setup() {
    RL_UID=$(id -u "$RL_USER" 2>/dev/null) || skip "no user $RL_USER"
    RL_GID=$(id -g "$RL_USER")
    RLDIR=$(mktemp -d /tmp/oci-rt-rootless.XXXXXX)
    defer "rootless_cleanup '$RLDIR'"
    mkdir -m 700 "$RLDIR/xdg"
    cp "$OCI_RT" "$RLDIR/oci-rt"
    chmod 755 "$RLDIR" "$RLDIR/oci-rt"
    chown -R "$RL_UID:$RL_GID" "$RLDIR"
    RL_STATE=$RLDIR/xdg/oci-rt
}

rootless_cleanup() {
    local dir=$1 c
    for c in $(ls -A "$dir/xdg/oci-rt" 2>/dev/null); do
        rl "$dir/oci-rt" delete --force "$c" >/dev/null 2>&1 || true
    done
    rm -rf "$dir"
}

# rl CMD...: CMD as the unprivileged user, with a clean environment.
rl() {
    setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RLDIR" XDG_RUNTIME_DIR="$RLDIR/xdg" "$@"
}

# rl_oci ARGS...: the user's oci-rt (default state root: $XDG_RUNTIME_DIR/oci-rt).
rl_oci() {
    rl "$RLDIR/oci-rt" "$@"
}

# rl_bundle [jq filter [args]]: `oci-rt spec --rootless` made by the user,
# with the test rootfs and ocitest report.
rl_bundle() {
    local filter=${1:-.}
    shift || true
    BUNDLE_SEQ=$((BUNDLE_SEQ + 1))
    BUNDLE=$RLDIR/bundle$BUNDLE_SEQ
    rl mkdir "$BUNDLE"
    rl_oci spec --rootless --bundle "$BUNDLE"
    jq --arg rootfs "$ROOTFS" "$@" '.process.terminal = false | .root.path = $rootfs
        | .process.args = ["/usr/bin/ocitest", "report"] | '"$filter" "$BUNDLE/config.json" >"$BUNDLE/c"
    chown "$RL_UID:$RL_GID" "$BUNDLE/c"
    mv "$BUNDLE/c" "$BUNDLE/config.json"
}

@test "rootless: spec --rootless maps the user to 0, has no network namespace and binds /sys" {
    rootless_setup
    rl_bundle
    c=$BUNDLE/config.json
    jq -e '.linux.namespaces | map(.type) | index("user") != null and index("network") == null' "$c"
    jq -e --argjson u "$RL_UID" '.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}]' "$c"
    jq -e --argjson g "$RL_GID" '.linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}]' "$c"
    jq -e '.mounts[] | select(.destination == "/sys") | .source == "/sys" and (.options | index("rbind") != null)' "$c"
}

@test "rootless: run as an unprivileged user: maps, state under XDG_RUNTIME_DIR, no cgroup of its own" {
    rootless_setup
    rl_bundle
    run --separate-stderr rl_oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "rootless run failed ($status): $stderr" >&2; false; }
    assert_kv uid 0
    assert_kv uid_map "0 $RL_UID 1"
    assert_kv gid_map "0 $RL_GID 1"
    [ "$(kv ns.net)" = "$(stat -L -c %i /proc/self/ns/net)" ]
    [ ! -e "$RL_STATE/$ID" ]
    [ -z "$(find "$CGROUP_FS"/*/ -maxdepth 4 -type d -name "$ID" 2>/dev/null)" ]
}

@test "rootless: create, state, start, kill, delete; the process stays in the caller's cgroups" {
    rootless_setup
    rl_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    status=0
    rl_oci create --bundle "$BUNDLE" "$ID" </dev/null >"$OUT_DIR/out" 2>"$OUT_DIR/err" 3>&- || status=$?
    [ "$status" -eq 0 ] || { echo "create failed: $(cat "$OUT_DIR/err")" >&2; false; }
    [ -d "$RL_STATE/$ID" ]
    [ "$(stat -c %u "$RL_STATE/$ID")" = "$RL_UID" ]
    st=$(rl_oci state "$ID")
    [ "$(jq -r .status <<<"$st")" = created ]
    pid=$(jq -r .pid <<<"$st")
    grep -E "^Uid:\s+$RL_UID\s" "/proc/$pid/status"
    # no delegation: the container is where the caller is
    diff <(sed 's/^[0-9]*://' /proc/self/cgroup) <(sed 's/^[0-9]*://' "/proc/$pid/cgroup")
    [ -z "$(find "$CGROUP_FS"/*/ -maxdepth 4 -type d -name "$ID" 2>/dev/null)" ]
    rl_oci list | grep -q "^$ID "
    rl_oci start "$ID"
    [ "$(rl_oci state "$ID" | jq -r .status)" = running ]
    rl_oci kill "$ID" KILL
    for _ in $(seq 100); do
        [ "$(rl_oci state "$ID" | jq -r .status)" = stopped ] && break
        sleep 0.05
    done
    [ "$(rl_oci state "$ID" | jq -r .status)" = stopped ]
    rl_oci delete "$ID"
    [ ! -e "$RL_STATE/$ID" ]
    not alive "$pid"
}

@test "rootless: resource limits without a delegated cgroup fail clearly, leaving nothing" {
    rootless_setup
    rl_bundle '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 100}}'
    run --separate-stderr rl_oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "rootless"
    [ ! -e "$RL_STATE/$ID" ]
    [ -z "$(find "$CGROUP_FS"/*/ -maxdepth 4 -type d -name "$ID" 2>/dev/null)" ]
}

@test "rootless: a time namespace with offsets" {
    [ -e /proc/self/ns/time ] || skip "this kernel has no time namespaces"
    rootless_setup
    rl_bundle '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"monotonic": {"secs": 1000, "nanosecs": 0}, "boottime": {"secs": 86400, "nanosecs": 7}}
        | .process.args = ["/bin/sh", "-c", "ocitest report; echo up=$(cut -d. -f1 /proc/uptime)"]'
    run --separate-stderr rl_oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "rootless run failed ($status): $stderr" >&2; false; }
    assert_kv timens_offsets "monotonic 1000 0;boottime 86400 7"
    [ "$(kv ns.time)" != "$(stat -L -c %i /proc/self/ns/time)" ]
    host_up=$(cut -d. -f1 /proc/uptime)
    [ "$(kv up)" -ge $((host_up + 86400 - 5)) ]
}
