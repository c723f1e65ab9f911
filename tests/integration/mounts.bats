#!/usr/bin/env bats
# The container's filesystem: root, mounts, masked/readonly paths, /dev.

load helpers

run_ok() {
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        echo "output: $output" >&2
        return 1
    fi
}

# A host directory with a file in it.
make_hostdir() {
    HOSTDIR=$BATS_TEST_TMPDIR/host
    mkdir -p "$HOSTDIR"
    echo hello >"$HOSTDIR/file"
}

@test "root readonly: writing to / fails with EROFS" {
    make_bundle '.root.readonly = true | .process.args = ["/usr/bin/ocitest", "write", "/ocitest-ro-probe", "x"]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == "write=EROFS"* ]]
    [ ! -e "$ROOTFS/ocitest-ro-probe" ]
    assert_clean "$ID"
}

@test "root.readonly false: writing to / works" {
    rootfs=$(copy_rootfs)
    make_bundle '.root.readonly = false | .root.path = $r | .process.args = ["/usr/bin/ocitest", "write", "/probe", "x"]' --arg r "$rootfs"
    run_ok
    [ "$output" = write=ok ]
    [ "$(cat "$rootfs/probe")" = x ]
    assert_clean "$ID"
}

@test "a relative root.path resolves in the bundle" {
    make_bundle
    cp -a "$ROOTFS" "$BUNDLE/rootfs"
    jq '.root.path = "rootfs"' "$BUNDLE/config.json" >"$BUNDLE/c"
    mv "$BUNDLE/c" "$BUNDLE/config.json"
    cd /
    run_ok
    assert_kv hostname oci-rt
    run oci state "$ID"
    assert_clean "$ID"
}

@test "readonlyPaths: /proc/sys is read-only (EROFS on a sysctl write)" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "write", "/proc/sys/net/ipv4/ip_forward", "1"]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == "write=EROFS"* ]]
    assert_clean "$ID"
}

@test "readonlyPaths: a custom path (a bind-mounted rw dir) becomes read-only" {
    make_hostdir
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "rw"]}]
        | .linux.readonlyPaths += ["/mnt"]
        | .process.args = ["/usr/bin/ocitest", "write", "/mnt/new", "x"]' --arg h "$HOSTDIR"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == "write=EROFS"* ]]
    [ ! -e "$HOSTDIR/new" ]
    assert_clean "$ID"
}

@test "maskedPaths: default /proc files and dirs are masked" {
    sh_bundle 'for f in /proc/keys /proc/timer_list /proc/kcore /proc/sched_debug; do
            if [ -e "$f" ]; then echo "$f size=$(cat "$f" | wc -c)"; fi; done
        for d in /proc/acpi /proc/scsi /sys/firmware; do
            if [ -e "$d" ]; then echo "$d entries=$(ls -A "$d" | wc -l)"; fi; done'
    run_ok
    n=0
    for f in /proc/keys /proc/timer_list /proc/kcore /proc/sched_debug; do
        [ -e "$f" ] || continue
        n=$((n + 1))
        printf '%s\n' "$output" | grep -x "$f size=0"
    done
    for d in /proc/acpi /proc/scsi /sys/firmware; do
        [ -e "$d" ] && [ -n "$(ls -A "$d")" ] || continue
        n=$((n + 1))
        printf '%s\n' "$output" | grep -x "$d entries=0"
    done
    [ "$n" -gt 0 ] || skip "none of the default masked paths exists on this host"
    assert_clean "$ID"
}

@test "maskedPaths: a custom file (/etc/hostname) and dir (/mnt) read empty and cannot be written" {
    make_hostdir
    [ -s "$ROOTFS/etc/hostname" ]
    sh_bundle 'echo "hostname=[$(cat /etc/hostname)]"
        echo "mnt=[$(ls -A /mnt)]"
        ocitest write /mnt/new x
        ocitest write /etc/hostname changed
        echo "hostname.after=[$(cat /etc/hostname)]"' \
        '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "rw"]}]
         | .linux.maskedPaths += ["/etc/hostname", "/mnt"]' --arg h "$HOSTDIR"
    run_ok
    assert_kv hostname '[]'
    assert_kv mnt '[]'
    [[ "$(kv write)" != ok ]]
    # A masked file is /dev/null: a write is either refused or lost.
    assert_kv hostname.after '[]'
    [ ! -e "$HOSTDIR/new" ]
    [ "$(cat "$HOSTDIR/file")" = hello ]
    [ "$(cat "$ROOTFS/etc/hostname")" = ocitest ]
    assert_clean "$ID"
}

