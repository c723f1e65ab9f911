#!/usr/bin/env bats
# Lifecycle hooks: order, the state on stdin, args and env, the namespaces
# they run in, timeouts, and what a failing hook does to the lifecycle.

load helpers

# HOOKDIR is a host directory that the container also sees at /mnt.
# host.sh KIND (a host path) and /mnt/in.sh KIND (a path in the container)
# append KIND to HOOKDIR/log and record what they see in HOOKDIR/<what>.KIND.
setup_hookdir() {
    HOOKDIR=$BATS_TEST_TMPDIR/hooks
    rm -rf "$HOOKDIR"
    mkdir -p "$HOOKDIR"
    cat >"$HOOKDIR/host.sh" <<'EOF'
#!/bin/bash
kind=$1 d=$2
cat >"$d/state.$kind"
echo "$kind" >>"$d/log"
exec 3</proc/self/environ
tr '\0' '\n' <&3 >"$d/env.$kind"
readlink /proc/self/ns/mnt >"$d/mnt.$kind"
readlink /proc/self/ns/pid >"$d/pidns.$kind"
case $kind in
prestart | createRuntime | poststart)
    pid=$(jq -r .pid "$d/state.$kind")
    readlink "/proc/$pid/root" >"$d/initroot.$kind"
    readlink "/proc/$pid/ns/net" >"$d/initnet.$kind"
    tr '\0' ' ' <"/proc/$pid/cmdline" >"$d/initcmd.$kind"
    cat "/proc/$pid/mountinfo" >"$d/initmounts.$kind"
    ;;
createContainer)
    readlink /proc/self/root >"$d/root.$kind"
    cat /proc/self/mountinfo >"$d/mounts.$kind"
    ;;
esac
exit 0
EOF
    cat >"$HOOKDIR/in.sh" <<'EOF'
#!/bin/sh
kind=$1 d=/mnt
cat >"$d/state.$kind"
echo "$kind" >>"$d/log"
tr '\0' '\n' <"/proc/$$/environ" >"$d/env.$kind"
readlink /proc/self/ns/mnt >"$d/mnt.$kind"
readlink /proc/self/ns/pid >"$d/pidns.$kind"
cat /proc/self/mountinfo >"$d/mounts.$kind"
exit 0
EOF
    chmod 755 "$HOOKDIR/host.sh" "$HOOKDIR/in.sh"
}

# hook_bundle HOOKS-JSON-FILTER [jq args]: a bundle with HOOKDIR at /mnt
# and annotations {"k": "v"}; the process logs "process" and sleeps.
# $h is host.sh, $d is HOOKDIR.
hook_bundle() {
    local filter=$1
    shift
    setup_hookdir
    make_bundle '.mounts += [{"destination": "/mnt", "type": "bind", "source": $d, "options": ["rbind"]}]
        | .annotations = {"k": "v"}
        | .process.args = ["/bin/sh", "-c", "echo process >>/mnt/log; exec /usr/bin/ocitest sleep 30"]
        | '"$filter" --arg h "$HOOKDIR/host.sh" --arg d "$HOOKDIR" "$@"
}

# All six kinds, one hook each.
ALL_HOOKS='.hooks = {
    "prestart": [{"path": $h, "args": ["host.sh", "prestart", $d]}],
    "createRuntime": [{"path": $h, "args": ["host.sh", "createRuntime", $d]}],
    "createContainer": [{"path": $h, "args": ["host.sh", "createContainer", $d]}],
    "startContainer": [{"path": "/mnt/in.sh", "args": ["in.sh", "startContainer"]}],
    "poststart": [{"path": $h, "args": ["host.sh", "poststart", $d]}],
    "poststop": [{"path": $h, "args": ["host.sh", "poststop", $d]}]}'

hook_log() {
    grep -v '^process$' "$HOOKDIR/log" | paste -sd' '
}

