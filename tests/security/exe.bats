#!/usr/bin/env bats
# The runtime's binary (the CVE-2019-5736 class): no process of a container
# may get a writable handle on the host's oci-rt, and the binary on the
# host stays the same.  The attacker (exe_attack.c) only ever opens: an
# open(..., O_WRONLY) that succeeds is the finding, nothing is written.

load ../integration/helpers

eval "$(declare -f setup_file | sed '1s/^setup_file/_helpers_setup_file/')"

setup_file() {
    _helpers_setup_file || return 1
    local src=$BATS_TEST_DIRNAME/exe_attack.c
    gcc -static -O2 -o "$BATS_FILE_TMPDIR/exe_attack" "$src" &&
        gcc -DINTERP -static -nostdlib -fno-stack-protector -fno-builtin -O2 \
            -o "$BATS_FILE_TMPDIR/ld.so" "$src"
}

eval "$(declare -f setup | sed '1s/^setup/_helpers_setup/')"

setup() {
    _helpers_setup
    RT_SUM=$(sha256sum <"$OCI_RT")
    RT_ID=$(stat -L -c '%d:%i' "$OCI_RT")
}

assert_binary_unchanged() {
    [ "$(sha256sum <"$OCI_RT")" = "$RT_SUM" ] || {
        echo "THE RUNTIME BINARY $OCI_RT CHANGED" >&2
        return 1
    }
}

@test "exe: inside, /proc/self/exe is the container's program and cannot be opened for writing" {
    make_bundle '.process.args = ["/bin/sh", "-c", "stat -L -c exe=%d:%i /proc/self/exe; exec ocitest exe-write"]'
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ -n "$(kv exe)" ] || { echo "the probe did not run: $output $stderr" >&2; false; }
    [ "$(kv exe)" != "$RT_ID" ]
    [ -n "$(kv exe_write)" ]
    [ "$(kv exe_write)" != ok ]
    assert_binary_unchanged
    assert_clean "$ID"
}

@test "exe: a created container's init (runtime code) is non-dumpable (user namespace: its /proc files belong to root until it execs)" {
    # A dumpable process's /proc/PID files belong to its euid (here host
    # 100000); a non-dumpable one's to root.
    make_bundle '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    create_ok
    pid=$(container_pid)
    grep -qE '^Uid:\s+100000\s' "/proc/$pid/status"
    [ "$(stat -c %u "/proc/$pid/status")" = 0 ]
    # non-root, capability-less: no way to it
    run setpriv --reuid 65534 --regid 65534 --clear-groups readlink "/proc/$pid/exe"
    [ "$status" -ne 0 ]
    oci start "$ID"
    # the user's program is dumpable again (the control)
    [ "$(stat -c %u "/proc/$pid/status")" = 100000 ]
    oci delete --force "$ID"
    assert_binary_unchanged
    assert_clean "$ID"
}

@test "exe: rootless: the user's other processes cannot reach a created container's init exe" {
    rl=$(mktemp -d /tmp/oci-rt-rl.XXXXXX)
    defer "rm -rf '$rl'"
    chmod 755 "$rl"
    cp "$OCI_RT" "$rl/oci-rt"
    mkdir "$rl/xdg" "$rl/bundle"
    chown -R 65534:65534 "$rl"
    as_user() {
        setpriv --reuid 65534 --regid 65534 --clear-groups \
            env -i PATH=/usr/bin:/bin HOME="$rl" XDG_RUNTIME_DIR="$rl/xdg" "$@"
    }
    defer "as_user '$rl/oci-rt' delete --force '$ID'"
    as_user "$rl/oci-rt" spec --rootless --bundle "$rl/bundle"
    jq --arg r "$ROOTFS" '.process.terminal = false | .root.path = $r | .process.args = ["/usr/bin/ocitest", "sleep", "30"]' \
        "$rl/bundle/config.json" >"$rl/bundle/c"
    chmod 644 "$rl/bundle/c"
    mv "$rl/bundle/c" "$rl/bundle/config.json"
    as_user "$rl/oci-rt" create --bundle "$rl/bundle" "$ID" </dev/null >"$OUT_DIR/out" 2>"$OUT_DIR/err" 3>&- ||
        { cat "$OUT_DIR/err" >&2; false; }
    pid=$(as_user "$rl/oci-rt" state "$ID" | jq -r .pid)
    # the control: the same user reaches its own processes
    run as_user sh -c 'sleep 5 & readlink /proc/$!/exe'
    [ "$status" -eq 0 ]
    [[ "$output" == */sleep ]]
    run as_user readlink "/proc/$pid/exe"
    [ "$status" -ne 0 ]
    run as_user sh -c "exec 3</proc/$pid/exe"
    [ "$status" -ne 0 ]
    as_user "$rl/oci-rt" delete --force "$ID"
    assert_binary_unchanged
}

