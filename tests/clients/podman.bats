#!/usr/bin/env bats
# Podman 4.3 (conmon) running containers with oci-rt: `podman --runtime
# <snapshot>` with private storage, run root, tmp dir and config (see pm in
# lib.sh); cgroupfs, cgroup parent CG_PARENT, no network.

# shellcheck disable=SC2154,SC2016,SC2030,SC2031  # bats: run sets status/output/stderr; literal $ in commands
load lib.sh

setup_file() {
    clients_setup_file podman
    podman_setup
}

teardown_file() {
    podman_teardown
    clients_teardown_file
}

# prun ARGS...: podman run in this run's cgroup parent, without network.
prun() { pm run --cgroup-parent "$CG_PARENT" --network none "$@"; }

# pstart NAME ARGS...: podman run -d --name NAME ARGS; sets CID.
pstart() {
    local name=$1
    shift
    CID=$(prun -d --name "$name" "$@")
    track_id "$CID"
}

ppid() { pm inspect -f '{{.State.Pid}}' "$1"; }

# pgone CID: podman removed it, and oci-rt's state, the cgroup and the
# processes are gone.
pgone() { assert_gone "$1" "$PODMAN_OCI_ROOT" "$CG_PARENT/libpod-$1"; }

@test "podman run: output, stderr and exit status of a container run to completion" {
    run --separate-stderr prun --rm --cidfile "$WORK/run1.cid" ocitest sh -c 'echo hi; echo oops >&2; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = hi ]
    [ "$stderr" = oops ]
    track_id "$(cat "$WORK/run1.cid")"
    pgone "$(cat "$WORK/run1.cid")"
}

@test "podman run: the container gets the engine's process settings (ulimits, env, user, cwd)" {
    run prun --rm -e FOO=bar -u 1000:1000 -w /tmp ocitest ocitest report
    [ "$status" -eq 0 ]
    grep -qx 'uid=1000' <<<"$output"
    grep -qx 'gid=1000' <<<"$output"
    grep -qx 'cwd=/tmp' <<<"$output"
    grep -qx 'rlimit.nofile=1024:1024' <<<"$output"
    run prun --rm -e FOO=bar ocitest sh -c 'echo $FOO'
    [ "$output" = bar ]
}

@test "podman run -d: logs and wait give the output and exit status" {
    pstart bg1 ocitest sh -c 'echo out; sleep 0.3; exit 7'
    run pm wait bg1
    [ "$output" = 7 ]
    run pm logs bg1
    [ "$output" = out ]
    run pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' bg1
    [ "$output" = "exited 7" ]
    pm rm bg1
    pgone "$CID"
}

