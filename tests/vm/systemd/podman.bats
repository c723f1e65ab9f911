#!/usr/bin/env bats
# Podman with cgroup_manager = "systemd" and oci-rt as its runtime, in the
# systemd test guest: the config is contrib/podman/containers.conf with
# the systemd driver on. Containers are libpod-ID.scope units in
# machine.slice; `podman container checkpoint` / `restore` drive oci-rt's
# checkpoint and restore.

# shellcheck disable=SC2154  # status, output: set by bats' run
load ../../integration/helpers

# Why this file cannot run here (empty: it can). A skip in setup_file is
# reported as a failure by Debian's bats 1.8, so setup_file only records it
# and every test skips in setup.
cannot_run() {
    [ "${OCI_RT_SYSTEMD_GUEST:-}" = 1 ] || { echo "needs the systemd test guest (tests/vm/systemd-guest.sh)"; return; }
    command -v podman >/dev/null || { echo "no podman (apt-get install podman)"; return; }
}

setup_file() {
    SKIP_REASON=$(cannot_run)
    export SKIP_REASON
    [ -z "$SKIP_REASON" ] || return 0
    ensure_rootfs
    export PM_DIR=$BATS_FILE_TMPDIR/podman
    mkdir -p "$PM_DIR/bin"
    cp "$OCI_RT" "$PM_DIR/bin/oci-rt"
    # a static oci-rt hands the systemd driver to its dynamic twin beside it
    [ ! -x "$(dirname "$OCI_RT")/oci-rt-dynamic" ] ||
        cp "$(dirname "$OCI_RT")/oci-rt-dynamic" "$PM_DIR/bin/oci-rt-dynamic"
    # contrib's file, pointed at the binary under test, systemd on
    sed -e "s|\"/usr/local/bin/oci-rt\",|\"$PM_DIR/bin/oci-rt\",|" \
        -e 's|^# runtime = "oci-rt"|runtime = "oci-rt"|' \
        -e 's|^\[engine\]$|[engine]\nevents_logger = "file"|' \
        "$REPO/contrib/podman/containers.conf" >"$PM_DIR/containers.conf"
    grep -q '^cgroup_manager = "systemd"' "$PM_DIR/containers.conf"
    tar -C "$ROOTFS" -c . | pm import - localhost/ocitest:latest >/dev/null
}

eval "_helpers_setup() $(declare -f setup | tail -n +2)"
setup() {
    [ -z "${SKIP_REASON:-}" ] || skip "$SKIP_REASON"
    _helpers_setup
}

teardown_file() {
    [ -n "${PM_DIR:-}" ] || return 0
    pm rm -a -f >/dev/null 2>&1 || true
    pm rmi -a -f >/dev/null 2>&1 || true
}

pm() {
    CONTAINERS_CONF=$PM_DIR/containers.conf podman --root /var/lib/containers/i13-storage --runroot /run/i13-podman "$@"
}

@test "podman (systemd cgroups): run --rm gives the output and status; the scope is gone after" {
    run pm run --rm --network none ocitest sh -c 'echo hi; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = hi ]
    [ -z "$(systemctl list-units --all --plain --no-legend 'libpod-*.scope')" ]
}

@test "podman (systemd cgroups): a container is libpod-ID.scope in machine.slice, with its limits" {
    cid=$(pm run -d --network none --memory 64m --pids-limit 30 ocitest sleep 1000)
    pid=$(pm inspect -f '{{.State.Pid}}' "$cid")
    [ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "/machine.slice/libpod-$cid.scope" ]
    [ "$(systemctl show -P MemoryMax "libpod-$cid.scope")" = 67108864 ]
    [ "$(systemctl show -P TasksMax "libpod-$cid.scope")" = 30 ]
    [ "$(systemctl show -P Delegate "libpod-$cid.scope")" = yes ]
    run pm exec "$cid" sh -c 'echo in'
    [ "$output" = in ]
    pm rm -f "$cid" >/dev/null
    [ -z "$(systemctl list-units --all --plain --no-legend "libpod-$cid.scope")" ]
}

@test "podman container checkpoint / restore: the counter goes on from where it stopped" {
    command -v criu >/dev/null || skip "no criu"
    cid=$(pm run -d --network none ocitest sh -c 'i=0; while :; do i=$((i+1)); echo $i >>/count.log; sleep 0.2; done')
    sleep 2
    pm container checkpoint "$cid" >/dev/null || {
        find /var/lib/containers/i13-storage -name dump.log -exec grep -E "Error|Warn" {} + | head -30 >&2
        false
    }
    [ "$(pm inspect -f '{{.State.Status}}' "$cid")" = exited ]
    pm container restore "$cid" >/dev/null || {
        find /var/lib/containers/i13-storage -name restore.log -exec grep -E "Error|Warn" {} + | head -30 >&2
        false
    }
    [ "$(pm inspect -f '{{.State.Status}}' "$cid")" = running ]
    pid=$(pm inspect -f '{{.State.Pid}}' "$cid")
    [ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "/machine.slice/libpod-$cid.scope" ]
    sleep 1.5
    run pm exec "$cid" cat /count.log
    [ "$status" -eq 0 ]
    awk 'NR != $1 { print "line " NR ": " $1; bad = 1 } END { exit bad }' <<<"$output"
    [ "$(wc -l <<<"$output")" -ge 10 ]
    pm rm -f "$cid" >/dev/null
}
