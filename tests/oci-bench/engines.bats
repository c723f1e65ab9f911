#!/usr/bin/env bats
# oci-bench --engine docker|podman|containerd: the runtimes as the engine
# runs them. oci-bench starts no daemon; these tests start private ones
# (their own sockets, data and state directories, no networking of their
# own) and stop them, then check that neither the engine nor the host keeps
# anything of the run.

load helpers

setup_file() {
    need_root_and_tools
    # the engines run a snapshot: a concurrent make must not change it
    export SNAP=$BATS_FILE_TMPDIR/bin
    mkdir -p "$SNAP"
    cp "$OCI_RT" "$SNAP/oci-rt"
    # host paths the engines make on first use: only new ones are removed
    export PREEXISTING=$BATS_FILE_TMPDIR/preexisting
    : >"$PREEXISTING"
    local p
    for p in /etc/docker /etc/docker/key.json /run/docker /run/containerd /var/lib/containers; do
        [ -e "$p" ] && echo "$p" >>"$PREEXISTING"
    done
    # the parent cgroups dockerd (/docker) and podman (/libpod_parent) make
    # in every hierarchy on their first container
    for p in /sys/fs/cgroup/*/docker /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/docker \
        /sys/fs/cgroup/libpod_parent; do
        [ -d "$p" ] && echo "$p" >>"$PREEXISTING"
    done
    return 0
}

# the engines' parent cgroups that this file made: rmdir, deepest first
# (only empty ones go; a container still in one keeps it and says so)
teardown_file() {
    local p
    for p in /sys/fs/cgroup/*/docker /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/docker \
        /sys/fs/cgroup/libpod_parent; do
        [ -d "$p" ] || continue
        grep -qxF -- "$p" "$PREEXISTING" && continue
        find "$p" -depth -type d -exec rmdir {} + 2>/dev/null
        [ ! -d "$p" ] || echo "# engines.bats: could not remove $p (not empty)" >&3
    done
    return 0
}

setup() {
    need_root_and_tools
    E=$(mktemp -d /tmp/ocbe.XXXXXX) # short: socket paths must stay under 108 bytes
    W=$E/work
    mkdir -p "$W"
    DAEMON_PID=
}

teardown() {
    stop_daemon
    awk -v d="$E" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$E"
    remove_if_new /etc/docker/key.json /run/docker
    grep -qx /etc/docker "$PREEXISTING" || rmdir /etc/docker 2>/dev/null || true
    # /run/containerd (shim sockets, fifos) when this file made it and no
    # shim uses it any more (a stopped shim's socket goes a moment later)
    if [ -d /run/containerd ] && ! grep -qx /run/containerd "$PREEXISTING"; then
        local i
        for ((i = 0; i < 50; i++)); do
            [ -n "$(find /run/containerd \( -type s -o -type p \) 2>/dev/null | head -1)" ] || break
            sleep 0.1
        done
        [ "$i" -eq 50 ] || rm -rf /run/containerd
    fi
}

remove_if_new() {
    local p
    for p in "$@"; do
        grep -qxF -- "$p" "$PREEXISTING" || rm -rf -- "$p"
    done
}

pid_alive() {
    [ -n "$1" ] && [ -d "/proc/$1" ] &&
        awk '{ sub(/.*\) /, ""); exit $1 == "Z" ? 1 : 0 }' "/proc/$1/stat" 2>/dev/null
}