@test "maskedPaths: a path that does not exist is ignored" {
    make_bundle '.linux.maskedPaths += ["/no/such/path", "/proc/no-such-file"]'
    run_ok
    assert_kv hostname oci-rt
    assert_clean "$ID"
}

@test "tmpfs mount with options: size, mode, nosuid/nodev/noexec show in mountinfo" {
    sh_bundle 'ocitest mounts; ocitest stat /mnt; ocitest write /mnt/f x' \
        '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs",
            "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"]}]'
    run_ok
    line=$(mountinfo_line /mnt)
    [ -n "$line" ]
    opts=$(awk '{ print $6 }' <<<"$line")
    super=$(awk '{ print $NF }' <<<"$line")
    [[ ",$opts," == *,nosuid,* ]]
    [[ ",$opts," == *,nodev,* ]]
    [[ ",$opts," == *,noexec,* ]]
    [[ ",$opts," == *,rw,* ]]
    [[ ",$super," == *,size=1024k,* ]]
    [[ ",$super," == *,mode=1770,* ]]
    [[ "$line" == *" - tmpfs tmpfs "* ]]
    assert_kv type dir
    assert_kv mode 1770
    assert_kv write ok
    assert_clean "$ID"
}

@test "tmpfs mount with ro is read-only" {
    sh_bundle 'ocitest mounts; ocitest write /mnt/f x' \
        '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "size=64k"]}]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ ",$(mountinfo_line /mnt | awk '{ print $6 }')," == *,ro,* ]]
    [[ "$(kv write)" == EROFS* ]]
    assert_clean "$ID"
}

@test "bind mount of a host dir, read-only" {
    make_hostdir
    sh_bundle 'ocitest mounts; echo "content=$(cat /mnt/file)"; ocitest write /mnt/new x' \
        '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "ro"]}]' --arg h "$HOSTDIR"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    assert_kv content hello
    [[ "$(kv write)" == EROFS* ]]
    [[ ",$(mountinfo_line /mnt | awk '{ print $6 }')," == *,ro,* ]]
    [ ! -e "$HOSTDIR/new" ]
    assert_clean "$ID"
}

@test "bind mount of a host dir, read-write: the host sees the writes" {
    make_hostdir
    sh_bundle 'echo "content=$(cat /mnt/file)"; ocitest write /mnt/new from-container' \
        '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["bind", "rw"]}]' --arg h "$HOSTDIR"
    run_ok
    assert_kv content hello
    assert_kv write ok
    [ "$(cat "$HOSTDIR/new")" = from-container ]
    assert_clean "$ID"
}

@test "bind mount with a relative source resolves in the bundle" {
    sh_bundle 'echo "content=$(cat /mnt/file)"' \
        '.mounts += [{"destination": "/mnt", "type": "bind", "source": "data", "options": ["rbind", "ro"]}]'
    mkdir "$BUNDLE/data"
    echo in-bundle >"$BUNDLE/data/file"
    cd /
    run_ok
    assert_kv content in-bundle
    assert_clean "$ID"
}

@test "bind mount of a single file" {
    echo "10.9.8.7 filehost" >"$BATS_TEST_TMPDIR/hosts"
    sh_bundle 'echo "hosts=$(cat /etc/hosts)"; ocitest stat /etc/hosts; ocitest mounts' \
        '.mounts += [{"destination": "/etc/hosts", "type": "bind", "source": $f, "options": ["bind", "ro"]}]' \
        --arg f "$BATS_TEST_TMPDIR/hosts"
    run_ok
    assert_kv hosts "10.9.8.7 filehost"
    assert_kv type file
    [ -n "$(mountinfo_line /etc/hosts)" ]
    assert_clean "$ID"
}

