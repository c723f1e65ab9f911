#!/usr/bin/env bats
# exec, and the engine conventions around it: --pidfd-socket, LISTEN_FDS,
# --console-socket, log lines, crun's --regex.

load helpers

# a running container (sleep) named $ID
running() {
    make_bundle '.process.args = ["/bin/sleep", "300"] '"${1:-}"
    create_ok
    run -0 oci start "$ID"
}

@test "exec: runs in every namespace and the cgroup of the container, exit code comes back" {
    running
    pid=$(container_pid)
    run -0 --separate-stderr oci exec "$ID" /usr/bin/ocitest report
    for ns in mnt pid net uts ipc cgroup; do
        [ "$(kv "ns.$ns")" = "$(stat -L -c %i "/proc/$pid/ns/$ns")" ] || {
            echo "ns $ns differs" >&2
            false
        }
    done
    assert_kv hostname oci-rt
    assert_kv fds 0,1,2
    assert_kv caps.eff "$(capmask 29 5 10)"
    assert_kv no_new_privs 1
    # its cgroup is the container's, in every hierarchy (seen from the host)
    PF=$BATS_TEST_TMPDIR/x.pid
    oci exec -d --pid-file "$PF" "$ID" sleep 30 </dev/null >/dev/null 2>&1
    [ "$(cat "/proc/$(cat "$PF")/cgroup")" = "$(cat "/proc/$pid/cgroup")" ]
    run oci exec "$ID" sh -c 'exit 7'
    [ "$status" -eq 7 ]
    run oci exec "$ID" sh -c 'kill -TERM $$'
    [ "$status" -eq 143 ]
}

@test "exec: -e, -u, -g, --cwd, --cap, --no-new-privs from the command line" {
    running '| .process.noNewPrivileges = false'
    run -0 --separate-stderr oci exec -e FOO=bar -e PATH=/bin:/usr/bin -u 1000:1000 -g 2000 \
        --cwd /tmp --cap CAP_NET_RAW --no-new-privs "$ID" /usr/bin/ocitest report
    assert_kv uid 1000
    assert_kv gid 1000
    assert_kv groups 2000
    assert_kv cwd /tmp
    assert_kv no_new_privs 1
    assert_kv caps.bnd "$(capmask 29 5 10 13)"
    run -0 oci exec -e FOO=bar "$ID" sh -c 'echo $FOO'
    [ "$output" = bar ]
}

