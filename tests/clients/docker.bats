#!/usr/bin/env bats
# Docker (dockerd 20.10 with its own containerd and the runc shim v2) running
# every container with oci-rt: a private dockerd whose default runtime is the
# oci-rt snapshot (see docker_start in lib.sh).

# shellcheck disable=SC2154,SC2016,SC2030,SC2031  # bats: run sets status/output/stderr; literal $ in commands
load lib.sh

setup_file() {
    clients_setup_file docker
    docker_start
}

teardown_file() {
    docker_stop
    clients_teardown_file
}

# dstart NAME ARGS...: docker run -d --name NAME ARGS; sets CID.
dstart() {
    local name=$1
    shift
    CID=$(dk run -d --network none --name "$name" "$@")
    track_id "$CID"
}

dpid() { dk inspect -f '{{.State.Pid}}' "$1"; }

# dgone CID: docker removed it and oci-rt, the cgroups and processes are gone.
dgone() { assert_gone "$1" "$(docker_oci_root)" "$CG_PARENT/$1"; }

DOCKER_CMD() { echo "DOCKER_CONFIG=$WORK/docker/cli $DOCKER_BIN -H unix://$WORK/docker/docker.sock"; }

@test "docker run: output, stderr and exit status of a container run to completion" {
    run --separate-stderr dk run --rm --network none --cidfile "$WORK/run1.cid" \
        ocitest sh -c 'echo hi; echo oops >&2; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = hi ]
    [ "$stderr" = oops ]
    track_id "$(cat "$WORK/run1.cid")"
    dgone "$(cat "$WORK/run1.cid")"
}

@test "docker run: the container gets the engine's process settings (ulimits, env, user, cwd)" {
    run dk run --rm --network none -e FOO=bar -u 1000:1000 -w /tmp ocitest ocitest report
    [ "$status" -eq 0 ]
    grep -qx 'uid=1000' <<<"$output"
    grep -qx 'gid=1000' <<<"$output"
    grep -qx 'cwd=/tmp' <<<"$output"
    grep -qx 'rlimit.nofile=1024:1024' <<<"$output"
    run dk run --rm --network none -e FOO=bar ocitest sh -c 'echo $FOO'
    [ "$output" = bar ]
}

@test "docker run -d: logs and wait give the output and exit status" {
    dstart bg1 ocitest sh -c 'echo out; sleep 0.3; exit 7'
    run dk wait bg1
    [ "$output" = 7 ]
    run dk logs bg1
    [ "$output" = out ]
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' bg1
    [ "$output" = "exited 7" ]
    dk rm bg1
    dgone "$CID"
}

