#!/usr/bin/env bats
# Paths the privileged runtime follows inside the container (issue 10: no
# path the container can race is ever trusted). Until the init closes it,
# the runtime's own procfs handle (a procfs of the host's pid namespace) is
# an open fd of the init, so inside the container /proc/self/fd/N leads to
# /proc of the host, and /proc/self/fd/N/PID/root to the root of the host
# process PID. An image can put such a path in a symlink; nothing the
# runtime does through the image's paths may follow it onto the host.
#
# The handle's fd number is the runtime's business: each test tries every
# fd from 3 to 16. The host process is a `sleep` of the test's own; the
# host files and directories are in the test's temp directory.

load ../integration/helpers

# A host process (a sleep of the test's) whose root is the host's /.
host_pid() {
    sleep 120 &
    HOST_PID=$!
    defer "kill $HOST_PID"
}

@test "plain paths: a process.cwd through /proc/self/fd/N/PID/root (the runtime's procfs) makes no host directory" {
    host_pid
    rootfs=$(copy_rootfs)
    host=$BATS_TEST_TMPDIR/host-cwd
    mkdir -p "$host"
    for n in $(seq 3 16); do
        ln -sfn "/proc/self/fd/$n/$HOST_PID/root$host" "$rootfs/v"
        make_bundle '.root.path = $r | .process.cwd = "/v/probe/sub"
            | .process.args = ["/bin/sh", "-c", "echo cwd=$(pwd) cwdid=$(stat -c %d:%i .)"]' --arg r "$rootfs"
        run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        [ ! -e "$host/probe" ] || { echo "fd $n: the runtime made the host directory $host/probe" >&2; false; }
        if [ "$status" -eq 0 ]; then
            # made inside the container only
            [ "$(kv cwd)" = /v/probe/sub ] || { echo "fd $n: $output" >&2; false; }
        else
            assert_error_line "process\.cwd /v/probe/sub" || { echo "fd $n" >&2; false; }
        fi
        assert_clean "$ID"
    done
}

@test "plain paths: an /etc/passwd through /proc/self/fd/N/PID/root is not read from the host (HOME, process.user.username)" {
    host_pid
    rootfs=$(copy_rootfs)
    host=$BATS_TEST_TMPDIR/host-etc
    mkdir -p "$host"
    printf '%s\n' 'root:x:0:0:root:/host-passwd-was-read:/bin/sh' \
        'i10hostuser:x:4242:4242::/host-passwd-was-read:/bin/sh' >"$host/passwd"
    for n in $(seq 3 16); do
        ln -sfn "/proc/self/fd/$n/$HOST_PID/root$host/passwd" "$rootfs/etc/passwd"
        make_bundle '.root.path = $r | .process.args = ["/bin/sh", "-c", "echo home=$HOME; echo uid=$(id -u)"]' --arg r "$rootfs"
        run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        [ "$status" -eq 0 ] || { echo "fd $n: $stderr" >&2; false; }
        [ "$(kv home)" = / ] || { echo "fd $n: HOME from the host's file: $output" >&2; false; }
        assert_clean "$ID"

        make_bundle '.root.path = $r | .process.user.username = "i10hostuser"
            | .process.args = ["/bin/sh", "-c", "echo uid=$(id -u)"]' --arg r "$rootfs"
        run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        not grep -q 'uid=4242' <<<"$output"
        assert_error_line 'process\.user\.username "i10hostuser": no such user'
        assert_clean "$ID"
    done
}

@test "plain paths: a PATH entry through /proc/self/fd/N/PID/root is not searched on the host for process.args[0]" {
    host_pid
    rootfs=$(copy_rootfs)
    host=$BATS_TEST_TMPDIR/host-bin
    mkdir -p "$host"
    printf '#!/bin/sh\necho RAN-A-HOST-FILE\n' >"$host/ocitest"
    chmod 755 "$host/ocitest"
    for n in $(seq 3 16); do
        ln -sfn "/proc/self/fd/$n/$HOST_PID/root$host" "$rootfs/x"
        # (with CAP_SYS_PTRACE: else the host process's root is closed to
        # the container's reduced capabilities by the time PATH is searched)
        make_bundle '.root.path = $r | .process.env = ["PATH=/x:/usr/bin:/bin"]
            | .process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])
            | .process.args = ["ocitest", "report"]' --arg r "$rootfs"
        run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        # the container's own /usr/bin/ocitest, found after /x
        [ "$status" -eq 0 ] || { echo "fd $n: $stderr" >&2; false; }
        [ -n "$(kv uid)" ] || { echo "fd $n: $output" >&2; false; }
        not grep -q RAN-A-HOST-FILE <<<"$output"
        assert_clean "$ID"
    done
}

@test "plain paths: a /dev or a linux.devices directory that resolves into sysfs or procfs is refused, nothing is made there" {
    # the image's /dev a symlink to /sys, no /dev mount in the config
    rootfs=$(copy_rootfs)
    rm -rf "$rootfs/dev"
    ln -s sys "$rootfs/dev"
    make_bundle '.root.path = $r | .mounts |= map(select(.destination | startswith("/dev") | not))' --arg r "$rootfs"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "devices /dev" "sysfs" "refused"
    assert_clean "$ID"
    # a bind-mounted /dev whose x leads into /sys/kernel (sysfs) or
    # /proc/sys (procfs), and a device below x
    for target in /sys/kernel /proc/sys; do
        dev=$BATS_TEST_TMPDIR/dev-${target//\//_}
        mkdir -p "$dev"
        mknod -m 666 "$dev/null" c 1 3
        ln -s "$target" "$dev/x"
        make_bundle '.mounts |= map(if .destination == "/dev" then {"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind", "rw"]} else . end)
            | .linux.devices = [{"path": "/dev/x/i10node", "type": "c", "major": 1, "minor": 3}]' --arg d "$dev"
        run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        assert_error_line "linux\.devices /dev/x/i10node" "refused"
        [ ! -e "$target/i10node" ]
        assert_clean "$ID"
    done
}