@test "exec --cap and --no-new-privs change exactly what they say (as runc 1.1.5: no inheritable, CVE-2022-29162)" {
    running '| .process.noNewPrivileges = false'
    local base
    run -0 --separate-stderr oci exec "$ID" /usr/bin/ocitest report
    base=$output
    [ -z "$stderr" ]
    # root: CAP_SYS_ADMIN (21) joins the bounding, effective and permitted sets only
    run -0 --separate-stderr oci exec --cap CAP_SYS_ADMIN "$ID" /usr/bin/ocitest report
    [ -z "$stderr" ]
    local set want
    for set in bnd eff prm; do
        want=$(printf '%016x' $((16#$(kv "caps.$set" "$base") | (1 << 21))))
        assert_kv "caps.$set" "$want"
    done
    assert_kv caps.inh "$(kv caps.inh "$base")"
    assert_kv caps.amb "$(kv caps.amb "$base")"
    assert_kv no_new_privs 0
    # a non-root user gains nothing from it but the bounding set
    run -0 --separate-stderr oci exec -u 1000:1000 --cap CAP_NET_ADMIN "$ID" /usr/bin/ocitest report
    assert_kv caps.eff 0000000000000000
    assert_kv caps.prm 0000000000000000
    assert_kv caps.inh 0000000000000000
    assert_kv caps.amb 0000000000000000
    assert_kv caps.bnd "$(printf '%016x' $((16#$(kv caps.bnd "$base") | (1 << 12))))"
    # --no-new-privs: that bit and nothing else
    run -0 --separate-stderr oci exec --no-new-privs "$ID" /usr/bin/ocitest report
    assert_kv no_new_privs 1
    [ "$(grep -v '^no_new_privs=' <<<"$output" | grep -v '^pid=\|^ppid=\|^fds=')" = \
        "$(grep -v '^no_new_privs=' <<<"$base" | grep -v '^pid=\|^ppid=\|^fds=')" ]
}

@test "exec --process FILE: a whole process.json" {
    running
    P=$BATS_TEST_TMPDIR/process.json
    cat >"$P" <<'EOF'
{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "cwd": "/home/tester",
 "args": ["/usr/bin/ocitest", "report"], "env": ["PATH=/bin", "X=y"],
 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
 "noNewPrivileges": true}
EOF
    run -0 --separate-stderr oci exec --process "$P" "$ID"
    assert_kv uid 1000
    assert_kv cwd /home/tester
    assert_kv caps.bnd "$(capmask 5)"
    # a broken process.json: one line naming it
    echo '{"cwd": "/", "args": [1]}' >"$P"
    run --separate-stderr oci exec --process "$P" "$ID"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"process.json: args[0]: expected a string"* ]]
}

@test "exec -d --pid-file: returns at once, the pid is the process's; --pidfd-socket sends a pidfd" {
    running
    PF=$BATS_TEST_TMPDIR/exec.pid
    # (a detached process keeps the stdio it is given: not bats' pipe)
    oci exec -d --pid-file "$PF" "$ID" sleep 30 </dev/null >/dev/null 2>&1
    xpid=$(cat "$PF")
    [ -d "/proc/$xpid" ]
    grep -q sleep "/proc/$xpid/cmdline"
    # a pidfd of the exec'd process over a unix socket
    SOCK=$BATS_TEST_TMPDIR/pidfd.sock
    python3 - "$SOCK" >"$BATS_TEST_TMPDIR/pidfd.out" <<'EOF' &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(100, socket.CMSG_LEN(4))
fd = array.array("i", anc[0][2])[0]
info = open("/proc/self/fdinfo/%d" % fd).read()
print([l for l in info.splitlines() if l.startswith("Pid:")][0], flush=True)
EOF
    listener=$!
    wait_for_line "$BATS_TEST_TMPDIR/pidfd.out" ready
    oci exec -d --pidfd-socket "$SOCK" --pid-file "$PF" "$ID" sleep 30 </dev/null >/dev/null 2>&1
    wait "$listener" # (not a bare wait: BATS_TEST_TIMEOUT runs a watchdog job)
    grep -q "Pid:[[:space:]]*$(cat "$PF")$" "$BATS_TEST_TMPDIR/pidfd.out"
}

@test "exec into a paused or stopped container is a clear error; --ignore-paused" {
    running
    run -0 oci pause "$ID"
    run --separate-stderr oci exec "$ID" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"is paused"* ]]
    oci exec --ignore-paused -d "$ID" true </dev/null >/dev/null 2>&1
    run -0 oci resume "$ID"
    run -0 oci kill "$ID" KILL
    wait_for_status "$ID" stopped
    run --separate-stderr oci exec "$ID" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"is stopped"* ]]
    run --separate-stderr oci exec nosuch-"$ID" true
    [[ "$stderr" == *"does not exist"* ]]
}

@test "exec: a missing or non-executable program: runc's words, the shell's 127 / 126" {
    running
    run -127 --separate-stderr oci exec "$ID" /no/such/bin
    [ "$(grep -c . <<<"$stderr")" -eq 1 ]
    [[ "$stderr" == *'exec: "/no/such/bin": stat /no/such/bin: no such file or directory' ]]
    run -127 --separate-stderr oci exec "$ID" no-such-command
    [[ "$stderr" == *'exec: "no-such-command": executable file not found in $PATH' ]]
    run -126 --separate-stderr oci exec "$ID" /etc/passwd
    [[ "$stderr" == *'exec: "/etc/passwd": permission denied' ]]
    run -126 --separate-stderr oci exec "$ID" /etc
    [[ "$stderr" == *'exec: "/etc": permission denied' ]]
}

