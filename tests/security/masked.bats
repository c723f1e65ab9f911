#!/usr/bin/env bats
# Masked and read-only paths: masked files read empty, masked directories
# are empty read-only tmpfs, and the container cannot undo either with the
# default capabilities, in its own user namespace or not. (A config that
# grants CAP_SYS_ADMIN in a user namespace hands the container its mount
# namespace, masks included, as with runc and crun: the masks are made in
# that namespace, so they are not locked mounts.)

load ../integration/helpers

# A host dir with content, bind-mounted at /mnt and masked, and the
# container's /etc/hostname masked too.
MASKS='.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "rw"]}]
    | .linux.maskedPaths += ["/etc/hostname", "/mnt"]'

USERNS='.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'

# What the container sees of the masks, then its attempts, then again.
PROBE='show() {
        echo "$1.hostname=[$(cat /etc/hostname)]"
        echo "$1.mnt=[$(ls -A /mnt | paste -sd,)]"
        echo "$1.timer_list=$(wc -c </proc/timer_list 2>/dev/null || echo unreadable)"
        echo "$1.procsys=$(awk "\$5 == \"/proc/sys\" { print substr(\$6, 1, 2) }" /proc/self/mountinfo)"
    }
    show before
    ocitest write /mnt/new x | sed s/^/mnt./
    for p in /etc/hostname /mnt /proc/timer_list /proc/sys; do
        k=$(basename $p)
        ocitest umount $p | sed "s|^|$k.|"
        umount -l $p 2>/dev/null; echo "$k.umount_l=$?"
    done
    mount -o remount,bind,rw /proc/sys 2>/dev/null; echo "remount_rw=$?"
    ocitest mount-tmpfs /etc/hostname | sed "s|^|over.|"
    show after
    # the control: CAP_SYS_ADMIN (when given) works on a mount of its own
    ocitest mount-tmpfs /tmp | sed s/^/own./; ocitest umount /tmp | sed s/^/own./'

# (reachable by a user namespace's root: not in bats' 0700 temp dir)
make_hostdir() {
    HOSTDIR=$(mktemp -d /tmp/oci-rt-mask.XXXXXX)
    defer "rm -rf '$HOSTDIR'"
    chmod 755 "$HOSTDIR"
    echo secret >"$HOSTDIR/secret"
}

assert_still_masked() {
    local when
    for when in before after; do
        assert_kv "$when.hostname" '[]'
        assert_kv "$when.mnt" '[]'
        [ "$(kv "$when.timer_list")" = 0 ] || [ "$(kv "$when.timer_list")" = unreadable ] ||
            [ ! -e /proc/timer_list ]
        assert_kv "$when.procsys" ro
    done
    [ ! -e "$HOSTDIR/new" ]
    [ "$(cat "$HOSTDIR/secret")" = secret ]
    [ "$(cat "$ROOTFS/etc/hostname")" = ocitest ]
}

@test "masked: file and dir masks read empty, the dir is read-only; umount/remount/over-mount fail with EPERM (default caps)" {
    make_hostdir
    make_bundle "$MASKS"' | .process.args = ["/bin/sh", "-c", $p]' --arg h "$HOSTDIR" --arg p "$PROBE"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "run failed: $stderr" >&2; false; }
    assert_kv mnt.write EROFS
    for p in hostname mnt timer_list sys; do
        assert_kv "$p.umount" EPERM
        [ "$(kv "$p.umount_l")" != 0 ]
    done
    [ "$(kv remount_rw)" != 0 ]
    assert_kv over.mount-tmpfs EPERM
    assert_still_masked
    assert_clean "$ID"
}

@test "masked: in a user namespace with the default capabilities the masks and read-only paths cannot be undone" {
    make_hostdir
    make_bundle "$USERNS | $MASKS"' | .process.args = ["/bin/sh", "-c", $p]' --arg h "$HOSTDIR" --arg p "$PROBE"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "run failed: $stderr" >&2; false; }
    for p in hostname mnt timer_list sys; do
        assert_kv "$p.umount" EPERM
        [ "$(kv "$p.umount_l")" != 0 ]
    done
    [ "$(kv remount_rw)" != 0 ] || { echo "/proc/sys was remounted read-write" >&2; false; }
    assert_kv over.mount-tmpfs EPERM
    assert_still_masked
    assert_clean "$ID"
}
