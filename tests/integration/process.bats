#!/usr/bin/env bats
# The container process as seen from inside (ocitest report) and its stdio,
# fds and signals.

load helpers

# run_report [oci run options...]: runs the bundle in the foreground.
run_report() {
    run --separate-stderr oci run "$@" --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        return 1
    fi
}


@test "default caps (AUDIT_WRITE=29, KILL=5, NET_BIND_SERVICE=10): eff/prm/bnd = AUDIT_WRITE|KILL|NET_BIND_SERVICE, inh/amb empty" {
    make_bundle
    run_report
    [ "$(capmask 29 5 10)" = 0000000020000420 ]
    assert_kv caps.eff "$(capmask 29 5 10)"
    assert_kv caps.prm "$(capmask 29 5 10)"
    assert_kv caps.bnd "$(capmask 29 5 10)"
    assert_kv caps.inh "$(capmask)"
    assert_kv caps.amb "$(capmask)"
    assert_clean "$ID"
}

@test "ambient and inheritable caps for a non-root user" {
    make_bundle '.process.user = {"uid": 1000, "gid": 1000}
        | .process.capabilities = {
            "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
            "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "ambient": ["CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
    run_report
    assert_kv uid 1000
    assert_kv caps.amb "$(capmask 5 10)"
    assert_kv caps.inh "$(capmask 5 10)"
    assert_kv caps.prm "$(capmask 5 10)"
    assert_kv caps.eff "$(capmask 5 10)"
    assert_kv caps.bnd "$(capmask 29 5 10 0)"
    assert_clean "$ID"
}

@test "a non-root user without ambient caps has none effective" {
    make_bundle '.process.user = {"uid": 1000, "gid": 1000}'
    run_report
    assert_kv caps.eff "$(capmask)"
    assert_kv caps.prm "$(capmask)"
    assert_kv caps.bnd "$(capmask 29 5 10)"
    assert_clean "$ID"
}

@test "CAP_SYS_RESOURCE (which this host lacks) is dropped with a warning, not a failure" {
    grep -q '^CapBnd:' /proc/self/status
    bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
    if (((0x$bnd >> 24) & 1)); then
        skip "this host's root has CAP_SYS_RESOURCE"
    fi
    make_bundle '.process.capabilities |= with_entries(.value += ["CAP_SYS_RESOURCE"])'
    run_report
    printf '%s\n' "$stderr" | grep -i 'warn' | grep -i 'CAP_SYS_RESOURCE'
    assert_kv caps.eff "$(capmask 29 5 10)"
    assert_kv caps.bnd "$(capmask 29 5 10)"
    assert_clean "$ID"
}

@test "user 1000:1000 with additionalGids [2000]" {
    make_bundle '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000]}'
    run_report
    assert_kv uid 1000
    assert_kv euid 1000
    assert_kv suid 1000
    assert_kv gid 1000
    assert_kv egid 1000
    assert_kv sgid 1000
    assert_kv groups 2000
    assert_clean "$ID"
}

@test "user 0:0 has no supplementary groups unless asked" {
    make_bundle
    run_report
    assert_kv uid 0
    assert_kv gid 0
    assert_kv groups ""
    assert_clean "$ID"
}

@test "process.user.username is looked up in the container's /etc/passwd" {
    make_bundle '.process.user = {"uid": 0, "gid": 0, "username": "tester"}'
    run_report
    assert_kv uid 1000
    assert_kv gid 1000
    assert_clean "$ID"
}

@test "umask from process.user.umask" {
    make_bundle '.process.user.umask = 63'
    run_report
    assert_kv umask 0077
    assert_clean "$ID"
}

@test "umask defaults to 0022" {
    make_bundle
    (umask 0077 && run_report && assert_kv umask 0022)
    assert_clean "$ID"
}

@test "rlimits: NOFILE 1024:1024, CORE 0:0, NPROC 500:600" {
    make_bundle '.process.rlimits = [
        {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
        {"type": "RLIMIT_NPROC", "soft": 500, "hard": 600}]'
    run_report
    assert_kv rlimit.nofile 1024:1024
    assert_kv rlimit.core 0:0
    assert_kv rlimit.nproc 500:600
    assert_clean "$ID"
}

@test "noNewPrivileges true -> 1, false -> 0" {
    make_bundle '.process.noNewPrivileges = true'
    run_report
    assert_kv no_new_privs 1
    assert_clean "$ID"
    make_bundle '.process.noNewPrivileges = false'
    run_report
    assert_kv no_new_privs 0
    assert_clean "$ID"
}

@test "oomScoreAdj 500" {
    make_bundle '.process.oomScoreAdj = 500 | .process.args = ["/bin/cat", "/proc/self/oom_score_adj"]'
    run_report
    [ "$output" = 500 ]
    assert_clean "$ID"
}

@test "cwd from process.cwd" {
    make_bundle '.process.cwd = "/tmp"'
    run_report
    assert_kv cwd /tmp
    assert_clean "$ID"
}

@test "env: the config's variables are set, nothing else leaks from the caller" {
    make_bundle '.process.env += ["FOO=bar baz", "EMPTY="] | .process.args = ["/usr/bin/ocitest", "env"]'
    LEAKME=1 run_report
    printf '%s\n' "$output" | grep -x 'FOO=bar baz'
    printf '%s\n' "$output" | grep -x 'EMPTY='
    printf '%s\n' "$output" | grep -x 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    printf '%s\n' "$output" | grep -x 'TERM=xterm'
    not grep '^LEAKME=' <<<"$output"
    not grep '^BATS_' <<<"$output"
    assert_clean "$ID"
}

@test "env: HOME defaults from /etc/passwd (root -> /root, 1000 -> /home/tester), an explicit HOME wins" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "env"]'
    run_report
    printf '%s\n' "$output" | grep -x 'HOME=/root'
    assert_clean "$ID"

    make_bundle '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["/usr/bin/ocitest", "env"]'
    run_report
    printf '%s\n' "$output" | grep -x 'HOME=/home/tester'
    assert_clean "$ID"

    make_bundle '.process.env += ["HOME=/elsewhere"] | .process.args = ["/usr/bin/ocitest", "env"]'
    run_report
    printf '%s\n' "$output" | grep -x 'HOME=/elsewhere'
    [ "$(printf '%s\n' "$output" | grep -c '^HOME=')" -eq 1 ]
    assert_clean "$ID"
}