# stop_and_delete [ID]: kill, wait for stopped, delete.
stop_and_delete() {
    local id=${1:-$ID}
    oci kill "$id" KILL
    wait_for_status "$id" stopped
    oci delete "$id"
}

# The pid of the first process whose pidfile is FILE, if still alive.
assert_dead() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    for _ in $(seq 50); do
        alive "$pid" || return 0
        sleep 0.05
    done
    echo "hook process $pid is still alive" >&2
    return 1
}

@test "hooks: the six kinds run once each, in order, around start and delete" {
    hook_bundle "$ALL_HOOKS"
    create_ok
    [ "$(hook_log)" = "prestart createRuntime createContainer" ]
    oci start "$ID"
    # poststart has run when start returns
    [ "$(hook_log)" = "prestart createRuntime createContainer startContainer poststart" ]
    wait_for_line "$HOOKDIR/log" '^process$'
    # the container's program runs after startContainer
    [ "$(grep -n -x process "$HOOKDIR/log" | cut -d: -f1)" -gt "$(grep -n -x startContainer "$HOOKDIR/log" | cut -d: -f1)" ]
    stop_and_delete
    [ "$(hook_log)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
    assert_clean "$ID"
}

@test "hooks: the state on stdin: fields, status and pid for each kind" {
    hook_bundle "$ALL_HOOKS"
    create_ok
    pid=$(container_pid)
    oci start "$ID"
    stop_and_delete
    version=$(jq -r .ociVersion "$BUNDLE/config.json")
    for kind in prestart createRuntime createContainer startContainer poststart poststop; do
        f=$HOOKDIR/state.$kind
        [ -s "$f" ] || { echo "no state for $kind" >&2; false; }
        jq -e --arg v "$version" --arg id "$ID" --arg b "$BUNDLE" \
            '.ociVersion == $v and .id == $id and .bundle == $b and .annotations == {"k": "v"}' "$f" >/dev/null ||
            { echo "$kind: bad state $(cat "$f")" >&2; false; }
    done
    # status
    for kind in prestart createRuntime createContainer; do
        [ "$(jq -r .status "$HOOKDIR/state.$kind")" = creating ]
    done
    [ "$(jq -r .status "$HOOKDIR/state.startContainer")" = created ]
    [ "$(jq -r .status "$HOOKDIR/state.poststart")" = running ]
    [ "$(jq -r .status "$HOOKDIR/state.poststop")" = stopped ]
    # pid: as seen by the runtime for hooks in its namespaces, as seen in
    # the container (its init is 1 in its pid namespace) for the others
    for kind in prestart createRuntime poststart; do
        [ "$(jq -r .pid "$HOOKDIR/state.$kind")" = "$pid" ]
    done
    [ "$(jq -r .pid "$HOOKDIR/state.createContainer")" = 1 ]
    [ "$(jq -r .pid "$HOOKDIR/state.startContainer")" = 1 ]
    assert_clean "$ID"
}

@test "hooks: namespaces: runtime kinds in the host's, createContainer/startContainer in the container's" {
    hook_bundle "$ALL_HOOKS"
    create_ok
    pid=$(container_pid)
    host_mnt=$(readlink /proc/self/ns/mnt)
    ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
    ctr_pidns=$(readlink "/proc/$pid/ns/pid")
    [ "$host_mnt" != "$ctr_mnt" ]
    oci start "$ID"
    stop_and_delete
    for kind in prestart createRuntime poststart poststop; do
        [ "$(cat "$HOOKDIR/mnt.$kind")" = "$host_mnt" ] || { echo "$kind: mnt $(cat "$HOOKDIR/mnt.$kind")" >&2; false; }
        [ "$(cat "$HOOKDIR/pidns.$kind")" = "$(readlink /proc/self/ns/pid)" ]
    done
    for kind in createContainer startContainer; do
        [ "$(cat "$HOOKDIR/mnt.$kind")" = "$ctr_mnt" ] || { echo "$kind: mnt $(cat "$HOOKDIR/mnt.$kind")" >&2; false; }
        [ "$(cat "$HOOKDIR/pidns.$kind")" = "$ctr_pidns" ]
    done
    assert_clean "$ID"
}

@test "hooks: prestart, createRuntime and poststart see the container's network namespace at its pid (where a CNI plugin configures it)" {
    hook_bundle "$ALL_HOOKS"
    create_ok
    pid=$(container_pid)
    ctr_net=$(readlink "/proc/$pid/ns/net")
    [ "$ctr_net" != "$(readlink /proc/self/ns/net)" ]
    oci start "$ID"
    stop_and_delete
    for kind in prestart createRuntime poststart; do
        [ "$(cat "$HOOKDIR/initnet.$kind")" = "$ctr_net" ] || {
            echo "$kind: the init's net is $(cat "$HOOKDIR/initnet.$kind"), the container's $ctr_net" >&2
            false
        }
    done
    assert_clean "$ID"
}

@test "hooks: createRuntime/createContainer run after the mounts and before pivot_root; startContainer after it; poststart after exec" {
    hook_bundle "$ALL_HOOKS"
    create_ok
    oci start "$ID"
    stop_and_delete
    # createRuntime (and prestart): the init has its mounts, its root is still the host's /
    for kind in prestart createRuntime; do
        [ "$(cat "$HOOKDIR/initroot.$kind")" = / ]
        awk -v m="$ROOTFS/mnt" '$5 == m' "$HOOKDIR/initmounts.$kind" | grep -q .
        # still the runtime's code, not the user's program
        not grep -q ocitest "$HOOKDIR/initcmd.$kind"
    done
    # createContainer: in the container's mount namespace, before pivot_root
    # (its root is the host's /, the rootfs and its mounts are below it), the
    # hook's path was resolved in the runtime's tree (host.sh is not in the rootfs)
    [ "$(cat "$HOOKDIR/root.createContainer")" = / ]
    awk -v m="$ROOTFS/mnt" '$5 == m' "$HOOKDIR/mounts.createContainer" | grep -q .
    [ ! -e "$ROOTFS$HOOKDIR/host.sh" ]
    # startContainer: after pivot_root, the bind is at /mnt
    awk '$5 == "/mnt"' "$HOOKDIR/mounts.startContainer" | grep -q .
    not awk -v m="$ROOTFS/mnt" '$5 == m { found = 1 } END { exit !found }' "$HOOKDIR/mounts.startContainer"
    # poststart: the container's process has exec'd the user's program
    grep -q 'ocitest sleep 30' "$HOOKDIR/initcmd.poststart"
    assert_clean "$ID"
}

@test "hooks: args are passed verbatim (args[0] included), env exactly as configured" {
    setup_hookdir
    # argv as the kernel got it: /proc/self/cmdline of the hook (bash -c)
    # (/proc/self opened by the shell itself: $$ is not the pid the
    # host's /proc knows for createContainer, which runs in the container's
    # pid namespace)
    rec='exec 3</proc/self/cmdline 4</proc/self/environ; tr "\0" "\n" <&3 >"$0.argv"; tr "\0" "\n" <&4 >"$0.env"'
    hook_bundle '.hooks = {
        "prestart": [{"path": "/bin/bash", "args": ["my-argv0", "-c", $rec, ($d + "/prestart"), "a b", ""],
                      "env": ["HOOK_A=1", "HOOK_B=two words"]}],
        "createContainer": [{"path": "/bin/bash", "args": ["cc-argv0", "-c", $rec, ($d + "/createContainer")]}],
        "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", $rec, "/mnt/startContainer"]},
                           {"path": "/usr/bin/ocitest", "args": ["ocitest", "env"],
                            "env": ["IN_CONTAINER=yes"]}],
        "poststop": [{"path": "/bin/bash", "args": ["ps-argv0", "-c", $rec, ($d + "/poststop")], "env": []}]}' \
        --arg rec "$rec"
    LEAKME=1 create_ok
    oci start "$ID"
    stop_and_delete
    diff <(printf '%s\n' my-argv0 -c "$rec" "$HOOKDIR/prestart" "a b" "") "$HOOKDIR/prestart.argv"
    diff <(printf '%s\n' HOOK_A=1 "HOOK_B=two words") "$HOOKDIR/prestart.env"
    diff <(printf '%s\n' cc-argv0 -c "$rec" "$HOOKDIR/createContainer") "$HOOKDIR/createContainer.argv"
    [ ! -s "$HOOKDIR/createContainer.env" ]
    diff <(printf '%s\n' sh -c "$rec" /mnt/startContainer) "$HOOKDIR/startContainer.argv"
    # (busybox sh rewrites its /proc/self/environ: ocitest env, whose
    # stdout is the container's, shows the startContainer env)
    diff <(printf '%s\n' IN_CONTAINER=yes) <(container_out)
    head -n1 "$HOOKDIR/poststop.argv" | grep -x ps-argv0
    [ ! -s "$HOOKDIR/poststop.env" ]
    assert_clean "$ID"
}