@test "podman exec: without a tty, with -t, and interactive -it on a terminal" {
    pstart ex1 ocitest sleep 1000
    run pm exec ex1 sh -c 'echo in; exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = in ]
    run pm exec ex1 sh -c 'tty || true'
    [ "$output" = "not a tty" ]
    run pm exec -t ex1 tty
    [ "$status" -eq 0 ]
    [[ "$output" == /dev/pts/* ]]
    run pm exec -d ex1 sh -c 'echo detached >/tmp/d'
    [ "$status" -eq 0 ]
    retry 5 pm exec ex1 test -s /tmp/d
    interactive_shell_test pexec "$(PM_CMD) exec -it ex1 sh"
    run pm top ex1 pid args
    echo "$output"
    [ "$(grep -c sleep <<<"$output")" -eq 1 ]
    refute grep -q 'sh$' <<<"$output"
    pm rm -f -t 0 ex1
    pgone "$CID"
}

@test "podman run -it: interactive shell on a terminal" {
    interactive_shell_test prun "$(PM_CMD) run -it --rm --network none --cgroup-parent $CG_PARENT --name it1 ocitest sh"
}

@test "podman top: the container's processes" {
    pstart top1 ocitest sh -c 'sleep 1001 & exec sleep 1002'
    retry 5 eval 'pm top top1 | grep -q "sleep 1001"'
    run pm top top1 pid args
    [ "$status" -eq 0 ]
    grep -q 'sleep 1001' <<<"$output"
    grep -q 'sleep 1002' <<<"$output"
    run pm top top1 hpid args
    [ "$(awk '/sleep 1002/ { print $1 }' <<<"$output")" = "$(ppid top1)" ]
    pm rm -f -t 0 top1
    pgone "$CID"
}

@test "podman pause/unpause: a counter stops and restarts" {
    mkdir -p "$WORK/vol-pause"
    pstart pz1 -v "$WORK/vol-pause:/data" ocitest ocitest counter /data/count
    retry 5 test -s "$WORK/vol-pause/count"
    assert_counter_moving "$WORK/vol-pause/count"
    pm pause pz1
    run pm inspect -f '{{.State.Status}}' pz1
    [ "$output" = paused ]
    run "$OCI" --root "$PODMAN_OCI_ROOT" state "$CID"
    [ "$(jq -r .status <<<"$output")" = paused ]
    [ "$(cat "$CGROUP_FS/freezer$CG_PARENT/libpod-$CID/freezer.state")" = FROZEN ]
    assert_counter_frozen "$WORK/vol-pause/count"
    pm unpause pz1
    run pm inspect -f '{{.State.Status}}' pz1
    [ "$output" = running ]
    assert_counter_moving "$WORK/vol-pause/count"
    pm pause pz1
    pm rm -f -t 0 pz1
    pgone "$CID"
}

@test "podman stats --no-stream shows the container's usage" {
    pstart st1 ocitest sh -c 'sleep 1000 & exec sleep 1001'
    run pm stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}' st1
    [ "$status" -eq 0 ]
    echo "$output"
    [[ "$output" == st1\|* ]]
    [ "$(cut -d'|' -f3 <<<"$output")" = 2 ]
    [[ "$(cut -d'|' -f2 <<<"$output")" != 0B* ]]
    pm rm -f -t 0 st1
    pgone "$CID"
}

@test "podman update --memory 64m --memory-swap 128m, --cpus, --cpu-shares change the running container's cgroup" {
    pstart up1 ocitest sleep 1000
    pm update --memory 64m --memory-swap 128m up1
    [ "$(cat "$CGROUP_FS/memory$CG_PARENT/libpod-$CID/memory.limit_in_bytes")" = 67108864 ]
    [ "$(cat "$CGROUP_FS/memory$CG_PARENT/libpod-$CID/memory.memsw.limit_in_bytes")" = 134217728 ]
    run pm exec up1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 67108864 ]
    pm update --cpus 0.5 --cpu-shares 512 up1
    [ "$(cat "$CGROUP_FS/cpu$CG_PARENT/libpod-$CID/cpu.cfs_quota_us")" = 50000 ]
    [ "$(cat "$CGROUP_FS/cpu$CG_PARENT/libpod-$CID/cpu.shares")" = 512 ]
    pm rm -f -t 0 up1
    pgone "$CID"
}

@test "podman run with resource limits: --memory, --pids-limit, --cpuset-cpus" {
    run prun --rm --memory 32m --pids-limit 20 --cpuset-cpus 0 ocitest \
        sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpuset/cpuset.cpus'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 33554432 ]
    [ "${lines[1]}" = 20 ]
    [ "${lines[2]}" = 0 ]
}

@test "podman stop: SIGTERM ends a container that handles it, without waiting for the timeout" {
    pstart stop1 ocitest sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
    sleep 0.3
    local t0=$SECONDS
    pm stop -t 20 stop1
    [ $((SECONDS - t0)) -lt 10 ]
    run pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' stop1
    [ "$output" = "exited 7" ]
    pm rm stop1
    pgone "$CID"
}

@test "podman stop -t 2: a container ignoring SIGTERM is killed after the timeout" {
    pstart stop2 ocitest sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    sleep 0.3
    local pid t0 ms
    pid=$(ppid stop2)
    t0=$(date +%s%N)
    pm stop -t 2 stop2 2>/dev/null
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$ms" -ge 1900 ] || { echo "stopped after ${ms} ms: SIGTERM was not ignored?" >&2; false; }
    [ "$ms" -lt 10000 ]
    run pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' stop2
    [ "$output" = "exited 137" ]
    refute pid_alive "$pid"
    pm rm stop2
    pgone "$CID"
}

@test "podman kill -s: the signal reaches the container's process" {
    pstart kill1 ocitest ocitest wait-signal
    retry 5 eval 'pm logs kill1 | grep -qx ready'
    pm kill -s USR1 kill1
    retry 5 eval 'pm logs kill1 | grep -qx signal=SIGUSR1'
    pm rm -f -t 0 kill1
    pgone "$CID"
}

@test "podman restart: a new process, still running, exec works" {
    pstart rs1 ocitest sleep 1000
    local pid1
    pid1=$(ppid rs1)
    pm restart -t 1 rs1
    run pm inspect -f '{{.State.Status}}' rs1
    [ "$output" = running ]
    [ "$(ppid rs1)" != "$pid1" ]
    refute pid_alive "$pid1"
    run pm exec rs1 echo again
    [ "$output" = again ]
    pm rm -f -t 0 rs1
    pgone "$CID"
}

@test "podman rm -f of a running container leaves no state, cgroup or process" {
    pstart rm1 ocitest sh -c 'sleep 1000 & exec sleep 1001'
    local pid
    pid=$(ppid rm1)
    [ -d "$PODMAN_OCI_ROOT/$CID" ]
    [ -n "$(cgroup_dirs "$CG_PARENT/libpod-$CID")" ]
    pm rm -f -t 0 rm1
    refute pid_alive "$pid"
    pgone "$CID"
}

# notify_listen SOCK LOG: a datagram socket as systemd's, each message a line in LOG
notify_listen() {
    python3 - "$1" "$2" 3>&- <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".ready", "w").close()
while True:
    m = s.recv(8192).decode()
    with open(sys.argv[2], "a") as f:
        f.write(m.rstrip("\n") + "\n")
PY
    defer_kill=$!
    for _ in $(seq 100); do [ -e "$2.ready" ] && return 0; sleep 0.05; done
    return 1
}

@test "podman run --sdnotify=container: the container's READY=1 reaches the caller's NOTIFY_SOCKET, as with runc" {
    local rt bin log t0 cid ms ocid
    for rt in oci-rt runc; do
        bin=$OCI
        if [ "$rt" = runc ]; then
            bin=$WORK/bin/runc-private
            printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$(command -v runc)" "$WORK/podman/runc-root" >"$bin"
            chmod 755 "$bin"
        fi
        log=$BATS_TEST_TMPDIR/$rt.log
        notify_listen "$BATS_TEST_TMPDIR/$rt.sock" "$log"
        t0=$(date +%s%N)
        cid=$(NOTIFY_SOCKET=$BATS_TEST_TMPDIR/$rt.sock PM_RUNTIME=$bin prun -d --sdnotify=container ocitest \
            sh -c 'sleep 1; ocitest notify STATUS=up; ocitest notify READY=1; exec sleep 60')
        ms=$((($(date +%s%N) - t0) / 1000000))
        [ "$rt" = runc ] || { track_id "$cid"; ocid=$cid; }
        for _ in $(seq 100); do grep -q READY=1 "$log" 2>/dev/null && break; sleep 0.05; done
        echo "# $rt: podman -d returned after $ms ms; got: $(tr '\n' ' ' <"$log" 2>/dev/null)" >&3
        kill "$defer_kill"
        grep -qx READY=1 "$log"
        # (podman relays it with conmon as the main pid, whatever the runtime)
        grep -qx "MAINPID=$(PM_RUNTIME=$bin pm inspect -f '{{.State.ConmonPid}}' "$cid")" "$log"
        PM_RUNTIME=$bin pm rm -f -t 0 "$cid" >/dev/null
    done
    pgone "$ocid"
}

@test "podman run of a missing command: a readable error naming it, exit status 127" {
    run -127 --separate-stderr prun --rm ocitest /no/such/bin
    echo "status $status; stderr: $stderr"
    [[ "$stderr" == */no/such/bin* ]]
    grep -qi 'no such file or directory' <<<"$stderr"
}