@test "exe: a container in the host's pid namespace cannot open a created container's init exe (write, read, O_PATH), nor reopen it after start" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    create_ok "$ID-victim"
    victim=$(container_pid "$ID-victim")
    victim_bundle=$BUNDLE
    vol=$BATS_TEST_TMPDIR/vol
    mkdir -p "$vol"
    cp "$BATS_FILE_TMPDIR/exe_attack" "$vol/"
    make_bundle '.linux.namespaces |= map(select(.type != "pid"))
        | .mounts += [{"destination": "/mnt", "type": "bind", "source": $v, "options": ["rbind"]}]
        | .process.args = ["/mnt/exe_attack", "probe", $p, "4", "/mnt/started"]' \
        --arg v "$vol" --arg p "$victim"
    start_ok "$ID-attacker"
    wait_for_line "$OUT_DIR/$ID-attacker.out" '^ready$'
    sleep 1
    oci start "$ID-victim"
    touch "$vol/started"
    wait_for_line "$OUT_DIR/$ID-attacker.out" '^done$' 10
    out=$(cat "$OUT_DIR/$ID-attacker.out")
    echo "# attacker: $(grep -E '^(got|reopen_write)' <<<"$out" | tr '\n' ' ')" >&3
    # before start: nothing
    grep -qx 'exe_write=EACCES' <<<"$out"
    grep -qx 'exe_opath=EACCES' <<<"$out"
    not grep -qx 'exe_write=ok' <<<"$out"
    # never a handle on the runtime's binary, never a writable reopen
    not grep -qx "got=$RT_ID" <<<"$out"
    not grep -q '^reopen_write\..*=ok$' <<<"$out"
    oci delete --force "$ID-victim"
    oci delete --force "$ID-attacker"
    assert_binary_unchanged
    BUNDLE=$victim_bundle assert_clean "$ID-victim"
    assert_clean "$ID-attacker"
}