@test "hooks: several hooks of one kind run in their order" {
    hook_bundle '.hooks.prestart = [
        {"path": "/bin/sh", "args": ["sh", "-c", "echo one >>\"$0\"", ($d + "/log")]},
        {"path": "/bin/sh", "args": ["sh", "-c", "echo two >>\"$0\"", ($d + "/log")]},
        {"path": "/bin/sh", "args": ["sh", "-c", "echo three >>\"$0\"", ($d + "/log")]}]'
    create_ok
    [ "$(paste -sd' ' "$HOOKDIR/log")" = "one two three" ]
    oci delete --force "$ID"
    assert_clean "$ID"
}

# ------------------------------------------------------------------ failures

@test "hooks: a failing prestart/createRuntime/createContainer hook fails create and run with one line, leaves nothing, later hooks do not run, poststop does" {
    # runtime-spec lifecycle steps 3-5: generate an error, stop the
    # container, go on at step 12 (destroy it) and 13 (poststop hooks)
    for kind in prestart createRuntime createContainer; do
        hook_bundle '.hooks[$k] = [
                {"path": "/bin/true", "args": ["true"]},
                {"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]},
                {"path": "/bin/sh", "args": ["sh", "-c", "echo ran >\"$0\"", ($d + "/third")]}]
            | .hooks.poststop = [{"path": $h, "args": ["host.sh", "poststop", $d]}]' \
            --arg k "$kind"
        unflake oci_detached create --bundle "$BUNDLE" "$ID"
        assert_error_line "hooks\.$kind\[1\] /bin/sh" "exit status 3"
        [ ! -e "$HOOKDIR/third" ]
        [ "$(hook_log)" = poststop ]
        [ "$(jq -r .status "$HOOKDIR/state.poststop")" = stopped ]
        assert_clean "$ID"
        rm -f "$HOOKDIR/log"
        unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
        assert_error_line "hooks\.$kind\[1\] /bin/sh" "exit status 3"
        [ ! -e "$HOOKDIR/third" ]
        not grep -qx process "$HOOKDIR/log"
        [ "$(hook_log)" = poststop ]
        assert_clean "$ID"
    done
}

