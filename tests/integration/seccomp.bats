#!/usr/bin/env bats
# linux.seccomp in real containers: Docker's default profile, errno and
# kill rules, unknown names, and SCMP_ACT_NOTIFY with a listener that
# answers.

load helpers

DOCKER_PROFILE=$REPO/tests/unit/data/seccomp/docker-default.json

# A profile allowing everything but the given rule.
rule() {
    printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [%s]}' "$1"
}

@test "seccomp: Docker's default profile loads: filter mode 2, unshare and kexec_load denied, getpid allowed" {
    make_bundle '.linux.seccomp = $p[0]
        | .process.args = ["/bin/sh", "-c", "ocitest report | grep ^seccomp; ocitest syscall unshare | sed s/^/unshare./; ocitest syscall getpid | sed s/^/getpid./"]' \
        --slurpfile p "$DOCKER_PROFILE"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_kv seccomp 2
    assert_kv seccomp_filters 1
    [[ "$(kv unshare.syscall)" == "EPERM 1" ]]
    assert_kv getpid.syscall ok
    assert_clean "$ID"
}

@test "seccomp: a denied syscall returns the configured errno (errnoRet 42), defaultErrnoRet too" {
    make_bundle '.linux.seccomp = ($r | fromjson)
        | .process.args = ["/bin/sh", "-c", "ocitest syscall mkdir; true"]' \
        --arg r "$(rule '{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}')"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [[ "$(kv syscall)" == *" 42" ]]
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
            "syscalls": [{"names": $allow, "action": "SCMP_ACT_ALLOW"}]}
        | .process.args = ["/bin/sh", "-c", "ocitest syscall mkdir; true"]' \
        --argjson allow "$(jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] - ["mkdir", "mkdirat"]' "$DOCKER_PROFILE")"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID-2"
    [[ "$(kv syscall)" == "ENOSYS 38" ]]
    assert_clean "$ID"
}

@test "seccomp: a KILL_PROCESS rule kills the process with SIGSYS (exit 159)" {
    make_bundle '.linux.seccomp = ($r | fromjson)
        | .process.args = ["/usr/bin/ocitest", "syscall", "mkdir"]' \
        --arg r "$(rule '{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}')"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 159 ]
    assert_clean "$ID"
}

@test "seccomp: argument conditions: only the matching call is denied" {
    # ocitest's socket call is socket(AF_INET = 2, SOCK_STREAM, 0)
    make_bundle '.linux.seccomp = ($r | fromjson)
        | .process.args = ["/bin/sh", "-c", "ocitest syscall socket; true"]' \
        --arg r "$(rule '{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
            "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}')"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [[ "$(kv syscall)" == "EACCES 13" ]]
    # the same rule for AF_INET6 (10) does not match this call
    make_bundle '.linux.seccomp = ($r | fromjson)
        | .process.args = ["/bin/sh", "-c", "ocitest syscall socket; true"]' \
        --arg r "$(rule '{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
            "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]}')"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID-2"
    assert_kv syscall ok
    assert_clean "$ID"
}

@test "seccomp: syscall names libseccomp does not know are skipped; the rest applies" {
    make_bundle '.linux.seccomp = ($r | fromjson)
        | .process.args = ["/bin/sh", "-c", "ocitest syscall mkdir; true"]' \
        --arg r "$(rule '{"names": ["no_such_syscall_at_all", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}')"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [[ "$(kv syscall)" == "EACCES 13" ]]
    assert_clean "$ID"
}

@test "seccomp: a non-root process without noNewPrivileges still gets the filter (CAP_SYS_ADMIN held until the load)" {
    make_bundle '.linux.seccomp = ($r | fromjson) | .process.noNewPrivileges = false
        | .process.user = {"uid": 1000, "gid": 1000}
        | .process.args = ["/bin/sh", "-c", "ocitest report | grep -E \"^(seccomp|no_new_privs|uid)=\"; ocitest syscall mkdir; true"]' \
        --arg r "$(rule '{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}')"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_kv seccomp 2
    assert_kv no_new_privs 0
    assert_kv uid 1000
    [[ "$(kv syscall)" == *" 42" ]]
    assert_clean "$ID"
}

@test "seccomp: NOTIFY: the listener gets the fd and the container process state, and answers" {
    SOCK=$BATS_TEST_TMPDIR/agent.sock
    LOG=$BATS_TEST_TMPDIR/agent.log
    # the agent: receive the fd and the state, answer one mkdir with EDQUOT
    cat >"$BATS_TEST_TMPDIR/agent.py" <<'EOF'
import array, fcntl, json, os, socket, struct, sys
RECV, SEND = 0xc0502100, 0xc0182101   # SECCOMP_IOCTL_NOTIF_RECV / SEND
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
open(log, "w").write("listening\n")
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_LEN(4))
fd = array.array("i", anc[0][2])[0]
state = json.loads(msg)
with open(log, "a") as f:
    f.write("state=" + json.dumps(state) + "\n")
req = bytearray(80)
fcntl.ioctl(fd, RECV, req)
nid, pid, flags, nr = struct.unpack_from("QIIi", req)
resp = struct.pack("QqiI", nid, 0, -122, 0)   # EDQUOT
fcntl.ioctl(fd, SEND, bytearray(resp))
with open(log, "a") as f:
    f.write("answered nr=%d pid=%d\n" % (nr, pid))
EOF
    python3 "$BATS_TEST_TMPDIR/agent.py" "$SOCK" "$LOG" &
    agent=$!
    defer "kill $agent 2>/dev/null || true"
    wait_for_line "$LOG" listening
    make_bundle '.linux.seccomp = ($r | fromjson)
        | .linux.seccomp.listenerPath = $s | .linux.seccomp.listenerMetadata = "meta-1"
        | .process.args = ["/bin/sh", "-c", "ocitest syscall mkdir; true"]' \
        --arg s "$SOCK" \
        --arg r "$(rule '{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}')"
    run -0 --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [[ "$(kv syscall)" == "EDQUOT 122" ]]
    wait "$agent"
    state=$(sed -n 's/^state=//p' "$LOG")
    [ "$(jq -r .ociVersion <<<"$state")" != null ]
    [ "$(jq -c .fds <<<"$state")" = '["seccompFd"]' ]
    [ "$(jq -r .metadata <<<"$state")" = meta-1 ]
    [ "$(jq -r .state.id <<<"$state")" = "$ID" ]
    [ "$(jq -r .pid <<<"$state")" -gt 0 ]
    grep -q "^answered" "$LOG"
    assert_clean "$ID"
}

@test "seccomp: NOTIFY with a listener that is not there fails create clearly, leaving nothing" {
    make_bundle '.linux.seccomp = ($r | fromjson) | .linux.seccomp.listenerPath = "/nonexistent/agent.sock"' \
        --arg r "$(rule '{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}')"
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "listenerPath"
    assert_clean "$ID"
}