@test "docker exec: without a tty, with -t, and interactive -it on a terminal" {
    dstart ex1 ocitest sleep 1000
    run dk exec ex1 sh -c 'echo in; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = in ]
    run dk exec ex1 sh -c 'tty || true'
    [ "$output" = "not a tty" ]
    run dk exec -t ex1 tty
    [ "$status" -eq 0 ]
    [[ "$output" == /dev/pts/* ]]
    run dk exec -d ex1 sh -c 'echo detached >/tmp/d'
    [ "$status" -eq 0 ]
    retry 5 dk exec ex1 test -s /tmp/d
    interactive_shell_test dexec "$(DOCKER_CMD) exec -it ex1 sh"
    # the exec'd processes are gone, the container still runs
    run dk top ex1 -o pid,args
    echo "$output"
    [ "$(grep -c sleep <<<"$output")" -eq 1 ]
    refute grep -q 'sh$' <<<"$output"
    dk rm -f ex1
    dgone "$CID"
}

@test "docker run -it: interactive shell on a terminal" {
    interactive_shell_test drun "$(DOCKER_CMD) run -it --rm --network none --name it1 ocitest sh"
}

@test "docker top: the container's processes" {
    dstart top1 ocitest sh -c 'sleep 1001 & exec sleep 1002'
    retry 5 eval 'dk top top1 | grep -q "sleep 1001"'
    run dk top top1
    [ "$status" -eq 0 ]
    grep -q 'sleep 1001' <<<"$output"
    grep -q 'sleep 1002' <<<"$output"
    [ "$(dpid top1)" = "$(dk top top1 -o pid,args | awk '/sleep 1002/ { print $1 }')" ]
    dk rm -f top1
    dgone "$CID"
}

@test "docker pause/unpause: a counter stops and restarts" {
    mkdir -p "$WORK/vol-pause"
    dstart pz1 -v "$WORK/vol-pause:/data" ocitest ocitest counter /data/count
    retry 5 test -s "$WORK/vol-pause/count"
    assert_counter_moving "$WORK/vol-pause/count"
    dk pause pz1
    run dk inspect -f '{{.State.Status}}' pz1
    [ "$output" = paused ]
    run "$OCI" --root "$(docker_oci_root)" state "$CID"
    [ "$(jq -r .status <<<"$output")" = paused ]
    [ "$(cat "$CGROUP_FS/freezer$CG_PARENT/$CID/freezer.state")" = FROZEN ]
    assert_counter_frozen "$WORK/vol-pause/count"
    dk unpause pz1
    run dk inspect -f '{{.State.Status}}' pz1
    [ "$output" = running ]
    [ "$(cat "$CGROUP_FS/freezer$CG_PARENT/$CID/freezer.state")" = THAWED ]
    assert_counter_moving "$WORK/vol-pause/count"
    # a paused container can be removed
    dk pause pz1
    dk rm -f pz1
    dgone "$CID"
}

@test "docker stats --no-stream shows the container's usage" {
    dstart st1 ocitest sh -c 'sleep 1000 & exec sleep 1001'
    run dk stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}' st1
    [ "$status" -eq 0 ]
    [[ "$output" == st1\|* ]]
    [ "$(cut -d'|' -f3 <<<"$output")" = 2 ]
    [[ "$(cut -d'|' -f2 <<<"$output")" != 0B* ]]
    dk rm -f st1
    dgone "$CID"
}

@test "docker update --memory 64m --memory-swap 128m changes the running container's cgroup" {
    dstart up1 ocitest sleep 1000
    dk update --memory 64m --memory-swap 128m up1
    run dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up1
    [ "$output" = "67108864 134217728" ]
    [ "$(cat "$CGROUP_FS/memory$CG_PARENT/$CID/memory.limit_in_bytes")" = 67108864 ]
    [ "$(cat "$CGROUP_FS/memory$CG_PARENT/$CID/memory.memsw.limit_in_bytes")" = 134217728 ]
    run dk exec up1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 67108864 ]
    dk rm -f up1
    dgone "$CID"
}

@test "docker update --cpus --pids-limit --cpu-shares" {
    dstart up2 ocitest sleep 1000
    dk update --cpus 0.5 --pids-limit 50 --cpu-shares 512 up2
    [ "$(cat "$CGROUP_FS/cpu$CG_PARENT/$CID/cpu.cfs_quota_us")" = 50000 ]
    [ "$(cat "$CGROUP_FS/cpu$CG_PARENT/$CID/cpu.cfs_period_us")" = 100000 ]
    [ "$(cat "$CGROUP_FS/cpu$CG_PARENT/$CID/cpu.shares")" = 512 ]
    [ "$(cat "$CGROUP_FS/pids$CG_PARENT/$CID/pids.max")" = 50 ]
    dk rm -f up2
    dgone "$CID"
}

@test "docker run with resource limits: --memory, --pids-limit, --cpuset-cpus" {
    run dk run --rm --network none --memory 32m --pids-limit 20 --cpuset-cpus 0 ocitest \
        sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpuset/cpuset.cpus'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 33554432 ]
    [ "${lines[1]}" = 20 ]
    [ "${lines[2]}" = 0 ]
}

@test "docker stop: SIGTERM ends a container that handles it, without waiting for the timeout" {
    dstart stop1 ocitest sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
    sleep 0.3
    local t0=$SECONDS
    dk stop -t 20 stop1
    [ $((SECONDS - t0)) -lt 10 ]
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' stop1
    [ "$output" = "exited 7" ]
    dk rm stop1
    dgone "$CID"
}

@test "docker stop -t 2: a container ignoring SIGTERM is killed after the timeout" {
    dstart stop2 ocitest sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    sleep 0.3
    local pid t0
    pid=$(dpid stop2)
    t0=$(date +%s%N)
    dk stop -t 2 stop2
    local ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$ms" -ge 1900 ] || { echo "stopped after ${ms} ms: SIGTERM was not ignored?" >&2; false; }
    [ "$ms" -lt 10000 ]
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' stop2
    [ "$output" = "exited 137" ]
    refute pid_alive "$pid"
    dk rm stop2
    dgone "$CID"
}

@test "docker kill -s: the signal reaches the container's process" {
    dstart kill1 ocitest ocitest wait-signal
    retry 5 eval 'dk logs kill1 | grep -qx ready'
    dk kill -s USR1 kill1
    retry 5 eval 'dk logs kill1 | grep -qx signal=SIGUSR1'
    dk kill kill1 >/dev/null 2>&1 || true
    dk rm -f kill1
    dgone "$CID"
}

@test "docker restart: a new process, still running, exec works" {
    dstart rs1 ocitest sleep 1000
    local pid1 started1
    pid1=$(dpid rs1)
    started1=$(dk inspect -f '{{.State.StartedAt}}' rs1)
    dk restart -t 1 rs1
    run dk inspect -f '{{.State.Status}}' rs1
    [ "$output" = running ]
    [ "$(dpid rs1)" != "$pid1" ]
    [ "$(dk inspect -f '{{.State.StartedAt}}' rs1)" != "$started1" ]
    refute pid_alive "$pid1"
    run dk exec rs1 echo again
    [ "$output" = again ]
    dk rm -f rs1
    dgone "$CID"
}

@test "docker run --restart on-failure:2: the engine restarts a failing container" {
    dstart rp1 --restart on-failure:2 ocitest sh -c 'exit 1'
    # shellcheck disable=SC2317
    _restarted() { [ "$(dk inspect -f '{{.RestartCount}} {{.State.Status}}' rp1)" = "2 exited" ]; }
    retry 20 _restarted
    dk rm -f rp1
    dgone "$CID"
}

@test "docker rm -f of a running container leaves no state, cgroup or process" {
    dstart rm1 ocitest sh -c 'sleep 1000 & exec sleep 1001'
    local pid
    pid=$(dpid rm1)
    [ -d "$(docker_oci_root)/$CID" ]
    [ -n "$(cgroup_dirs "$CG_PARENT/$CID")" ]
    dk rm -f rm1
    refute pid_alive "$pid"
    dgone "$CID"
}

@test "docker run of a missing command: a readable error naming it, exit status 127" {
    run --separate-stderr dk run --rm --network none --cidfile "$WORK/miss.cid" ocitest /no/such/bin
    echo "status $status; stderr: $stderr"
    [ -s "$WORK/miss.cid" ] && track_id "$(cat "$WORK/miss.cid")"
    [[ "$stderr" == */no/such/bin* ]]
    grep -qi 'no such file or directory' <<<"$stderr"
    # The docker CLI maps the runtime's error text to the exit status: it
    # looks for "no such file or directory" (runc's Go error text, lower case).
    [ "$status" -eq 127 ]
}