@test "args are passed verbatim, PATH lookup of a bare command works" {
    make_bundle '.process.args = ["sh", "-c", "printf \"<%s>\" \"$@\"", "x", "a b", "", "*"]'
    run_report
    [ "$output" = '<a b><><*>' ]
    assert_clean "$ID"
}

@test "stdin is passed through to the container in the foreground" {
    make_bundle '.process.args = ["/bin/cat"]'
    run --separate-stderr bash -c 'echo "hello from stdin" | "$1" --root "$2" run --bundle "$3" "$4"' _ "$OCI_RT" "$ROOT" "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "hello from stdin" ]
    assert_clean "$ID"
}

@test "no host fd leaks into the container (even with fds 5 and 7 open)" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "report"]'
    exec 5</dev/null 7>"$BATS_TEST_TMPDIR/seven"
    run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    exec 5<&- 7>&-
    [ "$status" -eq 0 ]
    assert_kv fds 0,1,2
    assert_clean "$ID"
}

@test "--preserve-fds 1 passes fd 3, only with the flag" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "fds"]'
    run --separate-stderr bash -c 'exec 3>"$1/three"; exec 5>/dev/null; "$2" --root "$3" run --preserve-fds 1 --bundle "$4" "$5"' \
        _ "$BATS_TEST_TMPDIR" "$OCI_RT" "$ROOT" "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    printf '%s\n' "$output" | grep '^fd\.3=.*three$'
    not grep '^fd\.5=' <<<"$output"
    not grep -E '^fd\.([4-9]|[1-9][0-9]+)=' <<<"$output"
    assert_clean "$ID"

    run --separate-stderr bash -c 'exec 3>"$1/three"; "$2" --root "$3" run --bundle "$4" "$5"' \
        _ "$BATS_TEST_TMPDIR" "$OCI_RT" "$ROOT" "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    not grep -E '^fd\.([3-9]|[1-9][0-9]+)=' <<<"$output"
    assert_clean "$ID"
}

@test "--preserve-fds with create/start: the fd written by the container reaches the host file" {
    make_bundle '.process.args = ["/bin/sh", "-c", "echo via-fd3 >&3"]'
    "$OCI_RT" --root "$ROOT" create --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
        </dev/null >"$OUT_DIR/$ID.out" 2>"$OUT_DIR/$ID.err" 3>"$BATS_TEST_TMPDIR/three"
    oci start "$ID"
    wait_for_status "$ID" stopped
    [ "$(cat "$BATS_TEST_TMPDIR/three")" = via-fd3 ]
    oci delete "$ID"
    assert_clean "$ID"
}

@test "Ctrl-C: SIGINT to a foreground oci-rt run is forwarded to the container" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "wait-signal"]'
    # A shell's background job ignores SIGINT; a foreground one (what Ctrl-C
    # hits) has the default disposition, so restore it before exec.
    perl -e '$SIG{INT} = "DEFAULT"; $SIG{QUIT} = "DEFAULT"; exec @ARGV or die' \
        "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
        </dev/null >"$OUT_DIR/run.out" 2>"$OUT_DIR/run.err" 3>&- &
    runpid=$!
    wait_for_line "$OUT_DIR/run.out" '^ready$'
    kill -INT "$runpid"
    rc=0
    wait "$runpid" || rc=$?
    grep -x 'signal=SIGINT' "$OUT_DIR/run.out"
    [ "$rc" -eq 0 ]
    assert_clean "$ID"
}