@test "podman run of a file that is not executable: exit status 126" {
    run -126 --separate-stderr prun --rm ocitest /etc/passwd
    echo "status $status; stderr: $stderr"
    [[ "$stderr" == */etc/passwd* ]]
    grep -qi 'permission denied' <<<"$stderr"
}

@test "podman run of commands that cannot be executed: the exec error every time (40 runs)" {
    # A fast failure of the init (path resolution) must not turn into
    # "sync socket: Broken pipe" / "Connection reset by peer".
    local attempt bad=0 e msg
    # (not `i`: bats' own helpers change a global i)
    for ((attempt = 0; attempt < 40; attempt++)); do
        if ((attempt % 2)); then e=/etc/passwd; else e=/no/such/bin; fi
        msg=$(prun --rm ocitest "$e" 2>&1 >/dev/null) || true
        # runc's text: exec: "PATH": ...
        if [[ "$msg" != *"exec: \"$e\""* ]]; then
            echo "run $attempt ($e): $msg" >&2
            bad=$((bad + 1))
        fi
    done
    [ "$bad" -eq 0 ]
}

@test "podman with contrib/podman/containers.conf: the runtime chosen by name from [engine.runtimes]" {
    local conf=$WORK/podman/contrib.conf P=$WORK/podman
    {
        printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\nnetns = "none"\n\n'
        sed -e "s|\"/usr/local/bin/oci-rt\"|\"$OCI\"|" \
            -e 's|^# runtime = "oci-rt"|runtime = "oci-rt"|' \
            -e 's|^cgroup_manager = "systemd"|cgroup_manager = "cgroupfs"|' \
            -e "/^\[engine\]\$/a events_logger = \"file\"\nevents_logfile_path = \"$P/events.log\"\ntmp_dir = \"$P/tmp\"\nnetwork_config_dir = \"$P/net\"" \
            "$REPO/contrib/podman/containers.conf"
    } >"$conf"
    grep -q '^runtime = "oci-rt"' "$conf"
    # contrib's systemd driver, turned to cgroupfs here (no systemd on this host)
    [ "$(grep -c '^cgroup_manager = "cgroupfs"' "$conf")" = 1 ]
    refute grep -q '^cgroup_manager = "systemd"' "$conf"
    # no --runtime: containers.conf selects it
    CID=$(CONTAINERS_CONF=$conf CONTAINERS_STORAGE_CONF=$P/storage.conf podman --root "$P/root" \
        --runroot "$P/run" run -d --cgroup-parent "$CG_PARENT" --name cc1 ocitest sleep 1000)
    track_id "$CID"
    run pm inspect -f '{{.OCIRuntime}}' cc1
    [ "$output" = oci-rt ]
    [ -d "$PODMAN_OCI_ROOT/$CID" ]
    run pm exec cc1 echo viaconf
    [ "$output" = viaconf ]
    CONTAINERS_CONF=$conf CONTAINERS_STORAGE_CONF=$P/storage.conf podman --root "$P/root" \
        --runroot "$P/run" rm -f -t 0 cc1
    pgone "$CID"
}