stop_daemon() {
    local i p
    [ -n "${DAEMON_PID:-}" ] || return 0
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        pid_alive "$DAEMON_PID" || break
        sleep 0.1
    done
    pid_alive "$DAEMON_PID" && kill -KILL "$DAEMON_PID"
    # shims or a daemon's own containerd, by their private paths
    for p in $(grep -a -l -F "$E/" /proc/[0-9]*/cmdline 2>/dev/null); do
        p=${p#/proc/}
        p=${p%/cmdline}
        pid_alive "$p" && kill -KILL "$p" 2>/dev/null
    done
    DAEMON_PID=
}

wait_up() {
    local i
    for ((i = 0; i < 600; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        pid_alive "$DAEMON_PID" || break
        sleep 0.1
    done
    echo "the daemon did not come up; its log:" >&2
    tail -20 "$E/daemon.log" >&2
    return 1
}

bench() {
    # the engine paths, not the statistics: two rounds, no warm-up
    run --separate-stderr "$OCI_BENCH" --quick --rounds 2 --warmup 0 --workdir "$W" \
        --json "$E/out.json" "$@"
    echo "$output" >&2
    echo "$stderr" >&2
}

check_results() { # check_results WORKLOAD FIGURE RUNTIME...
    local w=$1 f=$2 rt
    shift 2
    for rt in "$@"; do
        jq -e --arg w "$w" --arg f "$f" --arg rt "$rt" \
            '.workloads[$w] as $x | $x.metrics[$f].results[$rt].n == $x.rounds' "$E/out.json" || {
            echo "$w $f $rt:" >&2
            jq --arg w "$w" '.workloads[$w]' "$E/out.json" >&2
            return 1
        }
    done
}

@test "docker: lifecycle and network of oci-rt and runc through a private dockerd" {
    command -v dockerd >/dev/null || skip "dockerd is not installed (tests/oci-bench/run.sh installs docker.io)"
    mkdir -p "$E/data" "$E/exec" "$E/cli"
    jq -n --arg E "$E" --arg oci "$SNAP/oci-rt" '{
        runtimes: {"oci-rt": {path: $oci}},
        "data-root": ($E + "/data"), "exec-root": ($E + "/exec"), pidfile: ($E + "/dockerd.pid"),
        hosts: ["unix://" + $E + "/docker.sock"], iptables: false, ip6tables: false,
        bridge: "none", "ip-forward": false, "ip-masq": false, "userland-proxy": false,
        "exec-opts": ["native.cgroupdriver=cgroupfs"], "storage-driver": "overlay2"}' >"$E/daemon.json"
    setsid dockerd --config-file "$E/daemon.json" </dev/null >"$E/daemon.log" 2>&1 3>&- &
    DAEMON_PID=$!
    export DOCKER_CONFIG=$E/cli
    local dk="docker -H unix://$E/docker.sock"
    wait_up $dk version
    bench --engine docker --engine-cmd "$dk" -w lifecycle,network \
        --runtime oci-rt=oci-rt --runtime runc=runc
    [ "$status" -eq 0 ]
    validate_json "$E/out.json"
    jq -e '.mode == "docker"' "$E/out.json"
    jq -e '.runtimes | map(.version) | .[0] | test("^oci-rt version")' "$E/out.json"
    check_results lifecycle create oci-rt runc
    check_results lifecycle run oci-rt runc
    check_results network throughput oci-rt runc
    # docker keeps no container or image of the run
    [ -z "$($dk ps -aq)" ]
    [ -z "$($dk images -q)" ]
    assert_nothing_left "$W"
}

@test "podman: lifecycle of oci-rt and runc, network of runc, with private storage" {
    command -v podman >/dev/null || skip "podman is not installed (tests/oci-bench/run.sh installs it)"
    mkdir -p "$E/root" "$E/run" "$E/tmp" "$E/net"
    local pm="podman --root $E/root --runroot $E/run --tmpdir $E/tmp --storage-driver overlay"
    pm+=" --cgroup-manager cgroupfs --events-backend file --network-config-dir $E/net"
    # (oci-rt refuses podman's net.ipv4.ping_group_range sysctl when the
    # container joins a network namespace by path: its network is not run)
    bench --engine podman --engine-cmd "$pm" -w lifecycle --runtime "oci-rt=$SNAP/oci-rt" \
        --runtime runc=runc
    [ "$status" -eq 0 ]
    validate_json "$E/out.json"
    check_results lifecycle start oci-rt runc
    check_results lifecycle delete oci-rt runc
    bench --engine podman --engine-cmd "$pm" -w network --runtime runc=runc
    [ "$status" -eq 0 ]
    check_results network throughput runc
    [ -z "$($pm ps -aq)" ]
    assert_nothing_left "$W"
}

@test "containerd: lifecycle and network of oci-rt and runc, and a shim by name, through a private containerd" {
    command -v containerd >/dev/null || skip "containerd is not installed (tests/oci-bench/run.sh installs it)"
    printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n[grpc]\n  address = "%s/c.sock"\n[ttrpc]\n  address = "%s/c.sock.ttrpc"\n[debug]\n  address = "%s/d.sock"\n' \
        "$E" "$E" "$E" "$E" "$E" >"$E/config.toml"
    setsid containerd --config "$E/config.toml" </dev/null >"$E/daemon.log" 2>&1 3>&- &
    DAEMON_PID=$!
    local c8="ctr -a $E/c.sock"
    wait_up $c8 version
    # --shim: a shim by name, with no runtime binary given (Kata's would be
    # io.containerd.kata.v2; runc's shim with its default runc stands in)
    bench --engine containerd --engine-cmd "$c8" -w lifecycle,network \
        --runtime "oci-rt=$SNAP/oci-rt" --runtime runc=runc --shim runc-shim=io.containerd.runc.v2
    [ "$status" -eq 0 ]
    jq -e '.runtimes[2] | .name == "runc-shim" and .shim == "io.containerd.runc.v2"' "$E/out.json"
    check_results lifecycle run runc-shim
    validate_json "$E/out.json"
    jq -e '.mode == "containerd"' "$E/out.json"
    # ctr creates and starts in one step: create has no figure, and says why
    jq -e '.workloads.lifecycle.metrics.create.results == {}' "$E/out.json"
    jq -e '.notes | any(test("create is part of its start"))' "$E/out.json"
    check_results lifecycle start oci-rt runc
    check_results lifecycle run oci-rt runc
    check_results network throughput oci-rt runc
    # its namespace is gone, with every container and task in it
    run $c8 namespaces ls -q
    [ "$status" -eq 0 ]
    [ -z "$(grep '^ocibench-' <<<"$output")" ] || { echo "left: $output" >&2; false; }
    assert_nothing_left "$W"
}
