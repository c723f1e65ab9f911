#!/usr/bin/env bats
# checkpoint and restore (CRIU) with runc's command line, in the systemd
# test guest (CRIU 3.17 needs the guest's 6.1 kernel). A counter container
# appends 1, 2, 3... to /count.log in its rootfs; a restored one must go on
# from where the checkpoint stopped it, never from 1 again.

# shellcheck disable=SC2154  # status, output, stderr: set by bats' run
load ../../integration/helpers

# Why this file cannot run here (empty: it can). A skip in setup_file is
# reported as a failure by Debian's bats 1.8, so setup_file only records it
# and every test skips in setup.
cannot_run() {
    [ "${OCI_RT_SYSTEMD_GUEST:-}" = 1 ] || { echo "CRIU needs the systemd test guest's kernel (tests/vm/systemd-guest.sh)"; return; }
    command -v criu >/dev/null || { echo "no criu (apt-get install criu)"; return; }
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

eval "_helpers_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
    local u
    _helpers_teardown
    for u in $(systemctl list-units --all --plain --no-legend "*${ID:-none}*" 2>/dev/null | awk '{ print $1 }'); do
        systemctl stop "$u" >/dev/null 2>&1 || true
    done
}

counter_bundle() {
    local rootfs
    rootfs=$(copy_rootfs)
    make_bundle '.root.path = $r | .root.readonly = false
      | .process.args = ["sh", "-c", "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >>/count.log; sleep 0.2; done"]' \
        --arg r "$rootfs"
    COUNT=$rootfs/count.log
}

last() { tail -n 1 "$COUNT"; }

# the log is 1, 2, 3, ... without a gap or a restart
assert_contiguous() {
    awk 'NR != $1 { print "line " NR ": " $1; bad = 1 } END { exit bad }' "$COUNT"
}

wait_count_above() {
    local n=$1 i
    for ((i = 0; i < 100; i++)); do
        [ "$(last)" -gt "$n" ] 2>/dev/null && return 0
        sleep 0.1
    done
    echo "the counter stayed at $(last), wanted more than $n" >&2
    return 1
}

@test "checkpoint: the container stops; restore -d: it counts on from where it stopped" {
    counter_bundle
    oci_detached run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    wait_count_above 3
    img=$BATS_TEST_TMPDIR/img
    run --separate-stderr oci checkpoint --image-path "$img" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; cat "$img/dump.log" | tail -20 >&2; false; }
    [ -f "$img/inventory.img" ]
    # gone: no state, and the counter no longer moves
    run oci state "$ID"
    [ "$status" -ne 0 ]
    stopped=$(last)
    sleep 0.6
    [ "$(last)" = "$stopped" ]
    oci_detached restore -d --image-path "$img" --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; grep -E "Error|Warn" "$img/restore.log" | head -20 >&2; false; }
    [ "$(oci state "$ID" | jq -r .status)" = running ]
    [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(container_pid)" ]
    wait_count_above "$((stopped + 2))"
    assert_contiguous
    oci delete --force "$ID"
}

@test "checkpoint --leave-running: images made, the container goes on" {
    counter_bundle
    oci_detached run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    wait_count_above 2
    img=$BATS_TEST_TMPDIR/img
    run --separate-stderr oci checkpoint --leave-running --image-path "$img" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    [ -f "$img/inventory.img" ]
    [ "$(oci state "$ID" | jq -r .status)" = running ]
    n=$(last)
    wait_count_above "$((n + 2))"
    assert_contiguous
}

@test "checkpoint --pre-dump, then a dump with --parent-path; the restore counts on" {
    counter_bundle
    oci_detached run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    wait_count_above 2
    d=$BATS_TEST_TMPDIR/ck
    run --separate-stderr oci checkpoint --pre-dump --image-path "$d/pre" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    [ "$(oci state "$ID" | jq -r .status)" = running ]
    ls "$d/pre" | grep -q '^pages-'
    run --separate-stderr oci checkpoint --parent-path ../pre --image-path "$d/final" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; grep -E "Error|Warn" "$d/final/dump.log" | head -20 >&2; false; }
    [ -L "$d/final/parent" ]
    stopped=$(last)
    oci_detached restore -d --image-path "$d/final" --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; grep -E "Error|Warn" "$d/final/restore.log" | head -20 >&2; false; }
    wait_count_above "$((stopped + 1))"
    assert_contiguous
    oci delete --force "$ID"
}

