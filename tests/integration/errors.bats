#!/usr/bin/env bats
# Failures: non-zero exit, one clear line on stderr naming the object and
# the cause, and nothing of the container left behind.

load helpers

# expect_create_fails REGEX...: create (and then run) must fail with one
# stderr line matching every REGEX, and leave nothing.
expect_create_fails() {
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "$@"
    assert_clean "$ID"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "$@"
    assert_clean "$ID"
}

@test "invalid JSON in config.json" {
    make_bundle
    printf '{ "ociVersion": "1.2.0", "process": { ' >"$BUNDLE/config.json"
    expect_create_fails "config.json" "json|parse|syntax|unexpected|end of|truncated|invalid"
}

@test "config.json is not an object" {
    make_bundle
    echo '[1, 2]' >"$BUNDLE/config.json"
    expect_create_fails "config.json" "object"
}

@test "wrong type: process.args[1] is a number" {
    make_bundle '.process.args = ["/usr/bin/ocitest", 5]'
    expect_create_fails 'process\.args\[1\]: expected a string'
}

@test "wrong type: root.readonly is a string" {
    make_bundle '.root.readonly = "yes"'
    expect_create_fails 'root\.readonly' "expected a bool|boolean"
}

@test "missing required field: ociVersion" {
    make_bundle 'del(.ociVersion)'
    expect_create_fails "ociVersion" "required|missing"
}

@test "missing required field: process.cwd" {
    make_bundle 'del(.process.cwd)'
    expect_create_fails "process\.cwd" "required|missing"
}

@test "unsupported ociVersion" {
    make_bundle '.ociVersion = "2.0.0"'
    expect_create_fails "ociVersion" "2\.0\.0" "unsupported|not supported"
}

@test "missing config.json" {
    make_bundle
    rm "$BUNDLE/config.json"
    expect_create_fails "config.json" "no such file|does not exist|not found"
}

@test "missing bundle directory" {
    make_bundle
    rm -r "$BUNDLE"
    mkdir "$BUNDLE" # assert_clean checks under it; an empty dir is fine
    rmdir "$BUNDLE"
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "$BUNDLE" "no such file|does not exist|not found"
    assert_clean "$ID"
}

@test "missing rootfs" {
    make_bundle '.root.path = $p' --arg p "$BATS_TEST_TMPDIR/no-such-rootfs"
    expect_create_fails "no-such-rootfs" "root|rootfs" "no such file|does not exist|not found"
}

@test "bind mount source missing" {
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]}]' \
        --arg s "$BATS_TEST_TMPDIR/no-such-source"
    expect_create_fails "no-such-source" "/mnt|mount" "no such file|does not exist|not found"
}

@test "unknown mount type" {
    make_bundle '.mounts += [{"destination": "/mnt", "type": "nosuchfs", "source": "x"}]'
    expect_create_fails "/mnt" "nosuchfs"
}

@test "a cwd the image lacks is created (0755, as runc does); one that cannot be is a clear error" {
    local rootfs
    rootfs=$(copy_rootfs)
    make_bundle '.root.path = $r | .process.cwd = "/no/such/dir" | .process.user = {"uid": 1000, "gid": 1000}
        | .process.args = ["/bin/sh", "-c", "pwd; stat -c %a.%u /no/such/dir /no/such"]' --arg r "$rootfs"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$output" = "$(printf '/no/such/dir\n755.0\n755.0')" ]
    assert_clean "$ID"
    # under a file: cannot be made
    make_bundle '.process.cwd = "/etc/passwd/sub"'
    expect_create_fails "process\.cwd /etc/passwd/sub" "not a directory"
}

@test "relative cwd is refused" {
    make_bundle '.process.cwd = "tmp"'
    expect_create_fails "cwd" "absolute"
}

@test "unknown user (process.user.username nosuchuser)" {
    make_bundle '.process.user = {"uid": 0, "gid": 0, "username": "nosuchuser"}'
    expect_create_fails "nosuchuser" "user"
}

@test "unknown capability name: a warning naming it, ignored (as runc does)" {
    make_bundle '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    printf '%s\n' "$stderr" | grep -i warn | grep CAP_NO_SUCH_THING
    assert_kv caps.bnd "$(capmask 29 5 10)"
    assert_clean "$ID"
}

@test "unknown namespace type" {
    make_bundle '.linux.namespaces += [{"type": "nosuchns"}]'
    expect_create_fails "nosuchns" "namespace"
}

@test "unknown rlimit type" {
    make_bundle '.process.rlimits += [{"type": "RLIMIT_NOSUCH", "soft": 1, "hard": 1}]'
    expect_create_fails "RLIMIT_NOSUCH"
}

@test "exec of a missing binary (run): runc's words, exit status 127" {
    make_bundle '.process.args = ["/no/such/bin"]'
    run -127 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line 'exec: "/no/such/bin": stat /no/such/bin: no such file or directory$'
    assert_clean "$ID"
}

