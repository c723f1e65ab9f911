#!/usr/bin/env bats
# Mounts, part 2: recursive mount options (mount_setattr), idmapped mounts,
# device nodes on mounts.

load helpers

run_ok() {
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        echo "output: $output" >&2
        return 1
    fi
}

# A host directory with a file and a tmpfs submount (with a file) under it.
make_tree() {
    TREE=$BATS_TEST_TMPDIR/tree
    mkdir -p "$TREE/sub"
    echo top >"$TREE/file"
    mount -t tmpfs -o size=1m oci-rt-test-sub "$TREE/sub"
    echo sub >"$TREE/sub/file"
    cp /bin/true "$TREE/sub/exe"
}

# The per-mount options (field 6) of mount point $1 in $output.
vfs_opts() {
    mountinfo_line "$1" | awk '{ print $6 }'
}

# has_opt OPTS OPT: OPT is one of the comma-separated OPTS.
has_opt() {
    [[ ",$1," == *",$2,"* ]]
}

tree_bundle() {
    local opts=$1
    shift
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $t, "options": $o}]
        | .process.args = ["/bin/sh", "-c", "ocitest mounts; ocitest write /mnt/new x | sed s/^/top./; ocitest write /mnt/sub/new x | sed s/^/sub./; /mnt/sub/exe; echo exec=$?"]' \
        --arg t "$TREE" --argjson o "$opts" "$@"
}

@test "recursive options: rro, rnosuid, rnodev, rnoexec, rrelatime reach the submount of an rbind" {
    make_tree
    tree_bundle '["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rrelatime"]'
    run_ok
    for m in /mnt /mnt/sub; do
        o=$(vfs_opts "$m")
        for want in ro nosuid nodev noexec relatime; do
            has_opt "$o" "$want" || { echo "$m: '$o' lacks $want" >&2; false; }
        done
    done
    assert_kv top.write EROFS
    assert_kv sub.write EROFS
    [ "$(kv exec)" != 0 ]
    [ ! -e "$TREE/new" ]
    [ ! -e "$TREE/sub/new" ]
    # the host's mounts are untouched
    awk -v m="$TREE/sub" '$5 == m { print $6 }' /proc/self/mountinfo | grep -q '^rw'
    assert_clean "$ID"
}

@test "recursive options: plain ro on an rbind leaves the submount writable (the control case)" {
    make_tree
    tree_bundle '["rbind", "ro"]'
    run_ok
    has_opt "$(vfs_opts /mnt)" ro
    has_opt "$(vfs_opts /mnt/sub)" rw
    assert_kv top.write EROFS
    assert_kv sub.write ok
    [ "$(cat "$TREE/sub/new")" = x ]
    assert_clean "$ID"
}

@test "recursive options: rnosymfollow and rnodiratime" {
    make_tree
    tree_bundle '["rbind", "rnosymfollow", "rnodiratime"]'
    run_ok
    for m in /mnt /mnt/sub; do
        has_opt "$(vfs_opts "$m")" nosymfollow
        has_opt "$(vfs_opts "$m")" nodiratime
    done
    assert_clean "$ID"
}

@test "recursive options: rnoatime on an rbind" {
    make_tree
    tree_bundle '["rbind", "rnoatime"]'
    run_ok
    has_opt "$(vfs_opts /mnt)" noatime
    has_opt "$(vfs_opts /mnt/sub)" noatime
    assert_clean "$ID"
}

@test "recursive options: rstrictatime on an rbind (no relatime/noatime left)" {
    make_tree
    tree_bundle '["rbind", "rstrictatime"]'
    run_ok
    for m in /mnt /mnt/sub; do
        o=$(vfs_opts "$m")
        not has_opt "$o" relatime
        not has_opt "$o" noatime
    done
    assert_clean "$ID"
}

@test "recursive options: rro on a tmpfs mount" {
    make_bundle '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["rro"]}]
        | .process.args = ["/bin/sh", "-c", "ocitest mounts; ocitest write /mnt/x y"]'
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    has_opt "$(vfs_opts /mnt)" ro
    assert_kv write EROFS
    assert_clean "$ID"
}

# ------------------------------------------------------------------ idmap

USERNS='.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'

# A host directory with files owned by host root and by 100005, in a place
# the container's root (host uid 100000) can reach: a plain bind source is
# looked up from inside the user namespace (bats' temp dir is 0700).
make_iddir() {
    IDDIR=$(mktemp -d /tmp/oci-rt-ids.XXXXXX)
    defer "rm -rf '$IDDIR'"
    chmod 777 "$IDDIR"
    echo root >"$IDDIR/rootfile"
    echo user >"$IDDIR/userfile"
    chown 100005:100005 "$IDDIR/userfile"
}

@test "idmap: a bind with idmap in a user namespace shows host root's file as 0; a plain bind shows 65534" {
    make_iddir
    make_bundle "$USERNS"'
        | .mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind", "idmap"]},
                      {"destination": "/tmp", "type": "bind", "source": $d, "options": ["bind"]}]
        | .process.args = ["/bin/sh", "-c",
            "ocitest mounts; ocitest stat /mnt/rootfile | sed s/^/idmap./; ocitest stat /tmp/rootfile | sed s/^/plain./; ocitest stat /tmp/userfile | sed s/^/plainuser./; echo new >/mnt/new"]' \
        --arg d "$IDDIR"
    run_ok
    assert_kv idmap.uid 0
    assert_kv idmap.gid 0
    assert_kv plain.uid 65534
    assert_kv plain.gid 65534
    assert_kv plainuser.uid 5
    has_opt "$(vfs_opts /mnt)" idmapped
    not has_opt "$(vfs_opts /tmp)" idmapped
    # written through the idmapped mount by the container's root: host root's
    [ "$(stat -c %u:%g "$IDDIR/new")" = 0:0 ]
    assert_clean "$ID"
}

