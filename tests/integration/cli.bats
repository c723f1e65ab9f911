#!/usr/bin/env bats
# The command line: version, help, global flags, logging, spec.

load helpers

# The command names listed by `oci-rt --help`.
commands() {
    "$OCI_RT" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'
}

@test "--version prints version, spec and libseccomp lines" {
    for flag in --version -v; do
        run --separate-stderr "$OCI_RT" "$flag"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^oci-rt\ version\ [0-9]+\.[0-9]+ ]]
        printf '%s\n' "$output" | grep -E '^spec: 1\.[0-9]+\.[0-9]+'
        printf '%s\n' "$output" | grep -E '^libseccomp: [0-9]+\.[0-9]+'
        [ -z "$stderr" ]
    done
}

@test "--help for the tool lists the commands and global options, exit 0" {
    for flag in --help -h; do
        run --separate-stderr "$OCI_RT" "$flag"
        [ "$status" -eq 0 ]
        [[ "$output" == Usage:* ]]
        for c in create start run state list kill delete spec; do
            printf '%s\n' "$output" | grep -E "^  $c "
        done
        for o in --root --log --log-format --systemd-cgroup --cgroup-manager --rootless; do
            printf '%s\n' "$output" | grep -e "$o"
        done
    done
}

@test "--help for each command exits 0 and shows its usage" {
    n=0
    bad=0
    for c in $(commands); do
        n=$((n + 1))
        for flag in --help -h; do
            run --separate-stderr "$OCI_RT" "$c" "$flag"
            if [ "$status" -ne 0 ] || [[ "$output" != "Usage: oci-rt $c"* ]]; then
                echo "$c $flag: status $status, output: $output $stderr" >&2
                bad=1
            fi
        done
    done
    [ "$n" -ge 8 ]
    [ "$bad" -eq 0 ]
}

@test "global flags parse: --root X --log F --log-format json --systemd-cgroup with list and state" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    create_ok
    log=$BATS_TEST_TMPDIR/log.json
    run --separate-stderr "$OCI_RT" --root "$ROOT" --log "$log" --log-format json --systemd-cgroup list -q
    [ "$status" -eq 0 ]
    [ "$output" = "$ID" ]
    run --separate-stderr "$OCI_RT" --root "$ROOT" --log "$log" --log-format json --systemd-cgroup state "$ID"
    [ "$status" -eq 0 ]
    [ "$(jq -r .id <<<"$output")" = "$ID" ]
    run --separate-stderr "$OCI_RT" --root="$ROOT" --log="$log" --log-format=json --cgroup-manager=cgroupfs list -q
    [ "$status" -eq 0 ]
    [ "$output" = "$ID" ]
    run --separate-stderr "$OCI_RT" --root "$ROOT" -l "$log" --debug --log-level debug --criu /usr/sbin/criu list -q
    [ "$status" -eq 0 ]
    [ "$output" = "$ID" ]
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "--cgroup-manager cgroupfs and disabled, --rootless false/auto all run" {
    make_bundle
    for g in "--cgroup-manager cgroupfs" "--cgroup-manager disabled" "--rootless false" "--rootless auto" "--rootless=false"; do
        # shellcheck disable=SC2086
        run --separate-stderr oci $g run --bundle "$BUNDLE" "$ID"
        if [ "$status" -ne 0 ]; then
            echo "$g: status $status: $stderr" >&2
            false
        fi
        assert_kv hostname oci-rt
        assert_clean "$ID"
    done
}

@test "an error with --log F --log-format json writes a JSON error line to F" {
    log=$BATS_TEST_TMPDIR/log.json
    run --separate-stderr oci --log "$log" --log-format json state "$ID-nosuch"
    [ "$status" -ne 0 ]
    [ -s "$log" ]
    line=$(grep '"level":"error"' "$log" | tail -n1)
    [ -n "$line" ]
    [ "$(jq -r .level <<<"$line")" = error ]
    jq -r .msg <<<"$line" | grep -- "$ID-nosuch" | grep 'does not exist'
    time=$(jq -r .time <<<"$line")
    [[ "$time" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} ]]
    # Every line of F is JSON.
    jq -e . "$log" >/dev/null
}

@test "a failed create with --log F --log-format json logs the cause as JSON" {
    make_bundle '.process.cwd = "/etc/passwd/sub"'
    log=$BATS_TEST_TMPDIR/log.json
    oci_detached --log "$log" --log-format json -- create --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    jq -e . "$log" >/dev/null
    [ "$(jq -rs '[.[] | select(.level == "error")] | length' "$log")" -ge 1 ]
    jq -rs '.[] | select(.level == "error") | .msg' "$log" | grep '/etc/passwd/sub'
    assert_clean "$ID"
}