@test "checkpoint and restore with the systemd driver: the restored container is in its scope" {
    counter_bundle
    oci_detached --systemd-cgroup -- run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    wait_count_above 2
    img=$BATS_TEST_TMPDIR/img
    run --separate-stderr oci --systemd-cgroup checkpoint --image-path "$img" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    [ -z "$(systemctl list-units --all --plain --no-legend "oci-rt-$ID.scope")" ]
    stopped=$(last)
    oci_detached --systemd-cgroup -- restore -d --image-path "$img" --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; grep -E "Error|Warn" "$img/restore.log" | head -20 >&2; false; }
    pid=$(container_pid)
    [ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "/system.slice/oci-rt-$ID.scope" ]
    [ "$(systemctl show -P ActiveState "oci-rt-$ID.scope")" = active ]
    wait_count_above "$((stopped + 1))"
    assert_contiguous
    oci --systemd-cgroup delete --force "$ID"
    [ -z "$(systemctl list-units --all --plain --no-legend "oci-rt-$ID.scope")" ]
}

# tty_holder SOCKET OUT: takes terminal masters on SOCKET (the run's, then
# the restore's) and keeps them open (a closed master hangs the container
# up), appending what the container writes on the Nth to OUT.N.
tty_holder() {
    python3 - "$@" <<'PY' 3>&- &
import array, os, select, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(2)
open(path + ".ready", "w").close()
masters, end = {}, time.time() + 300
while time.time() < end:
    r, _, _ = select.select([s] + list(masters), [], [], 0.2)
    for f in r:
        if f is s:
            c, _ = s.accept()
            _, anc, _, _ = c.recvmsg(16, socket.CMSG_SPACE(16))
            fds = array.array("i")
            for _, _, data in anc:
                fds.frombytes(data[: len(data) - len(data) % 4])
            masters[fds[0]] = open("%s.%d" % (out, len(masters) + 1), "ab", buffering=0)
        else:
            try:
                masters[f].write(os.read(f, 4096))
            except OSError:
                pass
PY
    defer "kill $!"
    for ((i = 0; i < 100; i++)); do
        [ -e "$1.ready" ] && return 0
        sleep 0.05
    done
    return 1
}

@test "checkpoint and restore of a container with a terminal: the new terminal goes to --console-socket" {
    rootfs=$(copy_rootfs)
    make_bundle '.root.path = $r | .root.readonly = false | .process.terminal = true
      | .process.args = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i >>/count.log; echo tick$i; sleep 0.2; done"]' \
        --arg r "$rootfs"
    COUNT=$rootfs/count.log
    sock=$BATS_TEST_TMPDIR/tty.sock
    tty_holder "$sock" "$BATS_TEST_TMPDIR/tty"
    oci_detached run -d --console-socket "$sock" --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    wait_count_above 2
    img=$BATS_TEST_TMPDIR/img
    run --separate-stderr oci checkpoint --image-path "$img" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; grep -E "Error|Warn" "$img/dump.log" | head -20 >&2; false; }
    stopped=$(last)
    oci_detached restore -d --console-socket "$sock" --image-path "$img" --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; grep -E "Error|Warn" "$img/restore.log" | head -20 >&2; false; }
    pid=$(container_pid)
    [[ "$(readlink "/proc/$pid/fd/1")" == /dev/pts/* ]]
    wait_count_above "$((stopped + 2))"
    assert_contiguous
    # its output goes on on the new terminal
    for ((i = 0; i < 50; i++)); do
        grep -q "tick$((stopped + 2))" "$BATS_TEST_TMPDIR/tty.2" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "tick$((stopped + 2))" "$BATS_TEST_TMPDIR/tty.2"
    # without --console-socket a restore has nowhere to put it: one clear error
    oci delete --force "$ID"
}

@test "checkpoint of a container that is not there, restore without images: one clear error" {
    run --separate-stderr oci checkpoint --image-path "$BATS_TEST_TMPDIR/x" "nosuch-$ID"
    assert_error_line "nosuch-$ID"
    make_bundle
    run --separate-stderr oci restore -d --image-path "$BATS_TEST_TMPDIR/none" --bundle "$BUNDLE" "$ID"
    assert_error_line 'image-path' 'no such file'
    [ -z "$(ls "$ROOT" 2>/dev/null)" ]
}

@test "features says checkpoint/restore is enabled" {
    run "$OCI_RT" features
    [ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = true ]
}
