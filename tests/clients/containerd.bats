#!/usr/bin/env bats
# containerd 1.6 (runc shim v2) running containers with oci-rt: a private
# containerd (see containerd_start in lib.sh), driven with ctr
# --runc-binary <snapshot> --runc-root <private>; its config imports
# contrib/containerd/config.toml (the CRI runtime table with BinaryName).

# shellcheck disable=SC2154,SC2016,SC2030,SC2031  # bats: run sets status/output/stderr; literal $ in commands
load lib.sh

IMAGE=docker.io/library/ocitest:latest

setup_file() {
    clients_setup_file containerd
    containerd_start
}

teardown_file() {
    containerd_stop
    clients_teardown_file
}

# crun_ ID ARGS...: ctr run with oci-rt, the private --root and a cgroup in
# this run's parent; ARGS are ctr run options, then the command after IMAGE ID.
cr() {
    local id=$1
    shift
    track_id "$id"
    c8 run --runc-binary "$OCI" --runc-root "$WORK/containerd/runc" \
        --cgroup "$CG_PARENT/$id" "$@"
}

# cgone ID: the task and container are gone, and oci-rt's state, cgroup and
# processes with them.
cgone() { assert_gone "$1" "$WORK/containerd/runc/ocl" "$CG_PARENT/$1"; }

# cdelete ID: kill, delete the task and the container.
cdelete() {
    c8 task kill -s KILL "$1" >/dev/null 2>&1 || true
    retry 10 eval "c8 task ls | grep -qE '^$1 .*STOPPED'" || true
    c8 task delete "$1" >/dev/null 2>&1 || c8 task delete -f "$1"
    c8 containers delete "$1"
}

task_status() { c8 task ls | awk -v id="$1" '$1 == id { print $3 }'; }

C8_CMD() { echo "ctr -a $WORK/containerd/containerd.sock -n ocl"; }

@test "ctr run: output and exit status of a container run to completion" {
    run --separate-stderr cr run1 --rm "$IMAGE" run1 sh -c 'echo hi; echo oops >&2; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = hi ]
    [ "$stderr" = oops ]
    cgone run1
}

@test "ctr run: the spec ctr makes runs (ulimits, env, cwd)" {
    run cr run2 --rm --env FOO=bar --cwd /tmp "$IMAGE" run2 ocitest report
    [ "$status" -eq 0 ]
    grep -qx 'cwd=/tmp' <<<"$output"
    grep -qx 'rlimit.nofile=1024:1024' <<<"$output"
    grep -qx 'env.count=[0-9]*' <<<"$output"
    cgone run2
}

@test "ctr run -d, task ls, task ps, task exec with and without a tty" {
    cr d1 -d "$IMAGE" d1 sh -c 'sleep 1001 & exec sleep 1002'
    [ "$(task_status d1)" = RUNNING ]
    local pid
    pid=$(c8 task ls | awk '$1 == "d1" { print $2 }')
    pid_alive "$pid"
    run c8 task ps d1
    [ "$status" -eq 0 ]
    grep -q "^$pid " <<<"$output"
    [ "${#lines[@]}" -eq 3 ]
    run c8 task exec --exec-id e1 d1 sh -c 'echo in; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = in ]
    run c8 task exec --exec-id e2 d1 sh -c 'tty || true'
    [ "$output" = "not a tty" ]
    interactive_shell_test c8exec "$(C8_CMD) task exec -t --exec-id e3 d1 sh"
    cdelete d1
    refute pid_alive "$pid"
    cgone d1
}

@test "ctr run -t: interactive shell on a terminal" {
    track_id it1
    interactive_shell_test c8run "$(C8_CMD) run -t --rm --runc-binary $OCI --runc-root $WORK/containerd/runc --cgroup $CG_PARENT/it1 $IMAGE it1 sh"
    cgone it1
}

@test "ctr task pause/resume: a counter stops and restarts" {
    mkdir -p "$WORK/vol-pause"
    cr pz1 -d --mount "type=bind,src=$WORK/vol-pause,dst=/data,options=rbind:rw" "$IMAGE" pz1 \
        ocitest counter /data/count
    retry 5 test -s "$WORK/vol-pause/count"
    assert_counter_moving "$WORK/vol-pause/count"
    c8 task pause pz1
    [ "$(task_status pz1)" = PAUSED ]
    run "$OCI" --root "$WORK/containerd/runc/ocl" state pz1
    [ "$(jq -r .status <<<"$output")" = paused ]
    assert_counter_frozen "$WORK/vol-pause/count"
    c8 task resume pz1
    [ "$(task_status pz1)" = RUNNING ]
    assert_counter_moving "$WORK/vol-pause/count"
    cdelete pz1
    cgone pz1
}

