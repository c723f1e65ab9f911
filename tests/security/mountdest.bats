#!/usr/bin/env bats
# Mount destinations through symlinks (the CVE-2021-30465 class): whatever
# an image's symlinks say, a mount lands inside the container's rootfs.
#
# The detector: HOSTDIR is a shared mount on the host and the containers
# use rootfsPropagation "rshared", so a mount that lands on HOSTDIR (or
# below) in the container's mount namespace shows in the host's mountinfo.
# The first test shows the detector sees such a mount.

load ../integration/helpers

# HOSTDIR: a shared bind mount with a canary file and a sub/ dir.
make_hostdir() {
    HOSTDIR=$BATS_TEST_TMPDIR/hostdir
    mkdir -p "$HOSTDIR"
    mount --bind "$HOSTDIR" "$HOSTDIR"
    mount --make-shared "$HOSTDIR"
    mkdir -p "$HOSTDIR/sub"
    echo canary >"$HOSTDIR/canary"
    HOSTDIR_LIST=$(cd "$HOSTDIR" && find . | sort)
}

# Mounts on the host at or below HOSTDIR, other than HOSTDIR itself.
host_mounts_in_hostdir() {
    awk -v d="$HOSTDIR" '$5 != d && index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

assert_hostdir_untouched() {
    local m
    m=$(host_mounts_in_hostdir)
    if [ -n "$m" ]; then
        echo "mounts appeared on the host in $HOSTDIR: $m" >&2
        return 1
    fi
    if [ "$(cd "$HOSTDIR" && find . | sort)" != "$HOSTDIR_LIST" ]; then
        echo "$HOSTDIR changed:" >&2
        (cd "$HOSTDIR" && find . | sort) >&2
        return 1
    fi
    [ "$(cat "$HOSTDIR/canary")" = canary ]
}

# An image (a copy of the rootfs) with the escape symlinks in /mnt.
make_image() {
    IMAGE=$(copy_rootfs)
    local up
    up=$(printf '../%.0s' $(seq 20))
    ln -s / "$IMAGE/mnt/escape-root"
    ln -s "$up${HOSTDIR#/}" "$IMAGE/mnt/escape-rel"
    ln -s "$HOSTDIR" "$IMAGE/mnt/escape-abs"
    SRC=$BATS_TEST_TMPDIR/src
    mkdir -p "$SRC"
    echo from-src >"$SRC/srcfile"
}

@test "mountdest: the detector sees a mount made on HOSTDIR from a container's mount namespace" {
    make_hostdir
    make_bundle '.linux.rootfsPropagation = "rshared"
        | .hooks.createContainer = [{"path": "/bin/mount", "args": ["mount", "-t", "tmpfs", "oci-rt-probe", ($d + "/sub")]}]
        | .process.args = ["/bin/true"]' --arg d "$HOSTDIR"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(host_mounts_in_hostdir)" = "$HOSTDIR/sub" ]
    umount "$HOSTDIR/sub"
    assert_hostdir_untouched
    assert_clean "$ID"
}

@test "mountdest: bind and tmpfs mounts through /mnt/escape-{root,rel,abs} land inside the rootfs" {
    make_hostdir
    make_image
    n=0
    for dest in "/mnt/escape-root$HOSTDIR/sub" /mnt/escape-rel/sub /mnt/escape-abs/sub /mnt/escape-abs /mnt/escape-rel; do
        for type in bind tmpfs; do
            n=$((n + 1))
            make_bundle '.root.path = $img | .linux.rootfsPropagation = "rshared"
                | .mounts += [if $t == "bind" then {"destination": $dest, "type": "bind", "source": $src, "options": ["bind"]}
                              else {"destination": $dest, "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]} end]
                | .process.args = ["/bin/sh", "-c", "ocitest mounts; echo src=$(cat $0/srcfile 2>/dev/null); touch $0/written; echo wrote=$?", $dest]' \
                --arg img "$IMAGE" --arg dest "$dest" --arg t "$type" --arg src "$SRC"
            unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
            assert_hostdir_untouched
            if [ "$status" -eq 0 ]; then
                # where it landed: the symlink resolved inside the rootfs
                # (/mnt/escape-* -> the rootfs' own $HOSTDIR path)
                want=$HOSTDIR
                [[ "$dest" != */sub ]] || want=$HOSTDIR/sub
                line=$(mountinfo_line "$want")
                [ -n "$line" ] || { echo "$dest ($type): no mount at $want inside: $output" >&2; false; }
                [ "$(kv wrote)" = 0 ]
                [ -e "$IMAGE$want/written" ] || [ "$type" = tmpfs ] || [ -e "$SRC/written" ]
                if [ "$type" = bind ]; then
                    assert_kv src from-src
                    rm -f "$SRC/written"
                fi
            else
                echo "# $dest ($type) refused: $stderr" >&3
                [ -n "$stderr" ]
            fi
            assert_clean "$ID"
        done
    done
    [ "$n" -eq 10 ]
}

@test "mountdest: a mount on /mnt/escape-root (-> /) cannot cover the host's /" {
    make_hostdir
    make_image
    roots_before=$(awk '$5 == "/"' /proc/self/mountinfo | wc -l)
    for type in bind tmpfs; do
        make_bundle '.root.path = $img | .linux.rootfsPropagation = "rshared"
            | .mounts += [if $t == "bind" then {"destination": "/mnt/escape-root", "type": "bind", "source": $src, "options": ["bind"]}
                          else {"destination": "/mnt/escape-root", "type": "tmpfs", "source": "tmpfs"} end]
            | .process.args = ["/bin/true"]' --arg img "$IMAGE" --arg t "$type" --arg src "$SRC"
        unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        # (the mount covers the container's own /: a failure is then a
        # one-line error)
        [ "$status" -eq 0 ] || [ "$(grep -c . <<<"$stderr")" -eq 1 ]
        [ "$(awk '$5 == "/"' /proc/self/mountinfo | wc -l)" -eq "$roots_before" ]
        [ -e /etc/hostname ]
        [ -d /usr/bin ]
        assert_hostdir_untouched
        assert_clean "$ID"
    done
}

@test "mountdest: linux.devices through an escape symlink are made inside the rootfs" {
    make_hostdir
    make_image
    make_bundle '.root.path = $img | .root.readonly = false
        | .linux.devices = [{"path": "/mnt/escape-abs/sub/evil-null", "type": "c", "major": 1, "minor": 3},
                            {"path": "/mnt/escape-rel/evil-fifo", "type": "p"}]
        | .process.args = ["/bin/sh", "-c", "ls -l $0/sub/evil-null $0/evil-fifo", $h]' --arg img "$IMAGE" --arg h "$HOSTDIR"
    # the rootfs has no directory at the symlinks' targets: refused with a
    # one-line error, or made inside
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_hostdir_untouched
    if [ "$status" -eq 0 ]; then
        [ -c "$IMAGE$HOSTDIR/sub/evil-null" ]
        [ -p "$IMAGE$HOSTDIR/evil-fifo" ]
    else
        echo "# without the rootfs' own $HOSTDIR: refused: $stderr" >&3
        assert_error_line "device"
    fi
    assert_clean "$ID"
    # with the rootfs' own copy of HOSTDIR the symlinks lead somewhere
    # inside: the nodes are made there (and nothing on the host)
    mkdir -p "$IMAGE$HOSTDIR/sub"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_hostdir_untouched
    [ "$status" -eq 0 ] || { echo "run failed: $stderr" >&2; false; }
    [ -c "$IMAGE$HOSTDIR/sub/evil-null" ]
    [ -p "$IMAGE$HOSTDIR/evil-fifo" ]
    assert_clean "$ID"
}

@test "mountdest: race: a destination swapped between a dir and symlinks by another container (50 creates) never lands outside" {
    make_hostdir
    make_image
    VOL=$BATS_TEST_TMPDIR/vol
    mkdir -p "$VOL/d/sub"
    mkdir -p "$IMAGE/vol"
    # the rootfs' own copy of HOSTDIR: d as a symlink resolved inside the
    # rootfs leads there, so that a create can succeed in that state too
    mkdir -p "$IMAGE$HOSTDIR/sub"
    up=$(printf '../%.0s' $(seq 20))
    # the attacker (with VOL at /mnt): /mnt/d is in turn a directory, a
    # symlink to HOSTDIR, a directory, a relative symlink up to HOSTDIR
    # (directories are renamed away, not removed: removing one would also
    # drop a victim's mount on it)
    script='cd /mnt || exit 1
        echo ready
        i=0
        while :; do
            i=$((i + 1))
            ln -s "$0" l.abs; mv -T d "k.$i.a"; mv -T l.abs d
            mkdir -p n/sub; mv -T d old; mv -T n d; rm -f old
            ln -s "$1" l.rel; mv -T d "k.$i.b"; mv -T l.rel d
            mkdir -p n/sub; mv -T d old; mv -T n d; rm -f old
        done'
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $v, "options": ["bind"]}]
        | .process.args = ["/bin/sh", "-c", $s, $abs, $rel]' \
        --arg v "$VOL" --arg s "$script" --arg abs "$HOSTDIR" --arg rel "$up${HOSTDIR#/}"
    start_ok "$ID-attacker"
    attacker_bundle=$BUNDLE
    wait_for_line "$OUT_DIR/$ID-attacker.out" '^ready$'
    make_bundle '.root.path = $img | .linux.rootfsPropagation = "rshared"
        | .mounts += [{"destination": "/vol", "type": "bind", "source": $v, "options": ["bind"]},
                      {"destination": "/vol/d/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]
        | .process.args = ["/usr/bin/ocitest", "sleep", "30"]' --arg img "$IMAGE" --arg v "$VOL"
    ok=0 failed=0 placed=0 followed=0
    # each round of the attacker renames two directories d away (k.N.a, k.N.b)
    swaps_before=$(find "$VOL" -maxdepth 1 -name 'k.*' | wc -l)
    for i in $(seq 50); do
        unflake oci_detached create --bundle "$BUNDLE" "$ID"
        if [ "$status" -eq 0 ]; then
            ok=$((ok + 1))
            pid=$(container_pid)
            # inside, the tmpfs (size=1m) is in the rootfs: under /vol (the
            # dir may have been renamed since) or the rootfs' own copy of
            # HOSTDIR; or it is gone (its dir was removed by the attacker)
            where=$(awk '$0 ~ / - tmpfs tmpfs .*size=1024k/ { print $5 }' "/proc/$pid/mountinfo")
            if [ -n "$where" ]; then
                placed=$((placed + 1))
                [[ "$where" != "$HOSTDIR"/* ]] || followed=$((followed + 1))
                [[ "$where" == /vol/* || "$where" == "$HOSTDIR"/* ]] || { echo "create $i: the tmpfs is at $where" >&2; false; }
            fi
        else
            failed=$((failed + 1))
            printf '%s\n' "$stderr" | sed 's/k\.[0-9]*\.[ab]/k.N/g' >>"$BATS_TEST_TMPDIR/refusals"
        fi
        [ -z "$(host_mounts_in_hostdir)" ] || { echo "create $i: a mount appeared on the host: $(host_mounts_in_hostdir)" >&2; false; }
        oci delete --force "$ID" >/dev/null 2>&1
        alive "$(container_pid "$ID-attacker")"
    done
    swaps=$(($(find "$VOL" -maxdepth 1 -name 'k.*' | wc -l) - swaps_before))
    echo "# race: $ok created ($placed with the tmpfs in place, $followed of them through a symlink), $failed refused; the attacker swapped d $swaps times" >&3
    [ "$swaps" -gt 0 ] || { echo "the attacker did not swap /mnt/d while the creates ran: the race did not run" >&2; false; }
    [ ! -e "$BATS_TEST_TMPDIR/refusals" ] || sort "$BATS_TEST_TMPDIR/refusals" | uniq -c | sed 's/^/#   /' >&3
    [ $((ok + failed)) -eq 50 ]
    oci delete --force "$ID-attacker"
    assert_hostdir_untouched
    assert_clean "$ID"
    BUNDLE=$attacker_bundle assert_clean "$ID-attacker"
}