@test "docker start / exec of a missing command: the daemon records exit status 127 / the exec fails" {
    CID=$(dk create --network none --name miss2 ocitest /no/such/bin)
    track_id "$CID"
    run --separate-stderr dk start miss2
    [ "$status" -ne 0 ]
    [[ "$stderr" == */no/such/bin* ]]
    run dk inspect -f '{{.State.ExitCode}}' miss2
    [ "$output" = 127 ]
    dk rm -f miss2
    dgone "$CID"
    dstart ex2 ocitest sleep 1000
    run --separate-stderr dk exec ex2 /no/such/bin
    echo "status $status; stderr: $stderr"
    [[ "$stderr$output" == */no/such/bin* ]]
    # docker 20.10 exec says 126 here with runc too
    [ "$status" -eq 126 ] || [ "$status" -eq 127 ]
    dk rm -f ex2
    dgone "$CID"
}

@test "docker run of a command not in PATH: exit status 127" {
    run -127 --separate-stderr dk run --rm --network none ocitest nosuchcmd
    echo "status $status; stderr: $stderr"
    [[ "$stderr" == *nosuchcmd* ]]
    grep -q 'executable file not found' <<<"$stderr"
    [ "$status" -eq 127 ]
}

@test "docker run of a file that is not executable: exit status 126" {
    run --separate-stderr dk run --rm --network none ocitest /etc/passwd
    echo "status $status; stderr: $stderr"
    [[ "$stderr" == */etc/passwd* ]]
    grep -qi 'permission denied' <<<"$stderr"
    # docker maps "permission denied" (lower case, as runc says it) to 126
    [ "$status" -eq 126 ]
}