@test "hooks: a hook killed by a signal fails create clearly" {
    hook_bundle '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "kill -KILL $$"]}]'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "hooks\.createRuntime\[0\] /bin/sh" "signal 9|SIGKILL|killed"
    assert_clean "$ID"
}

@test "hooks: a hook whose path does not exist fails create with one line" {
    hook_bundle '.hooks.prestart = [{"path": "/no/such/hook"}]'
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "hooks\.prestart\[0\] /no/such/hook" "127|no such file|not found"
    assert_clean "$ID"
}

@test "hooks: a failing startContainer hook fails start with one line; the program never runs; the container is destroyed, poststop runs" {
    hook_bundle '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]
        | .hooks.poststop = [{"path": $h, "args": ["host.sh", "poststop", $d]}]'
    create_ok
    run --separate-stderr oci start "$ID"
    assert_error_line "hooks\.startContainer\[0\] /bin/sh" "exit status 4"
    not grep -qx process "$HOOKDIR/log"
    [ "$(hook_log)" = poststop ]
    run oci state "$ID"
    [ "$status" -ne 0 ]
    [ -z "$(_leftover_pids "$ID")" ]
    assert_clean "$ID"
}

@test "hooks: a failing poststart hook is an error: start fails, the program is stopped, the container destroyed, poststop runs" {
    # runtime-spec 1.3 lifecycle step 9 (an earlier oci-rt made it a warning)
    hook_bundle '.hooks.poststart = [
            {"path": "/bin/sh", "args": ["sh", "-c", "exit 5"]},
            {"path": $h, "args": ["host.sh", "poststart", $d]}]
        | .hooks.poststop = [{"path": $h, "args": ["host.sh", "poststop", $d]}]'
    create_ok
    pid=$(container_pid)
    run --separate-stderr oci start "$ID"
    assert_error_line "hooks\.poststart\[0\] /bin/sh" "exit status 5"
    [ "$(hook_log)" = poststop ]
    [ "$(jq -r .status "$HOOKDIR/state.poststop")" = stopped ]
    not alive "$pid"
    run oci state "$ID"
    [ "$status" -ne 0 ]
    assert_clean "$ID"
}