@test "SIGTERM and SIGHUP to a foreground oci-rt run are forwarded too" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "wait-signal"]'
    for sig in TERM HUP USR2; do
        # emptied here: the job's own redirection may come after the wait below
        : >"$OUT_DIR/run.out"
        "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
            </dev/null >"$OUT_DIR/run.out" 2>"$OUT_DIR/run.err" 3>&- &
        runpid=$!
        wait_for_line "$OUT_DIR/run.out" '^ready$'
        kill -"$sig" "$runpid"
        rc=0
        wait "$runpid" || rc=$?
        grep -x "signal=SIG$sig" "$OUT_DIR/run.out"
        [ "$rc" -eq 0 ]
        assert_clean "$ID"
    done
}

@test "terminal=true with --console-socket: the master fd is sent, the process has a tty" {
    command -v python3 >/dev/null || skip "python3 is needed to receive the console fd"
    make_bundle '.process.terminal = true'
    sock=$BATS_TEST_TMPDIR/console.sock
    console_receiver "$sock" "$BATS_TEST_TMPDIR/console.out"
    oci_detached create --console-socket "$sock" --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    oci start "$ID"
    rc=0
    wait "$CONSOLE_PID" || rc=$?
    wait_for_status "$ID" stopped
    [ "$rc" -eq 0 ]
    tr -d '\r' <"$BATS_TEST_TMPDIR/console.out" | grep -x 'tty=1'
    oci delete "$ID"
    assert_clean "$ID"
}

@test "terminal=true without --console-socket fails clearly for create" {
    make_bundle '.process.terminal = true'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "console"
    assert_clean "$ID"
}

# ------------------------------------------------------------ NOTIFY_SOCKET

# notify_listener SOCKET OUT: a datagram socket of the caller's (as systemd's
# or conmon's), each message appended to OUT, a line "--" after each.
notify_listener() {
    python3 - "$1" "$2" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".ready", "w").close()
while True:
    m = s.recv(8192).decode()
    with open(sys.argv[2], "a") as f:
        f.write(m.rstrip("\n") + "\n--\n")
PY
    NOTIFY_PID=$!
    defer "kill $NOTIFY_PID"
    for _ in $(seq 100); do
        [ -e "$2.ready" ] && return 0
        sleep 0.05
    done
    return 1
}

@test "NOTIFY_SOCKET: what the container sends reaches the caller's socket; start and run -d return at READY=1 with MAINPID" {
    local sock=$BATS_TEST_TMPDIR/notify.sock log=$BATS_TEST_TMPDIR/notify.log pid rootfs
    notify_listener "$sock" "$log"
    rootfs=$(copy_rootfs) # the mount makes /run/notify in the image
    make_bundle '.root.path = $r | .process.args = ["/bin/sh", "-c",
        "echo $NOTIFY_SOCKET; ocitest notify STATUS=starting; sleep 0.5; ocitest notify READY=1; exec sleep 60"]' \
        --arg r "$rootfs"
    NOTIFY_SOCKET=$sock create_ok
    [ -d "$ROOT/$ID/notify" ]
    NOTIFY_SOCKET=$sock run -0 oci start "$ID"
    # start returned only once READY=1 was relayed
    grep -qx READY=1 "$log"
    pid=$(container_pid)
    grep -qx STATUS=starting "$log"
    grep -qx "MAINPID=$pid" "$log"
    [ "$(head -n1 "$OUT_DIR/$ID.out")" = /run/notify/notify.sock ]
    oci delete --force "$ID"
    assert_clean "$ID"
    # run -d: the same
    : >"$log"
    NOTIFY_SOCKET=$sock oci_detached run -d --bundle "$BUNDLE" "$ID-d"
    [ "$status" -eq 0 ]
    grep -qx READY=1 "$log"
    grep -qx "MAINPID=$(container_pid "$ID-d")" "$log"
    oci delete --force "$ID-d"
    assert_clean "$ID-d"
}

@test "NOTIFY_SOCKET: a container that exits without READY=1 does not hold start; without NOTIFY_SOCKET nothing is set up" {
    local sock=$BATS_TEST_TMPDIR/notify.sock log=$BATS_TEST_TMPDIR/notify.log rootfs
    notify_listener "$sock" "$log"
    rootfs=$(copy_rootfs)
    make_bundle '.root.path = $r | .process.args = ["/bin/sh", "-c", "ocitest notify STATUS=bye; exit 3"]' \
        --arg r "$rootfs"
    NOTIFY_SOCKET=$sock create_ok
    NOTIFY_SOCKET=$sock timeout 10 "$OCI_RT" --root "$ROOT" start "$ID"
    wait_for_status "$ID" stopped
    grep -qx STATUS=bye "$log"
    not grep -q READY "$log"
    oci delete "$ID"
    assert_clean "$ID"
    make_bundle '.process.args = ["/bin/sh", "-c", "echo x${NOTIFY_SOCKET}x; grep -c /run/notify /proc/self/mountinfo; true"]'
    run -0 env -u NOTIFY_SOCKET "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID-plain"
    [ "$output" = "$(printf 'xx\n0')" ]
    assert_clean "$ID-plain"
}
