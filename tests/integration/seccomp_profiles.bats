#!/usr/bin/env bats
# Seccomp profiles oci-rt did not write must never break the runtime's own
# work: after the filter is loaded the init (and an exec'd process) makes
# only the calls README.md lists (execve, or execveat where the profile
# allows it), each checked against the filter first. Profiles: Docker's of
# 2017 (no close_range, openat2, clone3, faccessat2, pidfd_*...), a
# default-deny one with only what busybox's echo and sleep need, the same
# with SCMP_ACT_KILL_PROCESS as the default (any stray call after the load
# kills the init and fails the test), and one whose defaultErrnoRet is
# ENOSYS. Each with and without noNewPrivileges, through run, create+start
# and exec.

load helpers

DOCKER_2017=$REPO/tests/unit/data/seccomp/docker-2017.json

# What /bin/echo and /bin/sleep of busybox-static (glibc) call, nothing more
# (strace -f busybox echo hi; busybox sleep 1). oci-rt needs nothing beyond
# execve, which any program needs.
BUSYBOX_CALLS='["arch_prctl", "brk", "execve", "exit_group", "getrandom", "getuid",
    "mprotect", "prctl", "prlimit64", "readlink", "rseq", "set_robust_list",
    "set_tid_address", "write", "nanosleep", "clock_nanosleep"]'

# minimal DEFAULT_ACTION [extra jq]: the busybox profile with that default
minimal() {
    printf '{"defaultAction": "%s", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": %s, "action": "SCMP_ACT_ALLOW"}]}' "$1" "$BUSYBOX_CALLS"
}

# profile_bundle PROFILE-JSON NNP ARGS-JSON [more jq]
profile_bundle() {
    make_bundle '.linux.seccomp = ($p | fromjson) | .process.noNewPrivileges = $nnp
        | .process.args = $args '"${4:-}" \
        --arg p "$1" --argjson nnp "$2" --argjson args "$3"
}

# run_echo PROFILE-JSON NNP: `oci-rt run` of echo, then create + start
run_echo() {
    local nnp
    for nnp in true false; do
        profile_bundle "$1" "$nnp" '["/bin/echo", "hello from the container"]'
        run --separate-stderr oci run --bundle "$BUNDLE" "$ID-$nnp"
        [ "$status" -eq 0 ] || {
            echo "run (noNewPrivileges $nnp): status $status: $stderr" >&2
            return 1
        }
        [ "$output" = "hello from the container" ]
        create_ok "$ID-c$nnp"
        run --separate-stderr oci start "$ID-c$nnp"
        [ "$status" -eq 0 ] || {
            echo "start (noNewPrivileges $nnp): status $status: $stderr" >&2
            return 1
        }
        wait_for_status "$ID-c$nnp" stopped
        [ "$(container_out "$ID-c$nnp")" = "hello from the container" ]
        run -0 oci delete "$ID-c$nnp"
        assert_clean "$ID-c$nnp"
        assert_clean "$ID-$nnp"
    done
}

# exec_echo PROFILE-JSON: exec into a running container under the profile,
# with and without --no-new-privs
exec_echo() {
    profile_bundle "$1" false '["/bin/sleep", "300"]'
    create_ok
    run -0 oci start "$ID"
    run --separate-stderr oci exec "$ID" /bin/echo exec-ok
    [ "$status" -eq 0 ] || {
        echo "exec: status $status: $stderr" >&2
        return 1
    }
    [ "$output" = exec-ok ]
    run --separate-stderr oci exec --no-new-privs "$ID" /bin/echo exec-nnp-ok
    [ "$status" -eq 0 ]
    [ "$output" = exec-nnp-ok ]
    run -0 oci delete --force "$ID"
    assert_clean "$ID"
}

@test "seccomp profiles: Docker's 2017 profile (no close_range, clone3, openat2...): run, create+start, exec" {
    local p
    p=$(cat "$DOCKER_2017")
    # the fixture really is of that era
    for s in close_range clone3 openat2 faccessat2 pidfd_open epoll_pwait2 landlock_create_ruleset; do
        not jq -e --arg s "$s" '[.syscalls[].names[]] | index($s)' "$DOCKER_2017" >/dev/null
    done
    run_echo "$p"
    exec_echo "$p"
}