@test "ctr task metrics: the shim reads the container's cgroups" {
    cr m1 -d --memory-limit 67108864 "$IMAGE" m1 sleep 1000
    run c8 task metrics --format json m1
    [ "$status" -eq 0 ]
    [ "$(jq -r '.memory.usage.limit' <<<"$output")" = 67108864 ]
    [ "$(jq -r '.pids.current' <<<"$output")" = 1 ]
    cdelete m1
    cgone m1
}

@test "ctr task kill: SIGTERM ends a container that handles it, exit status 7" {
    cr k1 -d "$IMAGE" k1 sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
    sleep 0.3
    c8 task kill k1
    retry 10 eval '[ "$(task_status k1)" = STOPPED ]'
    run c8 task delete k1
    [ "$status" -eq 0 ]
    c8 containers delete k1
    cgone k1
}

@test "ctr task kill -a / task delete -f of a running container leaves nothing" {
    cr k2 -d "$IMAGE" k2 sh -c 'sleep 1000 & exec sleep 1001'
    local pid
    pid=$(c8 task ls | awk '$1 == "k2" { print $2 }')
    [ -d "$WORK/containerd/runc/ocl/k2" ]
    c8 task kill -a -s KILL k2
    retry 10 eval '[ "$(task_status k2)" = STOPPED ]'
    c8 task delete k2
    c8 containers delete k2
    refute pid_alive "$pid"
    cgone k2
    cr k3 -d "$IMAGE" k3 sleep 1000
    c8 task delete -f k3
    c8 containers delete k3
    cgone k3
}

@test "ctr run of a missing command: a readable error naming it" {
    run --separate-stderr cr miss1 --rm "$IMAGE" miss1 /no/such/bin
    echo "status $status; stderr: $stderr"
    [ "$status" -ne 0 ]
    [[ "$stderr" == */no/such/bin* ]]
    grep -qi 'no such file or directory' <<<"$stderr"
    c8 containers delete miss1 >/dev/null 2>&1 || true
    cgone miss1
}

@test "containerd loads contrib/containerd/config.toml: the CRI runtime oci-rt with BinaryName" {
    run containerd --config "$WORK/containerd/config.toml" config dump
    [ "$status" -eq 0 ]
    local t
    t=$(awk '/^ *\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.oci-rt\]/,/^ *\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc\]/' <<<"$output")
    echo "$t"
    grep -q 'runtime_type = "io.containerd.runc.v2"' <<<"$t"
    grep -qF "BinaryName = \"$OCI\"" <<<"$t"
    # the running daemon parsed it: the CRI plugin is up
    run c8 plugins ls
    grep -E 'io.containerd.grpc.v1 +cri +.* ok' <<<"$output"
}

cri() { /usr/bin/python3 "$CLIENTS_DIR/cri.py" "$WORK/containerd/containerd.sock" "$@"; }

# After each test: the CRI pods it made, forced away with ctr (the CRI calls
# themselves are what the tests check).
teardown() {
    [ -s "$WORK/cri-pods" ] || return 0
    : >"$WORK/cri-pods"
    cri_force_cleanup
}

CRI_ROOT() { echo "$WORK/containerd/cri-oci-rt/k8s.io"; }

# cri_pod NAME: a pod sandbox with runtime handler oci-rt; sets POD.
cri_pod() {
    /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
        skip "python3-grpcio and python3-protobuf are not installed (run.sh installs them)"
    mkdir -p "$WORK/podlogs/$1"
    run cri runp "$1" "$CG_PARENT/$1" "$WORK/podlogs/$1" oci-rt
    echo "$output"
    [ "$status" -eq 0 ]
    POD=$output
    track_id "$POD"
    echo "$POD" >>"$WORK/cri-pods"
}