# ------------------------------------------------- the engine's defaults
# Docker as users run it, each command once with oci-rt and once with runc
# (docker's own runtime "runc"), compared (same_as_runc in lib.sh).  The
# default network: dockerd runs here with "bridge": "none" (no iptables on
# a shared host), so `docker run` without --network gets what that gives.

# drt RUNTIME ARGS...: docker run --rm with runtime RUNTIME; the container ID
# of an oci-rt run goes to $WORK/last-oci-cid.
drt() {
    local rt=$1 cf rc=0
    shift
    cf=$(mktemp -u "$WORK/cid.XXXXXX")
    dk run --rm --runtime "$rt" --cidfile "$cf" "$@" || rc=$?
    if [ "$rt" = oci-rt ] && [ -s "$cf" ]; then
        track_id "$(cat "$cf")"
        cp "$cf" "$WORK/last-oci-cid"
    fi
    rm -f "$cf"
    return "$rc"
}

@test "docker run with the defaults (no --network, Docker's seccomp profile and capabilities): as runc" {
    same_as_runc drt ocitest sh -c 'ocitest report; echo links=$(ls /sys/class/net | tr "\n" " ")'
    echo "$output"
    [ "$status" -eq 0 ]
    # with "bridge": "none" the default network is a namespace with lo only
    grep -qx 'links=lo' <<<"$output"
    grep -qx 'seccomp=2' <<<"$output"
    grep -qx 'caps.bnd=00000000a80425fb' <<<"$output"
    grep -qx 'no_new_privs=0' <<<"$output"
    dgone "$(cat "$WORK/last-oci-cid")"
}

@test "docker run --init --user --read-only --tmpfs -v (bind, anonymous) --device --cap-add --security-opt no-new-privileges --pids-limit --memory --cpus: as runc" {
    mkdir -p "$WORK/vol-flags"
    echo from-host >"$WORK/vol-flags/in"
    same_as_runc drt --init --user 1000:1000 --read-only --tmpfs /run -v "$WORK/vol-flags:/data" -v /anon \
        --device /dev/zero:/dev/xzero --cap-add NET_ADMIN --security-opt no-new-privileges \
        --pids-limit 50 --memory 64m --cpus 0.5 ocitest sh -c "$FLAGS_SCRIPT"
    echo "$output"
    [ "$status" -eq 0 ]
    grep -qx 'init=docker-init' <<<"$output"
    grep -qx 'uid=1000' <<<"$output"
    grep -qx 'root_opts=ro' <<<"$output"
    grep -qx 'run_fs=tmpfs' <<<"$output"
    grep -qx 'data=from-host' <<<"$output"
    grep -qE '^anon=[a-z0-9]+$' <<<"$output" # a volume is mounted there
    grep -q '^dev=type=chr .* rdev=1:5 ' <<<"$output"
    grep -qx 'zero=000000' <<<"$output"
    # NET_ADMIN (12) joins Docker's default bounding set
    grep -qx "caps.bnd=$(printf '%016x' $((0xa80425fb | 1 << 12)))" <<<"$output"
    grep -qx 'no_new_privs=1' <<<"$output"
    grep -qx 'pids_max=50' <<<"$output"
    grep -qx 'mem_limit=67108864' <<<"$output"
    grep -qx 'cpu_quota=50000/100000' <<<"$output"
    dgone "$(cat "$WORK/last-oci-cid")"
}

@test "docker: after all containers are removed, no oci-rt state, cgroup or process is left" {
    # shellcheck disable=SC2046
    dk rm -f $(dk ps -aq) >/dev/null 2>&1 || true
    run dk ps -aq
    [ -z "$output" ]
    local root id
    root=$(docker_oci_root)
    # (oci-rt keeps its seccomp cache in .cache there: not a container's state)
    run sh -c "ls -A \"$root\" | grep -vx .cache"
    [ -z "$output" ] || { echo "left in $root: $output" >&2; false; }
    while read -r id; do
        [ -n "$id" ] && dgone "$id"
    done <"$WORK/ids"
    [ -z "$(pids_with_cmdline "$OCI")" ]
    # oci-rt's cgroups go, the parent may stay (it is docker's cgroup-parent)
    local dirs
    dirs=$(cgroup_dirs "$CG_PARENT")
    if [ -n "$dirs" ]; then
        # shellcheck disable=SC2086
        run find $dirs -mindepth 1 -type d
        [ -z "$output" ] || { echo "cgroups left: $output" >&2; false; }
    fi
}