# ------------------------------------------------- the engine's defaults
# Podman as users run it: its default network (podman_default_network in
# lib.sh: a CNI bridge, the container joins a netns by path and gets
# net.ipv4.ping_group_range), seccomp profile and capabilities; each command
# once with oci-rt and once with runc (Debian's, by path), compared
# (same_as_runc in lib.sh).

# prt RUNTIME ARGS...: podman run --rm with the defaults and runtime RUNTIME
# (oci-rt: the snapshot; runc: Debian's, in a state dir of this run); the
# container ID of an oci-rt run
# goes to $WORK/last-oci-cid.
prt() {
    local rt=$1 cf rc=0 bin=$OCI
    shift
    if [ "$rt" = runc ]; then
        # runc with a state dir of this run: podman passes runc no --root
        # (and its clean-up's delete would not pass --runtime-flag's)
        bin=$WORK/bin/runc-private
        [ -x "$bin" ] || printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$(command -v runc)" \
            "$WORK/podman/runc-root" >"$bin"
        chmod 755 "$bin"
    fi
    cf=$(mktemp -u "$WORK/cid.XXXXXX")
    PM_RUNTIME=$bin pmd run --rm --cgroup-parent "$CG_PARENT" --cidfile "$cf" "$@" || rc=$?
    if [ "$rt" = oci-rt ] && [ -s "$cf" ]; then
        track_id "$(cat "$cf")"
        cp "$cf" "$WORK/last-oci-cid"
    fi
    rm -f "$cf"
    return "$rc"
}