@test "idmap: a mount with its own uidMappings/gidMappings, without a user namespace" {
    make_iddir
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind"],
                              "uidMappings": [{"containerID": 0, "hostID": 3000, "size": 10}],
                              "gidMappings": [{"containerID": 0, "hostID": 4000, "size": 10}]}]
        | .process.args = ["/bin/sh", "-c", "ocitest mounts; ocitest stat /mnt/rootfile | sed s/^/m./; ocitest stat /mnt/userfile | sed s/^/u./"]' \
        --arg d "$IDDIR"
    run_ok
    assert_kv m.uid 3000
    assert_kv m.gid 4000
    # not in the mapping: the overflow id
    assert_kv u.uid 65534
    has_opt "$(vfs_opts /mnt)" idmapped
    # the host's files keep their owners
    [ "$(stat -c %u:%g "$IDDIR/rootfile")" = 0:0 ]
    assert_clean "$ID"
}

@test "idmap: idmap without a user namespace or mappings fails clearly" {
    make_iddir
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind", "idmap"]}]' --arg d "$IDDIR"
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "/mnt" "idmap"
    assert_clean "$ID"
}

@test "idmap: an idmapped mount does not change the ids seen through other mounts of the same dir" {
    make_iddir
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind"],
                              "uidMappings": [{"containerID": 0, "hostID": 3000, "size": 10}],
                              "gidMappings": [{"containerID": 0, "hostID": 4000, "size": 10}]},
                             {"destination": "/tmp", "type": "bind", "source": $d, "options": ["bind"]}]
        | .process.args = ["/bin/sh", "-c", "ocitest stat /tmp/rootfile"]' --arg d "$IDDIR"
    run_ok
    assert_kv uid 0
    assert_kv gid 0
    assert_clean "$ID"
}

# ------------------------------------------------------------------ devices on mounts

@test "devices on mounts: a device node on a nodev bind cannot be opened; without nodev it can" {
    DEVDIR=$BATS_TEST_TMPDIR/devdir
    mkdir -p "$DEVDIR"
    mknod -m 666 "$DEVDIR/null" c 1 3
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind", "nodev"]}]
        | .process.args = ["/usr/bin/ocitest", "open", "/mnt/null", "rw"]' --arg d "$DEVDIR"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == open=EACCES* ]]
    assert_clean "$ID"
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind", "dev"]}]
        | .process.args = ["/usr/bin/ocitest", "open", "/mnt/null", "rw"]' --arg d "$DEVDIR"
    run_ok
    [ "$output" = open=ok ]
    assert_clean "$ID"
}

@test "devices on mounts: a bind-mounted device the device cgroup denies cannot be opened" {
    DEVDIR=$BATS_TEST_TMPDIR/devdir
    mkdir -p "$DEVDIR"
    # /dev/fuse (10:229): not one of the default allowed devices, harmless
    mknod -m 666 "$DEVDIR/fuse" c 10 229
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["bind", "dev"]}]
        | .process.args = ["/usr/bin/ocitest", "open", "/mnt/fuse", "rw"]' --arg d "$DEVDIR"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == open=EPERM* ]]
    assert_clean "$ID"
}

@test "devices on mounts: the default /dev is a nodev-free tmpfs holding only the standard nodes; /dev/shm and /dev/mqueue are nodev" {
    make_bundle '.process.args = ["/bin/sh", "-c", "ocitest mounts; echo devs=$(ls /dev | paste -sd,)"]'
    run_ok
    not has_opt "$(vfs_opts /dev)" nodev
    has_opt "$(vfs_opts /dev/shm)" nodev
    has_opt "$(vfs_opts /dev/mqueue)" nodev
    for d in null zero full random urandom tty; do
        has_opt "$(kv devs)" "$d"
    done
    # nothing else of the host's /dev
    not has_opt "$(kv devs)" kmsg
    not has_opt "$(kv devs)" vda
    assert_clean "$ID"
}

@test "propagation: rootfsPropagation and mount options unbindable / runbindable are applied (runc 1.1.5 fails the rootfs one)" {
    local p m
    for p in unbindable runbindable; do
        for m in unbindable runbindable; do
            make_bundle '.linux.rootfsPropagation = $p
                | .mounts += [{"destination": "/mnt", "type": "bind", "source": $src, "options": ["rbind", $m]}]
                | .process.args = ["/bin/cat", "/proc/self/mountinfo"]' \
                --arg p "$p" --arg m "$m" --arg src "$BATS_TEST_TMPDIR"
            run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
            awk '$5 == "/" { print }' <<<"$output" | grep -q " unbindable " || {
                echo "rootfsPropagation $p: / is not unbindable: $output" >&2
                false
            }
            awk '$5 == "/mnt" { print }' <<<"$output" | grep -q " unbindable " || {
                echo "mount option $m: /mnt is not unbindable" >&2
                false
            }
            assert_clean "$ID"
        done
    done
}