@test "an error with --log F (text) writes a text error line to F" {
    log=$BATS_TEST_TMPDIR/log.txt
    run --separate-stderr oci --log "$log" delete "$ID-nosuch"
    [ "$status" -ne 0 ]
    grep 'level=error' "$log" | grep -- "$ID-nosuch"
}

@test "an invalid --log-format is refused" {
    run --separate-stderr oci --log-format xml list
    assert_error_line "log-format" "xml"
}

@test "an unknown command fails with one clear line" {
    run --separate-stderr "$OCI_RT" nosuchcmd
    assert_error_line "unknown command" "nosuchcmd"
}

@test "an unknown global option fails with one clear line" {
    run --separate-stderr "$OCI_RT" --nosuchflag list
    assert_error_line "unknown option" "--nosuchflag"
    [[ "$stderr" != *"oci-rt: oci-rt:"* ]]
}

@test "an unknown command option fails with one clear line" {
    run --separate-stderr oci list --nosuchflag
    assert_error_line "unknown option" "--nosuchflag"
    run --separate-stderr oci run --nosuchflag "$ID"
    assert_error_line "unknown option" "--nosuchflag"
    assert_clean "$ID"
}

@test "list with a state root that does not exist yet is empty" {
    run --separate-stderr "$OCI_RT" --root "$BATS_TEST_TMPDIR/never-made" list -q
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run --separate-stderr "$OCI_RT" --root "$BATS_TEST_TMPDIR/never-made" list --format json
    [ "$status" -eq 0 ]
    [ "$(jq -r length <<<"$output")" = 0 ]
}

@test "spec writes the default config, refuses to overwrite it" {
    dir=$BATS_TEST_TMPDIR/spec
    mkdir "$dir"
    run --separate-stderr "$OCI_RT" spec --bundle "$dir"
    [ "$status" -eq 0 ]
    c=$dir/config.json
    [ "$(jq -r .process.terminal "$c")" = true ]
    [ "$(jq -c .process.args "$c")" = '["sh"]' ]
    [ "$(jq -r .root.readonly "$c")" = true ]
    [ "$(jq -r .hostname "$c")" = oci-rt ]
    [ "$(jq -r '[.linux.namespaces[].type] | sort | join(",")' "$c")" = cgroup,ipc,mount,network,pid,uts ]
    [ "$(jq -r '.linux.maskedPaths | length' "$c")" -gt 0 ]
    [ "$(jq -r '.linux.readonlyPaths | length' "$c")" -gt 0 ]
    echo '{"keep": 1}' >"$c"
    run --separate-stderr "$OCI_RT" spec --bundle "$dir"
    assert_error_line "config.json" "exists"
    [ "$(jq -r .keep "$c")" = 1 ]
    # spec in the current directory
    mkdir "$dir/cwd"
    cd "$dir/cwd"
    run "$OCI_RT" spec
    [ "$status" -eq 0 ]
    jq -e .ociVersion config.json
}

@test "spec --rootless adds a user namespace with mappings" {
    dir=$BATS_TEST_TMPDIR/spec
    mkdir "$dir"
    run "$OCI_RT" spec --rootless --bundle "$dir"
    [ "$status" -eq 0 ]
    jq -e '.linux.namespaces | map(.type) | index("user")' "$dir/config.json"
    jq -e '.linux.uidMappings | length > 0' "$dir/config.json"
    jq -e '.linux.gidMappings | length > 0' "$dir/config.json"
}

@test "commands with a missing ID argument are usage errors" {
    for c in start state kill delete; do
        run --separate-stderr oci "$c"
        [ "$status" -ne 0 ]
        [ -n "$stderr" ]
    done
}

@test "--log in a directory that does not exist: one clear line, nothing done (as runc)" {
    make_bundle
    oci_detached --log "$BATS_TEST_TMPDIR/no/such/dir/log.json" -- create --bundle "$BUNDLE" "$ID"
    assert_error_line "--log $BATS_TEST_TMPDIR/no/such/dir/log.json: no such file or directory"
    [ ! -e "$BATS_TEST_TMPDIR/no" ]
    assert_clean "$ID"
    run -1 --separate-stderr oci --log "$BATS_TEST_TMPDIR/no/such/dir/log.json" list
    assert_error_line "--log .*: no such file or directory"
}