@test "podman run --rm IMAGE echo hi with the defaults (default network by netns path + ping_group_range): as runc" {
    [ -s "$WORK/podman/bridge" ] || podman_default_network
    same_as_runc prt ocitest echo hi
    [ "$status" -eq 0 ]
    [ "$output" = hi ]
    pgone "$(cat "$WORK/last-oci-cid")"
}

@test "podman run with the defaults (network, seccomp, capabilities): as runc" {
    [ -s "$WORK/podman/bridge" ] || podman_default_network
    # shellcheck disable=SC2016
    same_as_runc prt ocitest sh -c 'ocitest report; echo links=$(ls /sys/class/net | sort | tr "\n" " ")
        echo pgr=$(cat /proc/sys/net/ipv4/ping_group_range)'
    echo "$output"
    [ "$status" -eq 0 ]
    grep -qx 'seccomp=2' <<<"$output"
    grep -qx 'links=eth0 lo' <<<"$output"
    grep -qx 'pgr=0 0' <<<"$output"
    [ "$(grep '^ns.net=' <<<"$output")" != "ns.net=$(stat -L -c %i /proc/self/ns/net)" ]
    pgone "$(cat "$WORK/last-oci-cid")"
}

@test "podman run --init --user --read-only --tmpfs -v (bind, anonymous) --device --cap-add --security-opt no-new-privileges --pids-limit --memory --cpus: as runc" {
    [ -s "$WORK/podman/bridge" ] || podman_default_network
    mkdir -p "$WORK/vol-flags"
    echo from-host >"$WORK/vol-flags/in"
    same_as_runc prt --init --user 1000:1000 --read-only --tmpfs /run -v "$WORK/vol-flags:/data" -v /anon \
        --device /dev/zero:/dev/xzero --cap-add NET_ADMIN --security-opt no-new-privileges \
        --pids-limit 50 --memory 64m --cpus 0.5 ocitest sh -c "$FLAGS_SCRIPT"
    echo "$output"
    [ "$status" -eq 0 ]
    grep -qx 'init=podman-init' <<<"$output" # catatonit, bind-mounted by podman
    grep -qx 'uid=1000' <<<"$output"
    grep -qx 'root_opts=ro' <<<"$output"
    grep -qx 'run_fs=tmpfs' <<<"$output"
    grep -qx 'data=from-host' <<<"$output"
    grep -qE '^anon=[a-z0-9]+$' <<<"$output"
    grep -q '^dev=type=chr .* rdev=1:5 ' <<<"$output"
    grep -qx 'zero=000000' <<<"$output"
    # NET_ADMIN (12) is added to the bounding set (and, for a non-root user,
    # podman adds it to the ambient set too)
    local bnd
    bnd=$(sed -n 's/^caps.bnd=//p' <<<"$output")
    [ $((0x$bnd >> 12 & 1)) = 1 ]
    grep -qx 'caps.amb=0000000000001000' <<<"$output"
    grep -qx 'no_new_privs=1' <<<"$output"
    grep -qx 'pids_max=50' <<<"$output"
    grep -qx 'mem_limit=67108864' <<<"$output"
    grep -qx 'cpu_quota=50000/100000' <<<"$output"
    pgone "$(cat "$WORK/last-oci-cid")"
}

@test "podman: after all containers are removed, no oci-rt state, cgroup or process is left" {
    pm rm -af -t 0 >/dev/null 2>&1 || true
    run pm ps -aq
    [ -z "$output" ]
    local id dirs
    while read -r id; do
        [ -n "$id" ] && pgone "$id"
    done <"$WORK/ids"
    [ -z "$(pids_with_cmdline "$OCI")" ]
    # oci-rt's cgroups go; podman leaves its own conmon cgroup in the parent
    dirs=$(cgroup_dirs "$CG_PARENT")
    if [ -n "$dirs" ]; then
        # shellcheck disable=SC2086
        run find $dirs -mindepth 1 -type d -not -name conmon
        [ -z "$output" ] || { echo "cgroups left: $output" >&2; false; }
    fi
}