@test "hooks: a failing poststop hook is a warning: delete succeeds and removes everything" {
    hook_bundle '.hooks.poststop = [
            {"path": "/bin/sh", "args": ["sh", "-c", "exit 6"]},
            {"path": $h, "args": ["host.sh", "poststop", $d]}]'
    start_ok
    oci kill "$ID" KILL
    wait_for_status "$ID" stopped
    run --separate-stderr oci delete "$ID"
    [ "$status" -eq 0 ]
    printf '%s\n' "$stderr" | grep -iE 'warn' | grep -E 'hooks\.poststop\[0\] /bin/sh' | grep -q 'exit status 6'
    grep -qx poststop "$HOOKDIR/log"
    assert_clean "$ID"
}

# ------------------------------------------------------------------ timeouts

# A hook script: writes its pid (as the /proc it sees knows it: the shell
# reads /proc/self itself) to $0, then sleeps 30 s.
SLEEPER='read -r p _ </proc/self/stat; echo "$p" >"$0"; exec sleep 30'

# timeout_bundle KIND: a hook of KIND running SLEEPER with timeout 1.
timeout_bundle() {
    local kind=$1 path=/bin/sh pidfile
    pidfile=$BATS_TEST_TMPDIR/hooks/hook.pid
    [ "$kind" != startContainer ] || pidfile=/mnt/hook.pid
    hook_bundle '.hooks[$k] = [{"path": "/bin/sh", "args": ["sh", "-c", $sleeper, $p], "timeout": 1}]' \
        --arg sleeper "$SLEEPER" \
        --arg k "$kind" --arg p "$pidfile"
}

@test "hooks: timeout: a prestart/createRuntime/createContainer hook that runs too long is killed and create fails" {
    for kind in prestart createRuntime createContainer; do
        timeout_bundle "$kind"
        t0=$SECONDS
        unflake oci_detached create --bundle "$BUNDLE" "$ID"
        [ $((SECONDS - t0)) -le 6 ]
        assert_error_line "hooks\.$kind\[0\] /bin/sh" "timed out after 1 s"
        assert_dead "$HOOKDIR/hook.pid"
        assert_clean "$ID"
    done
}