# cri_ctr PODNAME CMD...: create and start a container in pod POD; sets CTR.
cri_ctr() {
    local name=$1
    shift
    run cri create "$POD" "$name" "$CG_PARENT/$name" "$WORK/podlogs/$name" \
        docker.io/library/ocitest:latest "$@"
    echo "$output"
    [ "$status" -eq 0 ]
    CTR=$output
    track_id "$CTR"
    cri start "$CTR"
}

cri_state() { cri status "$1" | jq -r .state; }

@test "CRI (as the kubelet does): a pod with runtime handler oci-rt runs with the config's BinaryName and Root; exec, logs" {
    run cri version
    echo "$output"
    [ "$status" -eq 0 ]
    cri_pod pod1
    # the sandbox runs with oci-rt, its state under the options' Root
    run "$OCI" --root "$(CRI_ROOT)" state "$POD"
    [ "$(jq -r .status <<<"$output")" = running ]
    cri_ctr pod1 sh -c 'echo started; exec sleep 1000'
    [ "$(cri_state "$CTR")" = CONTAINER_RUNNING ]
    run "$OCI" --root "$(CRI_ROOT)" state "$CTR"
    [ "$(jq -r .status <<<"$output")" = running ]
    [ -n "$(cgroup_dirs "$CG_PARENT/pod1/$CTR")" ]
    run cri exec "$CTR" sh -c 'echo in-pod; exit 3'
    echo "$output"
    [ "$(jq -r .stdout <<<"$output")" = in-pod ]
    [ "$(jq -r .exit_code <<<"$output")" = 3 ]
    # the pod's pid namespace: the container sees the sandbox's process
    run cri exec "$CTR" ps -o args
    grep -q 'sleep 1000000' <<<"$(jq -r .stdout <<<"$output")"
    retry 5 grep -q started "$WORK/podlogs/pod1/app.log"
}

@test "CRI: a container that exits is reported EXITED with its exit code" {
    cri_pod pod2
    cri_ctr pod2 sh -c 'echo done; exit 3'
    # containerd handles the exit with `kill --all ID 9` on the stopped
    # container (runc: no error) before it records the status
    # shellcheck disable=SC2317
    _exited() { [ "$(cri_state "$CTR")" = CONTAINER_EXITED ]; }
    retry 10 _exited || {
        echo "still $(cri status "$CTR") 10 s after the exit; containerd says:" >&2
        grep -F "$CTR" "$WORK/containerd/containerd.log" | grep level=error | tail -2 | cut -c1-400 >&2
        false
    }
    [ "$(cri status "$CTR" | jq -r .exit_code)" = 3 ]
}

@test "CRI: StopContainer (SIGTERM, then SIGKILL after the grace period), RemoveContainer, StopPodSandbox, RemovePodSandbox leave nothing" {
    cri_pod pod3
    cri_ctr pod3 sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    local c1=$CTR t0
    sleep 0.3
    t0=$SECONDS
    CRI_TIMEOUT=15 run cri stop "$c1" 2
    echo "$output"
    [ "$status" -eq 0 ]
    [ $((SECONDS - t0)) -ge 2 ]
    [ "$(cri_state "$c1")" = CONTAINER_EXITED ]
    cri rm "$c1"
    cri stopp "$POD"
    cri rmp "$POD"
    assert_gone "$c1" "$(CRI_ROOT)" "$CG_PARENT/pod3/$c1"
    assert_gone "$POD" "$(CRI_ROOT)" "$CG_PARENT/pod3/$POD"
}

@test "ctr task kill -a of a task that has exited: no error (runc's kill --all of a stopped container)" {
    cr ka1 -d "$IMAGE" ka1 sh -c 'exit 0'
    retry 10 eval '[ "$(task_status ka1)" = STOPPED ]'
    run c8 task kill -a -s KILL ka1
    echo "$output"
    [ "$status" -eq 0 ]
    c8 task delete ka1
    c8 containers delete ka1
    cgone ka1
}

# ------------------------------------------------- the engine's defaults
# ctr run as users run it (its defaults: no seccomp unless --seccomp,
# noNewPrivileges unless --allow-new-privs, a network namespace with lo
# only), each command once with oci-rt and once with runc (Debian's, its own
# --runc-root), compared (same_as_runc in lib.sh).  ctr has no --init,
# --user, --tmpfs or --pids-limit: --mount type=tmpfs stands for --tmpfs,
# and a cgroup mount (ctr's spec has none) shows the limits inside.