@test "exec -t with --console-socket: the process has the pty as its terminal" {
    running
    SOCK=$BATS_TEST_TMPDIR/console.sock
    python3 - "$SOCK" >"$BATS_TEST_TMPDIR/console.out" <<'EOF' &
import array, os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(100, socket.CMSG_LEN(4))
fd = array.array("i", anc[0][2])[0]
out = b""
end = time.time() + 5
while time.time() < end:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
print(out.decode(errors="replace"), flush=True)
EOF
    listener=$!
    wait_for_line "$BATS_TEST_TMPDIR/console.out" ready
    oci exec -t -d --console-socket "$SOCK" "$ID" /usr/bin/ocitest report </dev/null >/dev/null 2>&1
    wait "$listener"
    grep -q "tty=1" "$BATS_TEST_TMPDIR/console.out"
}

@test "exec -t: the exec's pty is not mounted on the container's /dev/console (as runc): no mount is added, and a second exec -t works" {
    command -v python3 >/dev/null || skip "python3 is needed to receive the console fd"
    make_bundle '.process.terminal = true | .process.args = ["/bin/sleep", "300"]'
    sock=$BATS_TEST_TMPDIR/console.sock
    console_receiver "$sock" "$BATS_TEST_TMPDIR/console.out"
    create_ok "$ID" --console-socket "$sock"
    oci start "$ID"
    pid=$(container_pid)
    before=$(wc -l <"/proc/$pid/mountinfo")
    console=$(awk '$5 == "/dev/console"' "/proc/$pid/mountinfo")
    [ -n "$console" ] || { echo "the init's pty is not on /dev/console" >&2; false; }
    for i in 1 2 3; do
        run -0 --separate-stderr oci exec -t "$ID" /usr/bin/ocitest report </dev/null
        tr -d '\r' <<<"$output" | grep -qx 'tty=1'
    done
    [ "$(wc -l <"/proc/$pid/mountinfo")" -eq "$before" ] || {
        echo "mounts grew from $before:" >&2
        awk '$5 == "/dev/console"' "/proc/$pid/mountinfo" >&2
        false
    }
    [ "$(awk '$5 == "/dev/console"' "/proc/$pid/mountinfo")" = "$console" ]
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "exec: seccomp of the container applies to the exec'd process" {
    running '| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run -0 oci exec "$ID" sh -c 'ocitest syscall mkdir; true'
    [[ "$(kv syscall)" == *" 42" ]]
}

@test "LISTEN_FDS: socket activation fds reach the container as 3.. with LISTEN_FDS/LISTEN_PID set" {
    make_bundle '.process.args = ["/bin/sh", "-c", "echo fds=$(ls /proc/self/fd | sort -n | paste -sd,); echo lf=$LISTEN_FDS lp=$LISTEN_PID"]'
    run -0 bash -c 'exec 3</dev/null 4</dev/null; LISTEN_FDS=2 exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$OCI_RT" "$ROOT" "$BUNDLE" "$ID"
    [[ "$output" == *"lf=2 lp=1"* ]]
    [[ "$output" == *"fds=0,1,2,3,4,"* ]]
    # and without LISTEN_FDS they do not
    run -0 bash -c 'exec 3</dev/null 4</dev/null; exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$OCI_RT" "$ROOT" "$BUNDLE" "$ID-2"
    [[ "$output" == *"fds=0,1,2,3"* ]] # 3: ls's own directory fd
    [[ "$output" != *"fds=0,1,2,3,4"* ]]
}

@test "errors raised inside the init reach --log (json) and stderr" {
    make_bundle '.process.args = ["/no/such/binary"]'
    LOG=$BATS_TEST_TMPDIR/log.json
    oci_detached --log "$LOG" --log-format json -- create --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *'exec: "/no/such/binary"'* ]]
    [ "$(jq -r .level "$LOG")" = error ]
    [[ "$(jq -r .msg "$LOG")" == *'exec: "/no/such/binary"'* ]]
    jq -e .time "$LOG" >/dev/null
    assert_clean "$ID"
}

@test "--version is a runc-style block" {
    run -0 "$OCI_RT" --version
    [[ "${lines[0]}" =~ ^oci-rt\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
    [[ "${lines[1]}" =~ ^commit:\  ]]
    [[ "${lines[2]}" =~ ^spec:\ 1\.3\. ]]
    [[ "${lines[3]}" =~ ^libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}