@test "hooks: timeout in startContainer and poststart fails start; in poststop it is a warning" {
    timeout_bundle startContainer
    create_ok
    t0=$SECONDS
    run --separate-stderr oci start "$ID"
    [ $((SECONDS - t0)) -le 6 ]
    assert_error_line "hooks\.startContainer\[0\] /bin/sh" "timed out after 1 s"
    assert_clean "$ID"

    timeout_bundle poststart
    create_ok
    t0=$SECONDS
    run --separate-stderr oci start "$ID"
    [ $((SECONDS - t0)) -le 6 ]
    assert_error_line "hooks\.poststart\[0\]" "timed out after 1 s"
    assert_dead "$HOOKDIR/hook.pid"
    assert_clean "$ID"

    timeout_bundle poststop
    start_ok
    oci kill "$ID" KILL
    wait_for_status "$ID" stopped
    t0=$SECONDS
    run --separate-stderr oci delete "$ID"
    [ "$status" -eq 0 ]
    [ $((SECONDS - t0)) -le 6 ]
    printf '%s\n' "$stderr" | grep -i warn | grep 'hooks\.poststop\[0\]' | grep -q 'timed out after 1 s'
    assert_dead "$HOOKDIR/hook.pid"
    assert_clean "$ID"
}

@test "hooks: timeout holds for a hook that does not read a large state (150 KB of annotations)" {
    setup_hookdir
    head -c 150000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
    hook_bundle '.annotations.big = $big
        | .hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", $sleeper, ($d + "/hook.pid")], "timeout": 1}]' \
        --arg sleeper "$SLEEPER" --rawfile big "$BATS_TEST_TMPDIR/big"
    defer 'kill -9 $(cat "$HOOKDIR/hook.pid") 2>/dev/null'
    t0=$SECONDS
    status=0
    timeout -s KILL 8 "$OCI_RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
        </dev/null >"$OUT_DIR/out" 2>"$OUT_DIR/err" 3>&- || status=$?
    stderr=$(cat "$OUT_DIR/err")
    [ "$status" -ne 137 ] || { echo "create hung past the hook's 1 s timeout (killed after 8 s)" >&2; false; }
    [ $((SECONDS - t0)) -le 6 ]
    assert_error_line "hooks\.prestart\[0\]" "timed out after 1 s"
    assert_dead "$HOOKDIR/hook.pid"
    assert_clean "$ID"
}

# ------------------------------------------------------------------ run

@test "hooks: oci-rt run runs all six in order (poststop after the process exits)" {
    hook_bundle "$ALL_HOOKS"' | .process.args = ["/bin/sh", "-c", "echo process >>/mnt/log"]'
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(hook_log)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
    grep -qx process "$HOOKDIR/log"
    [ "$(jq -r .status "$HOOKDIR/state.poststop")" = stopped ]
    assert_clean "$ID"
}

@test "hooks: oci-rt run with a failing createContainer or poststart hook fails, leaves nothing, runs poststop" {
    hook_bundle '.hooks.createContainer = [{"path": "/bin/false", "args": ["false"]}]
        | .process.args = ["/bin/sh", "-c", "echo process >>/mnt/log"]'
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "hooks\.createContainer\[0\] /bin/false" "exit status 1"
    not grep -qx process "$HOOKDIR/log"
    assert_clean "$ID"

    hook_bundle '.hooks.poststart = [{"path": "/bin/false", "args": ["false"]}]
        | .hooks.poststop = [{"path": $h, "args": ["host.sh", "poststop", $d]}]
        | .process.args = ["/bin/sh", "-c", "echo process >>/mnt/log; exec sleep 30"]'
    t0=$SECONDS
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    assert_error_line "hooks\.poststart\[0\] /bin/false" "exit status 1"
    [ $((SECONDS - t0)) -le 10 ]
    [ "$(hook_log)" = poststop ]
    assert_clean "$ID"
}