@test "seccomp profiles: default SCMP_ACT_ERRNO allowing only what busybox needs" {
    run_echo "$(minimal SCMP_ACT_ERRNO)"
    exec_echo "$(minimal SCMP_ACT_ERRNO)"
    # the filter is on: a call busybox's echo does not need is refused
    profile_bundle "$(minimal SCMP_ACT_ERRNO)" true '["/bin/cat", "/etc/hostname"]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID-cat"
    [ "$status" -ne 0 ]
    assert_clean "$ID-cat"
}

@test "seccomp profiles: default SCMP_ACT_KILL_PROCESS: any stray call after the load would kill the init" {
    run_echo "$(minimal SCMP_ACT_KILL_PROCESS)"
    exec_echo "$(minimal SCMP_ACT_KILL_PROCESS)"
    # the filter kills for real: cat opens a file
    profile_bundle "$(minimal SCMP_ACT_KILL_PROCESS)" true '["/bin/cat", "/etc/hostname"]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID-cat"
    [ "$status" -eq 159 ]
    assert_clean "$ID-cat"
}

@test "seccomp profiles: --trace under a filter: the init's spans up to the load, no stray sendmsg" {
    local t=$BATS_TEST_TMPDIR/trace nnp
    for nnp in true false; do
        # a profile that kills on sendmsg: the spans of the load are lost,
        # the container is not
        profile_bundle "$(minimal SCMP_ACT_KILL_PROCESS)" "$nnp" '["/bin/echo", "traced"]'
        run --separate-stderr oci --trace "$t.$nnp" run --bundle "$BUNDLE" "$ID-$nnp"
        [ "$status" -eq 0 ]
        [ "$output" = traced ]
        grep '"proc":"init"' "$t.$nnp" | grep -q '"name":"wait for start"'
        not grep -q '"name":"seccomp load"' "$t.$nnp"
        # one that allows it: they come too
        profile_bundle "$(cat "$DOCKER_2017")" "$nnp" '["/bin/echo", "traced"]'
        run --separate-stderr oci --trace "$t.d$nnp" run --bundle "$BUNDLE" "$ID-d$nnp"
        [ "$status" -eq 0 ]
        [ "$output" = traced ]
        grep '"proc":"init"' "$t.d$nnp" | grep -q '"name":"seccomp load"'
        assert_clean "$ID-$nnp"
        assert_clean "$ID-d$nnp"
    done
}

@test "seccomp profiles: defaultErrnoRet ENOSYS, execveat denied: the stub is exec'd by execve" {
    local p
    p=$(jq -c '.defaultErrnoRet = 38 | .syscalls[0].names -= ["execveat", "fcntl"]' "$DOCKER_2017")
    run_echo "$p"
    exec_echo "$p"
    # an exec that fails still says why on the start that released it
    profile_bundle "$p" true '["/no/such/program"]'
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID-missing"
    [ "$status" -ne 0 ]
    assert_clean "$ID-missing"
}

@test "seccomp profiles: without noNewPrivileges a non-root process gets its filter and no CAP_SYS_ADMIN" {
    # CAP_SYS_ADMIN is held until the load and dropped by the execve
    profile_bundle "$(cat "$DOCKER_2017")" false '["/usr/bin/ocitest", "report"]' \
        '| .process.user = {"uid": 1000, "gid": 1000}'
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_kv seccomp 2
    assert_kv caps.eff 0000000000000000
    assert_kv caps.prm 0000000000000000
    # as root: the default bounding set has no CAP_SYS_ADMIN, so neither
    # has the program
    profile_bundle "$(cat "$DOCKER_2017")" false '["/usr/bin/ocitest", "report"]'
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID-root"
    assert_kv seccomp 2
    local eff
    eff=$(kv caps.eff)
    (((16#$eff & (1 << 21)) == 0))
    [ "$eff" = "$(kv caps.bnd)" ]
    assert_clean "$ID"
    assert_clean "$ID-root"
}

@test "seccomp profiles: a notify profile that denies what the wait for start needs is a clear error at create" {
    # with SCMP_ACT_NOTIFY the filter must be on before create returns (the
    # agent gets its listener then, as with runc), so the init waits for
    # start under it: sendmsg, recvmsg, accept4 and close must be allowed
    profile_bundle '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent/agent.sock",
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
                     {"names": ["recvmsg"], "action": "SCMP_ACT_ERRNO"}]}' true '["/bin/echo", "x"]'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "linux\.seccomp" "does not allow recvmsg"
    assert_clean "$ID"
}