# An image for the "#!/proc/self/exe" attack (sets IMAGE): /evil is a
# script whose interpreter is the /proc/self/exe of the process that execs
# it, with the argument /stage1. Whatever that binary is, the attack ran
# when one of its two marks is in the output:
#  - a dynamic binary (the runtime's own, when a container program is
#    exec'd from runtime code): the kernel loads it with the image's ELF
#    interpreter at the path of its PT_INTERP, the attacker's ld.so
#    (exe_attack.c -DINTERP), which prints interp.ran=1, tries to open
#    /proc/self/exe for writing, keeps an O_PATH fd 9 of it and execs
#    /stage2, which retries the write through /proc/self/fd/9 once the
#    runtime has exited;
#  - oci-rt's sealed exec stub (static: no interpreter is loaded), which
#    execs its first argument: /stage1 prints stub.exec=/stage1.
# /rt-copy (a copy of the runtime's binary in the image) is the control:
# exec'd by path it must load the image's interpreter (interp.ran=1).
make_interp_image() {
    local interp
    # a static oci-rt has no interpreter an image could supply: the attack
    # goes against its dynamic twin (the same code; what the systemd driver
    # and profile run, and what --disable-static-runtime installs)
    if ! readelf -l "$OCI_RT" | grep -q 'program interpreter' && [ "$(oci_rt_dynamic)" != "$OCI_RT" ]; then
        OCI_RT=$(oci_rt_dynamic)
        RT_SUM=$(sha256sum <"$OCI_RT")
        RT_ID=$(stat -L -c '%d:%i' "$OCI_RT")
        echo "# oci-rt is static: the attack runs against $OCI_RT" >&3
    fi
    interp=$(readelf -l "$OCI_RT" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    [ -n "$interp" ] || skip "$OCI_RT is static: there is no ELF interpreter an image could supply"
    IMAGE=$(copy_rootfs)
    mkdir -p "$IMAGE$(dirname "$interp")"
    cp "$BATS_FILE_TMPDIR/ld.so" "$IMAGE$interp"
    cp "$OCI_RT" "$IMAGE/rt-copy"
    printf '#!/proc/self/exe /stage1\n' >"$IMAGE/evil"
    printf '#!/bin/sh\necho stub.exec=/stage1\n' >"$IMAGE/stage1"
    cat >"$IMAGE/stage2" <<'EOF'
#!/bin/sh
echo "stage2.fd9=$(stat -L -c %d:%i /proc/self/fd/9 2>/dev/null)"
i=0
while [ $i -lt 30 ]; do
    ocitest open /proc/self/fd/9 w | sed 's/ (.*//; s/^/stage2./'
    i=$((i + 1))
    sleep 0.1
done | sort -u
echo stage2.done
EOF
    chmod 755 "$IMAGE/evil" "$IMAGE/stage1" "$IMAGE/stage2"
}

# assert_interp_attack_held OUTPUT: the attack ran (one of its marks is
# there) and got no writable handle on the runtime's binary.
assert_interp_attack_held() {
    local out=$1 fd9
    if grep -qx 'interp.ran=1' <<<"$out"; then
        echo "# /proc/self/exe was a dynamic binary: the image's interpreter ran in it" >&3
        grep -qx 'stage2.done' <<<"$out" || {
            echo "the attack's second stage did not run: $out" >&2
            return 1
        }
        not grep -qx 'interp.exe_write=ok' <<<"$out"
        fd9=$(kv stage2.fd9 "$out")
        [ -n "$fd9" ] || {
            echo "the attacker got no O_PATH fd of /proc/self/exe: $out" >&2
            return 1
        }
        if [ "$fd9" = "$RT_ID" ] && grep -qx 'stage2.open=ok' <<<"$out"; then
            echo "the container opened the host's runtime binary for writing through an O_PATH fd of /proc/self/exe" >&2
            return 1
        fi
    elif grep -qx 'stub.exec=/stage1' <<<"$out"; then
        echo "# /proc/self/exe was oci-rt's exec stub (it exec'd /stage1): no code of the image ran in a binary of the host" >&3
    else
        echo "the attack did not run: neither the image's interpreter nor the exec stub ran for /evil; output: '$out'" >&2
        return 1
    fi
}

@test "exe: the control of the '#!/proc/self/exe' attack: a dynamic binary of the image runs with the image's ELF interpreter" {
    make_interp_image
    make_bundle '.root.path = $r | .process.args = ["/rt-copy"]' --arg r "$IMAGE"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    grep -qx 'interp.ran=1' <<<"$output" || {
        echo "the attacker's interpreter did not run (status $status): $output $stderr" >&2
        false
    }
    grep -qx 'stage2.done' <<<"$output"
    assert_binary_unchanged
    assert_clean "$ID"
}

@test "exe: an image running '#!/proc/self/exe' (with its own ELF interpreter) gets no writable handle on the runtime's binary" {
    make_interp_image
    make_bundle '.root.path = $r | .process.args = ["/evil"]' --arg r "$IMAGE"
    start_ok
    # no oci-rt process is left to hold the binary busy once start returned
    wait_for_status "$ID" stopped 10 || true
    assert_interp_attack_held "$(container_out)"
    oci delete --force "$ID"
    assert_binary_unchanged
    assert_clean "$ID"
}

@test "exe: exec of a '#!/proc/self/exe' program in a running container (CVE-2019-5736's own path) gets no writable handle on the runtime's binary" {
    make_interp_image
    make_bundle '.root.path = $r | .process.args = ["/usr/bin/ocitest", "sleep", "60"]' --arg r "$IMAGE"
    start_ok
    # detached, as the attacker of the CVE waits for the runtime to exit
    # (a runtime still running keeps its binary busy: ETXTBSY)
    oci exec -d "$ID" /evil </dev/null >"$OUT_DIR/exec.out" 2>&1 3>&-
    wait_for_line "$OUT_DIR/exec.out" '^(stage2\.done|stub\.exec=/stage1)$' 15
    assert_interp_attack_held "$(cat "$OUT_DIR/exec.out")"
    oci delete --force "$ID"
    assert_binary_unchanged
    assert_clean "$ID"
}