CTR_OPTS=()

# crt RUNTIME CMD...: ctr run --rm with the options in CTR_OPTS; the ID of
# an oci-rt run goes to $WORK/last-oci-id.
crt() {
    local rt=$1 bin=$OCI root=$WORK/containerd/runc id rc=0
    shift
    if [ "$rt" = runc ]; then
        bin=$(command -v runc)
        root=$WORK/containerd/runc-runc
    fi
    id=dflt-$rt-$RANDOM$RANDOM
    [ "$rt" != oci-rt ] || {
        track_id "$id"
        echo "$id" >"$WORK/last-oci-id"
    }
    c8 run --rm --runc-binary "$bin" --runc-root "$root" --cgroup "$CG_PARENT/$id" \
        "${CTR_OPTS[@]}" "$IMAGE" "$id" "$@" || rc=$?
    return "$rc"
}

@test "ctr run with the defaults (no seccomp, noNewPrivileges, containerd's capabilities, lo only): as runc" {
    CTR_OPTS=()
    # shellcheck disable=SC2016
    same_as_runc crt sh -c 'ocitest report; echo links=$(ls /sys/class/net | tr "\n" " ")'
    echo "$output"
    [ "$status" -eq 0 ]
    grep -qx 'seccomp=0' <<<"$output"
    grep -qx 'no_new_privs=1' <<<"$output"
    grep -qx 'links=lo' <<<"$output"
    cgone "$(cat "$WORK/last-oci-id")"
}

@test "ctr run --seccomp --read-only --mount (bind, tmpfs) --device --cap-add --allow-new-privs --memory-limit --cpus: as runc" {
    mkdir -p "$WORK/vol-flags"
    echo from-host >"$WORK/vol-flags/in"
    CTR_OPTS=(--seccomp --read-only --mount "type=bind,src=$WORK/vol-flags,dst=/data,options=rbind:ro"
        --mount "type=tmpfs,src=tmpfs,dst=/run,options=nosuid:nodev" --device /dev/fuse --env XDEV=/dev/fuse
        --cap-add CAP_NET_ADMIN --allow-new-privs --memory-limit 67108864 --cpus 0.5
        --mount "type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:nodev:noexec")
    same_as_runc crt sh -c "$FLAGS_SCRIPT"
    echo "$output"
    [ "$status" -eq 0 ]
    grep -qx 'seccomp=2' <<<"$output"
    grep -qx 'root_opts=ro' <<<"$output"
    grep -qx 'run_fs=tmpfs' <<<"$output"
    grep -qx 'data=from-host' <<<"$output"
    grep -q '^dev=type=chr .* rdev=10:229 ' <<<"$output"
    local bnd
    bnd=$(sed -n 's/^caps.bnd=//p' <<<"$output")
    [ $((0x$bnd >> 12 & 1)) = 1 ]
    grep -qx 'no_new_privs=0' <<<"$output"
    grep -qx 'mem_limit=67108864' <<<"$output"
    grep -qx 'cpu_quota=50000/100000' <<<"$output"
    cgone "$(cat "$WORK/last-oci-id")"
}

@test "containerd: after all containers are removed, no oci-rt state, cgroup or process is left" {
    local t
    for t in $(c8 task ls -q); do cdelete "$t"; done
    for t in $(c8 containers ls -q); do c8 containers delete "$t"; done
    run c8 containers ls -q
    [ -z "$output" ]
    # (oci-rt keeps its seccomp cache in .cache there: not a container's state)
    run sh -c "ls -A \"$WORK/containerd/runc/ocl\" 2>/dev/null | grep -vx .cache"
    [ -z "$output" ] || { echo "left: $output" >&2; false; }
    local id dirs
    while read -r id; do
        [ -n "$id" ] && cgone "$id"
    done <"$WORK/ids"
    [ -z "$(pids_with_cmdline "$OCI")" ]
    dirs=$(cgroup_dirs "$CG_PARENT")
    if [ -n "$dirs" ]; then
        # the pods' parent cgroups are the kubelet's to make and remove (the
        # runtime mkdirs a missing parent, as runc does); the containers' go
        # shellcheck disable=SC2086
        run find $dirs -mindepth 1 -type d -not -name 'pod[0-9]'
        [ -z "$output" ] || { echo "cgroups left: $output" >&2; false; }
    fi
}