@test "exec of a missing binary (create + start)" {
    make_bundle '.process.args = ["/no/such/bin"]'
    oci_detached create --bundle "$BUNDLE" "$ID"
    if [ "$status" -eq 0 ]; then
        # Found only at start: start must fail, and delete clean.
        run --separate-stderr oci start "$ID"
        assert_error_line "/no/such/bin" "no such file|not found|does not exist"
        oci delete --force "$ID"
    else
        assert_error_line "/no/such/bin" "no such file|not found|does not exist"
    fi
    assert_clean "$ID"
}

@test "exec of a non-executable file: runc's words, exit status 126" {
    make_bundle '.process.args = ["/etc/passwd"]'
    run -126 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line 'exec: "/etc/passwd": permission denied$'
    assert_clean "$ID"
}

@test "a bare command not in PATH: runc's words, exit status 127" {
    make_bundle '.process.args = ["no-such-command"]'
    run -127 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line 'exec: "no-such-command": executable file not found in \$PATH$'
    assert_clean "$ID"
}

@test "taken container ID: already exists, the first one is untouched" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    start_ok
    pid=$(container_pid)
    state_before=$(oci state "$ID")
    make_bundle
    oci_detached create --bundle "$BUNDLE" "$ID-second"
    [ "$status" -eq 0 ]
    oci delete --force "$ID-second"
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "$ID" "already exists"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "$ID" "already exists"
    [ "$(oci state "$ID")" = "$state_before" ]
    alive "$pid"
    oci delete --force "$ID"
    assert_clean "$ID"
    assert_clean "$ID-second"
}

@test "an rlimit above the hard limit this host allows fails cleanly" {
    hard=$(ulimit -Hn)
    if [ "$hard" != unlimited ] && [ "$hard" -ge 1048576 ]; then
        skip "this host allows RLIMIT_NOFILE hard $hard"
    fi
    # Only if this host really cannot raise it (no CAP_SYS_RESOURCE, or nr_open).
    if (ulimit -Hn 1048576) 2>/dev/null; then
        skip "this host can raise RLIMIT_NOFILE to 1048576"
    fi
    make_bundle '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1048576}]'
    expect_create_fails "RLIMIT_NOFILE" "1048576|hard|limit"
}

@test "an rlimit with soft above hard is refused" {
    make_bundle '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]'
    expect_create_fails "RLIMIT_NOFILE" "soft|hard"
}

@test "invalid container IDs are refused" {
    make_bundle
    for bad in "../escape" "a/b" "." ".." "with space"; do
        oci_detached create --bundle "$BUNDLE" "$bad"
        assert_error_line "id|container"
        [ ! -e "$BATS_TEST_TMPDIR/escape" ]
        [ ! -e "$ROOT/a" ]
    done
    oci_detached create --bundle "$BUNDLE" ""
    [ "$status" -ne 0 ]
    # too long: the limit is named, not the whole ID repeated
    run --separate-stderr oci create --bundle "$BUNDLE" "$(printf 'a%.0s' {1..1000})"
    assert_error_line "1000 characters\): at most 240"
    [ "${#stderr}" -lt 200 ]
    oci create --bundle "$BUNDLE" "$(printf 'b%.0s' {1..240})" </dev/null >/dev/null 2>&1 3>&-
    oci delete --force "$(printf 'b%.0s' {1..240})"
    run oci list -q
    [ -z "$output" ]
}

@test "create without an ID is a usage error" {
    make_bundle
    run --separate-stderr oci create --bundle "$BUNDLE"
    [ "$status" -ne 0 ]
    [ -n "$stderr" ]
    run oci list -q
    [ -z "$output" ]
}

@test "a failed create with --pid-file leaves no pid file" {
    make_bundle '.process.cwd = "/etc/passwd/sub"'
    oci_detached create --pid-file "$BATS_TEST_TMPDIR/pidfile" --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    [ ! -e "$BATS_TEST_TMPDIR/pidfile" ]
    assert_clean "$ID"
}

@test "a failure after cgroup setup leaves no cgroup (custom cgroupsPath)" {
    cg=/oci-rt-test/$ID
    note_cgroup "$cg"
    make_bundle '.linux.cgroupsPath = $cg | .process.cwd = "/etc/passwd/sub"' --arg cg "$cg"
    expect_create_fails "/etc/passwd/sub"
    assert_clean "$ID" "$cg"
}

@test "a config asking for Intel RDT is refused clearly (features reports it unsupported)" {
    make_bundle '.linux.intelRdt = {"closID": "oci-rt-test", "l3CacheSchema": "L3:0=f"}'
    expect_create_fails 'linux\.intelRdt' "not supported"
    run oci features
    [ "$status" -eq 0 ]
    echo "$output" | jq -e '.linux.intelRdt.enabled == false'
}
