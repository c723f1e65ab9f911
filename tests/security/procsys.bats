#!/usr/bin/env bats
# /proc and /sys targets (the CVE-2019-16884 / CVE-2019-19921 class): an
# image or a config that puts something else where procfs should be must
# not get the runtime to mount procfs/sysfs outside the rootfs nor to write
# sysctls (or anything) into a file that is not procfs.

load ../integration/helpers

# HOSTDIR: a shared bind mount (see mountdest.bats) holding a fake proc and
# sys tree; FAKE is its fake ip_forward.
make_hostdir() {
    HOSTDIR=$BATS_TEST_TMPDIR/hostdir
    mkdir -p "$HOSTDIR"
    mount --bind "$HOSTDIR" "$HOSTDIR"
    mount --make-shared "$HOSTDIR"
    mkdir -p "$HOSTDIR/sys/net/ipv4" "$HOSTDIR/kernel"
    FAKE=$HOSTDIR/sys/net/ipv4/ip_forward
    echo fake-value >"$FAKE"
    HOSTDIR_SUM=$(cd "$HOSTDIR" && find . -type f -exec sha256sum {} + | sort; find . | sort)
}

assert_hostdir_untouched() {
    local m
    m=$(awk -v d="$HOSTDIR" '$5 != d && index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
    if [ -n "$m" ]; then
        echo "mounts appeared on the host in $HOSTDIR: $m" >&2
        return 1
    fi
    if [ "$(cd "$HOSTDIR" && find . -type f -exec sha256sum {} + | sort; find . | sort)" != "$HOSTDIR_SUM" ]; then
        echo "$HOSTDIR changed; $FAKE: $(cat "$FAKE")" >&2
        return 1
    fi
}

SYSCTL_PROBE='echo fwd=$(cat /proc/sys/net/ipv4/ip_forward); echo proc_fs=$(stat -f -c %T /proc); echo procsys_fs=$(stat -f -c %T /proc/sys/net/ipv4)'

@test "procsys: an image whose /proc is a symlink to a host directory: procfs is not mounted there, the sysctl does not go there" {
    make_hostdir
    image=$(copy_rootfs)
    rmdir "$image/proc"
    ln -s "$HOSTDIR" "$image/proc"
    make_bundle '.root.path = $img | .linux.rootfsPropagation = "rshared"
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
        | .process.args = ["/bin/sh", "-c", $p]' --arg img "$image" --arg p "$SYSCTL_PROBE"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_hostdir_untouched
    if [ "$status" -eq 0 ]; then
        # then the real procfs and the real sysctl
        assert_kv proc_fs proc
        assert_kv fwd 1
    else
        [ -n "$stderr" ]
        [ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ]
    fi
    assert_clean "$ID"
}

@test "procsys: an image whose /proc is a plain dir with a fake sys/ tree: procfs covers it, the sysctl reaches the real one" {
    image=$(copy_rootfs)
    mkdir -p "$image/proc/sys/net/ipv4"
    echo fake-value >"$image/proc/sys/net/ipv4/ip_forward"
    make_bundle '.root.path = $img | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
        | .process.args = ["/bin/sh", "-c", $p]' --arg img "$image" --arg p "$SYSCTL_PROBE"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "run failed: $stderr" >&2; false; }
    assert_kv proc_fs proc
    assert_kv fwd 1
    [ "$(cat "$image/proc/sys/net/ipv4/ip_forward")" = fake-value ]
    assert_clean "$ID"
}

@test "procsys: an image whose /sys is a symlink to a host directory: sysfs is not mounted there" {
    make_hostdir
    image=$(copy_rootfs)
    rmdir "$image/sys"
    ln -s "$HOSTDIR" "$image/sys"
    make_bundle '.root.path = $img | .linux.rootfsPropagation = "rshared"
        | .process.args = ["/bin/sh", "-c", "echo sys_fs=$(stat -f -c %T /sys)"]' --arg img "$image"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_hostdir_untouched
    if [ "$status" -eq 0 ]; then
        assert_kv sys_fs sysfs
    else
        [ -n "$stderr" ]
        [ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ]
    fi
    assert_clean "$ID"
}

@test "procsys: a tmpfs mounted over /proc after the proc mount, with a sysctl: refused (not a procfs)" {
    make_bundle '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
        | .mounts += [{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}]'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "sysctl" "is not a procfs"
    assert_clean "$ID"
}

@test "procsys: a host dir bind-mounted over /proc/sys, with a sysctl: refused, the host file untouched" {
    make_hostdir
    make_bundle '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
        | .mounts += [{"destination": "/proc/sys", "type": "bind", "source": ($d + "/sys"), "options": ["rbind"]}]' \
        --arg d "$HOSTDIR"
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "sysctl" "is not a procfs"
    assert_hostdir_untouched
    assert_clean "$ID"
}

@test "procsys: a host dir bind-mounted over /proc/sys/net or /proc/sys/net/ipv4, with a sysctl: the host file is never written" {
    make_hostdir
    for dest in /proc/sys/net /proc/sys/net/ipv4; do
        src=$HOSTDIR${dest#/proc}
        make_bundle '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
            | .mounts += [{"destination": $dest, "type": "bind", "source": $src, "options": ["rbind"]}]
            | .process.args = ["/bin/sh", "-c", $p]' --arg dest "$dest" --arg src "$src" --arg p "$SYSCTL_PROBE"
        unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        assert_hostdir_untouched
        if [ "$status" -ne 0 ]; then
            assert_error_line "sysctl|net\.ipv4\.ip_forward"
        else
            # the host file was in place over the sysctl's path (the
            # attack ran), and the runtime's write did not go there
            assert_kv fwd fake-value
        fi
        assert_clean "$ID"
    done
}

@test "procsys: a sysctl key with .. or / cannot leave /proc/sys" {
    make_hostdir
    for key in "../../$HOSTDIR/sys/net/ipv4/ip_forward" "net/../../../..$FAKE" "net.ipv4.conf.all/../../../../..$FAKE"; do
        make_bundle '.linux.sysctl = {($k): "1"}' --arg k "$key"
        unflake oci_detached create --bundle "$BUNDLE" "$ID"
        assert_error_line "sysctl"
        assert_hostdir_untouched
        assert_clean "$ID"
    done
}