@test "rbind carries submounts, bind does not" {
    make_hostdir
    mkdir "$HOSTDIR/sub"
    mount -t tmpfs -o size=64k ocitest-sub "$HOSTDIR/sub"
    echo submount >"$HOSTDIR/sub/subfile"

    sh_bundle 'echo "sub=[$(cat /mnt/sub/subfile 2>/dev/null)]"' \
        '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "ro"]}]' --arg h "$HOSTDIR"
    run_ok
    assert_kv sub '[submount]'
    assert_clean "$ID"

    sh_bundle 'echo "sub=[$(cat /mnt/sub/subfile 2>/dev/null)]"' \
        '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["bind", "ro"]}]' --arg h "$HOSTDIR"
    run_ok
    assert_kv sub '[]'
    assert_clean "$ID"
    umount "$HOSTDIR/sub"
}

@test "mount propagation options and rootfsPropagation are accepted" {
    make_hostdir
    for prop in rprivate private rslave slave rshared shared runbindable; do
        make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "ro", $p]}]
            | .process.args = ["/bin/cat", "/mnt/file"]' --arg h "$HOSTDIR" --arg p "$prop"
        run_ok
        [ "$output" = hello ]
        assert_clean "$ID"
    done
    for prop in private slave shared; do
        make_bundle '.linux.rootfsPropagation = $p' --arg p "$prop"
        run_ok
        assert_kv hostname oci-rt
        assert_clean "$ID"
    done
}

@test "a mount never propagates back to the host" {
    make_hostdir
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $h, "options": ["rbind", "rw", "rshared"]},
        {"destination": "/mnt/inner", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}]
        | .process.args = ["/usr/bin/ocitest", "report"]' --arg h "$HOSTDIR"
    mkdir "$HOSTDIR/inner"
    run_ok
    [ -z "$(_mounts_under "$HOSTDIR")" ]
    assert_clean "$ID"
}

@test "a missing mount destination is created (writable rootfs copy)" {
    rootfs=$(copy_rootfs)
    sh_bundle 'ocitest stat /new/dir/deep; ocitest mounts' \
        '.root.path = $r | .mounts += [{"destination": "/new/dir/deep", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}]' --arg r "$rootfs"
    run_ok
    assert_kv type dir
    [ -n "$(mountinfo_line /new/dir/deep)" ]
    assert_clean "$ID"
}

@test "/dev: char devices with the right numbers, fd symlinks, ptmx -> pts/ptmx" {
    sh_bundle 'for d in null zero full random urandom tty; do echo "== $d"; ocitest stat /dev/$d; done
        for l in fd stdin stdout stderr ptmx; do echo "link.$l=$(readlink /dev/$l)"; done
        ocitest stat /dev/pts/ptmx | sed "s/^/pts./"
        ocitest mounts'
    run_ok
    for dev in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
        name=${dev%%:*}
        block=$(printf '%s\n' "$output" | sed -n "/^== $name\$/,/^size=/p")
        assert_kv type chr "$block"
        assert_kv rdev "${dev#*:}" "$block"
        assert_kv mode 0666 "$block"
    done
    assert_kv link.fd /proc/self/fd
    assert_kv link.stdin /proc/self/fd/0
    assert_kv link.stdout /proc/self/fd/1
    assert_kv link.stderr /proc/self/fd/2
    assert_kv link.ptmx pts/ptmx
    assert_kv pts.type chr
    assert_kv pts.rdev 5:2
    [[ "$(mountinfo_line /dev)" == *" - tmpfs "* ]]
    [[ "$(mountinfo_line /dev/pts)" == *" - devpts "* ]]
    [[ "$(mountinfo_line /dev/shm)" == *" - tmpfs "* ]]
    [[ "$(mountinfo_line /dev/mqueue)" == *" - mqueue "* ]]
    [[ "$(mountinfo_line /proc)" == *" - proc "* ]]
    [[ "$(mountinfo_line /sys)" == *" - sysfs "* ]]
    assert_clean "$ID"
}

@test "/dev/null, /dev/zero and /dev/full behave" {
    sh_bundle 'echo x >/dev/null && echo null=ok
        echo "zero=$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")"
        ocitest write /dev/full x
        echo "urandom=$(head -c 16 /dev/urandom | wc -c)"'
    run_ok
    assert_kv null ok
    assert_kv zero 00000000
    [[ "$(kv write)" == ENOSPC* ]]
    assert_kv urandom 16
    assert_clean "$ID"
}

@test "linux.devices creates a device node" {
    sh_bundle 'ocitest stat /dev/mynull' \
        '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 0, "gid": 0}]
         | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
    run_ok
    assert_kv type chr
    assert_kv rdev 1:3
    assert_kv mode 0660
    assert_clean "$ID"
}
