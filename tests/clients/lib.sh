# shellcheck shell=bash
# shellcheck disable=SC2154  # status, output, stderr: set by bats' run
# Shared setup for the container-engine tests (docker.bats, podman.bats,
# containerd.bats).  Load with `load lib.sh`.
#
# Each .bats file gets its own work dir WORK ($CLIENTS_RUN_DIR or /tmp, then
# ocl-ENGINE.XXXXXX: short, as unix socket paths must stay under 108 bytes)
# holding:
#   bin/oci-rt      a snapshot of the binary under test (a concurrent `make`
#                   cannot change it under a running daemon)
#   rootfs.tar      the test rootfs (busybox + /usr/bin/ocitest), from
#                   tests/lib/mkrootfs.sh
#   ids             every container ID a test made ("ID" per line)
#   ENGINE/         the engine's data root, run root, sockets, config, log
# Each engine gets its own cgroup parent CG_PARENT (/ocl-ENGINE-XXXXXX), so
# that every cgroup the tests make is recognisably theirs; teardown_file
# removes that tree, and nothing else.
#
# Environment:
#   OCI_RT               binary to test (default <repo>/oci-rt)
#   OCI_RT_TEST_CACHE    where the rootfs is built once (default /var/tmp/oci-rt-test)
#   CLIENTS_KEEP=1       keep WORK (and the daemons' logs) after the file ran
#   CLIENTS_RUN_DIR      where the work dirs go (run.sh sets it; it also
#                        collects the cgroup parents used, in cgroup-parents)

bats_require_minimum_version 1.5.0

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$CLIENTS_DIR/../.." && pwd)
OCI_RT_SRC=${OCI_RT:-$REPO/oci-rt}
TEST_CACHE=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
CGROUP_FS=/sys/fs/cgroup

# ------------------------------------------------------------ small helpers

log() { echo "# $*" >&3; }

# retry TIMEOUT_SECONDS CMD...: run CMD every 0.1 s until it succeeds.
retry() {
    local t=$1 end
    shift
    end=$((SECONDS + t))
    while :; do
        "$@" && return 0
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.1
    done
}

is_zombie() {
    local s
    s=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$s" = Z ] || [ "$s" = X ]
}

# pid_alive PID: exists and is not a zombie (the machine's PID 1 does not
# reap, so orphans can stay zombies for ever; they hold nothing).
pid_alive() {
    [ -n "$1" ] && [ "$1" != 0 ] && [ -d "/proc/$1" ] && ! is_zombie "$1"
}

# pids_in_cgroups STRING: live processes whose cgroup path holds STRING as
# a name of its own: after ":", "/" or "-" (libpod-ID, docker-ID.scope), before
# "/", "." or the end. A bare substring matched the host's other cgroups
# (the supervisor's hex-named one held "d1").
pids_in_cgroups() {
    local f pid re
    re=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')
    # one grep over all the files (a grep per process took seconds per call
    # on a busy host)
    for f in $(grep -lE -- "[:/-]$re([/.]|\$)" /proc/[0-9]*/cgroup 2>/dev/null); do
        pid=${f#/proc/}
        pid=${pid%/cgroup}
        [ "$pid" != "$$" ] && pid_alive "$pid" && echo "$pid"
    done
    return 0
}

# pids_with_cmdline STRING: live processes whose command line contains STRING.
pids_with_cmdline() {
    local f pid
    for f in /proc/[0-9]*/cmdline; do
        tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "$1" || continue
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && pid_alive "$pid" && echo "$pid"
    done
    return 0
}

# cgroup_dirs REL: the directories REL (relative to each hierarchy) that exist.
cgroup_dirs() {
    local h
    for h in "$CGROUP_FS"/*/; do
        [ -d "${h%/}$1" ] && echo "${h%/}$1"
    done
    return 0
}

# rm_cgroup_tree REL: rmdir REL and everything under it, in every hierarchy.
# Only ever called with this run's own CG_PARENT.
rm_cgroup_tree() {
    local d
    case "$1" in /ocl-*) ;; *) return 1 ;; esac
    for d in $(cgroup_dirs "$1"); do
        find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    [ -z "$(cgroup_dirs "$1")" ]
}

# umount_under DIR: lazily unmount every mount at or below DIR, deepest first.
umount_under() {
    local m
    awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
        sort -r | while read -r m; do
            umount -l "$m" 2>/dev/null || true
        done
}

track_id() { echo "$1" >>"$WORK/ids"; }

# ------------------------------------------------------------ file setup

# clients_setup_file ENGINE: the work dir, the oci-rt snapshot, the rootfs
# tarball and the cgroup parent name.  Exports WORK OCI ROOTFS_TAR CG_PARENT.
clients_setup_file() {
    local engine=$1 i
    [ "$(id -u)" = 0 ] || skip "the engine tests need root"
    for ((i = 0; i < 60; i++)); do
        [ -x "$OCI_RT_SRC" ] && break
        sleep 0.5
    done
    [ -x "$OCI_RT_SRC" ] || {
        echo "# $OCI_RT_SRC is missing: run make first" >&3
        return 1
    }
    WORK=$(mktemp -d "${CLIENTS_RUN_DIR:-/tmp}/ocl-$engine.XXXXXX")
    chmod 755 "$WORK"
    CG_PARENT=/ocl-$engine-${WORK##*.}
    CG_PARENT=${CG_PARENT,,}
    [ -z "${CLIENTS_RUN_DIR:-}" ] || echo "$CG_PARENT" >>"$CLIENTS_RUN_DIR/cgroup-parents"
    mkdir -p "$WORK/bin"
    cp "$OCI_RT_SRC" "$WORK/bin/oci-rt"
    # a static oci-rt's dynamic twin, which it looks for beside itself
    [ ! -x "$(dirname "$OCI_RT_SRC")/oci-rt-dynamic" ] ||
        cp "$(dirname "$OCI_RT_SRC")/oci-rt-dynamic" "$WORK/bin/oci-rt-dynamic"
    OCI=$WORK/bin/oci-rt
    ROOTFS_TAR=$WORK/rootfs.tar
    mkdir -p "$TEST_CACHE"
    bash "$REPO/tests/lib/mkrootfs.sh" "$TEST_CACHE/clients-rootfs" --tar "$ROOTFS_TAR" \
        >/dev/null 2>"$WORK/mkrootfs.log" || {
        cat "$WORK/mkrootfs.log" >&3
        return 1
    }
    : >"$WORK/ids"
    # Host paths some engines create on first use: remember which existed, so
    # that teardown removes only what this run made.
    : >"$WORK/preexisting"
    for i in /etc/docker/key.json /run/docker /var/lib/containers /run/containerd /etc/cni/net.d/cni.lock \
        /var/lib/cni; do
        [ -e "$i" ] && echo "$i" >>"$WORK/preexisting"
    done
    TMUX_SOCK=$WORK/tmux.sock
    export WORK OCI ROOTFS_TAR CG_PARENT TMUX_SOCK
    log "$engine: work dir $WORK, oci-rt $("$OCI" --version 2>&1 | head -1), cgroup parent $CG_PARENT"
}

# remove_if_new PATH...: rm -rf each PATH that did not exist before the file ran.
remove_if_new() {
    local p
    for p in "$@"; do
        grep -qxF -- "$p" "$WORK/preexisting" 2>/dev/null && continue
        rm -rf -- "$p" 2>/dev/null || true
    done
}

# remove_run_containerd: /run/containerd (shim sockets, ctr's fifos) when
# this run made it and no daemon uses it any more.
remove_run_containerd() {
    [ -d /run/containerd ] || return 0
    [ -z "$(find /run/containerd \( -type s -o -type p \) 2>/dev/null | head -1)" ] || return 0
    remove_if_new /run/containerd
}

# clients_teardown_file: what must be gone once the engine is stopped, then
# the clean-up of the work dir and the cgroup parent.  Fails (after cleaning
# up) when anything was left.
clients_teardown_file() {
    local left="" p
    [ -n "${WORK:-}" ] && [ -d "$WORK" ] || return 0
    tmux -S "$TMUX_SOCK" kill-server >/dev/null 2>&1 || true
    # Processes: any oci-rt of this run, any process in this run's cgroups.
    p=$(pids_with_cmdline "$OCI")
    [ -z "$p" ] || left+="oci-rt processes left: $(ps -o pid=,args= -p "${p//$'\n'/,}")"$'\n'
    p=$(pids_in_cgroups "$CG_PARENT")
    [ -z "$p" ] || left+="processes left in $CG_PARENT: $(ps -o pid=,args= -p "${p//$'\n'/,}")"$'\n'
    for p in $(pids_with_cmdline "$OCI") $(pids_in_cgroups "$CG_PARENT"); do
        kill -9 "$p" 2>/dev/null || true
    done
    # Cgroups: none of the containers' own; the parent itself may be left by
    # the engine (podman's conmon cgroup) and is ours to remove.
    while read -r p; do
        [ -n "$p" ] || continue
        [ -z "$(cgroup_dirs "$CG_PARENT/$p")" ] || left+="cgroup left: $CG_PARENT/$p"$'\n'
        [ -z "$(cgroup_dirs "$CG_PARENT/libpod-$p")" ] || left+="cgroup left: $CG_PARENT/libpod-$p"$'\n'
    done <"$WORK/ids"
    rm_cgroup_tree "$CG_PARENT" || left+="could not remove cgroup tree $CG_PARENT: $(cgroup_dirs "$CG_PARENT" | head -3)"$'\n'
    umount_under "$WORK"
    if [ "${CLIENTS_KEEP:-0}" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf --one-file-system "$WORK" 2>/dev/null || true
    fi
    if [ -n "$left" ]; then
        printf '# %s\n' "${left%$'\n'}" >&3
        return 1
    fi
}

# assert_gone ID STATE_DIR CGROUP_REL: after the engine removed container ID,
# oci-rt keeps no state for it under STATE_DIR (the --root the engine passes),
# no cgroup CGROUP_REL remains, and no live process sits in a cgroup naming it.
assert_gone() {
    local id=$1 state=$2 cg=$3 p
    if [ -e "$state/$id" ]; then
        echo "oci-rt state left: $state/$id" >&2
        ls -la "$state/$id" >&2
        return 1
    fi
    run "$OCI" --root "$state" state "$id"
    if [ "$status" -eq 0 ]; then
        echo "oci-rt state $id still answers: $output" >&2
        return 1
    fi
    p=$(cgroup_dirs "$cg")
    if [ -n "$p" ]; then
        echo "cgroups left: $p" >&2
        return 1
    fi
    p=$(pids_in_cgroups "$id")
    if [ -n "$p" ]; then
        echo "processes left for $id:" >&2
        ps -o pid=,stat=,args= -p "${p//$'\n'/,}" >&2
        return 1
    fi
}

# counter_value FILE: the number `ocitest counter` last wrote (retries a read
# that raced with a rewrite).
counter_value() {
    local v i
    for ((i = 0; i < 20; i++)); do
        v=$(cat "$1" 2>/dev/null || true)
        if [[ "$v" =~ ^[0-9]+$ ]]; then
            echo "$v"
            return 0
        fi
        sleep 0.01
    done
    echo "no counter value in $1" >&2
    return 1
}

# assert_counter_frozen FILE / assert_counter_moving FILE
assert_counter_frozen() {
    local a b
    sleep 0.1
    a=$(counter_value "$1")
    sleep 0.5
    b=$(counter_value "$1")
    [ "$a" = "$b" ] || {
        echo "counter moved while paused: $a -> $b" >&2
        return 1
    }
}
assert_counter_moving() {
    local a b
    a=$(counter_value "$1")
    sleep 0.5
    b=$(counter_value "$1")
    [ "$b" -gt "$a" ] || {
        echo "counter stopped: $a -> $b" >&2
        return 1
    }
}

# ------------------------------------------------------------ tmux (tty tests)

# tty_session NAME CMD: runs CMD (a shell command) on a fresh terminal in a
# detached tmux session; when it ends, its exit status goes to $WORK/NAME.rc.
tty_session() {
    local name=$1 cmd=$2
    rm -f "$WORK/$name.rc"
    TERM=xterm tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s "$name" -x 150 -y 40 \
        "$cmd; echo \$? >$WORK/$name.rc.tmp; mv $WORK/$name.rc.tmp $WORK/$name.rc" 3>&-
}

tty_screen() {
    tmux -S "$TMUX_SOCK" capture-pane -p -t "$1" -S -200 2>/dev/null
}

# tty_expect NAME REGEX [TIMEOUT]: waits until the screen matches.
tty_expect() {
    local name=$1 re=$2 t=${3:-15}
    # shellcheck disable=SC2317
    _tty_match() { tty_screen "$name" | grep -qE -- "$re"; }
    retry "$t" _tty_match || {
        echo "screen of $name never matched /$re/; it shows:" >&2
        tty_screen "$name" >&2
        [ -f "$WORK/$name.rc" ] && echo "(session ended with status $(cat "$WORK/$name.rc"))" >&2
        return 1
    }
}

tty_type() {
    tmux -S "$TMUX_SOCK" send-keys -t "$1" -l "$2"
    tmux -S "$TMUX_SOCK" send-keys -t "$1" Enter
}

# tty_wait_exit NAME [TIMEOUT]: waits for the session's command to end and
# prints its exit status.
tty_wait_exit() {
    local name=$1 t=${2:-20}
    retry "$t" test -f "$WORK/$name.rc" || {
        echo "session $name did not end; it shows:" >&2
        tty_screen "$name" >&2
        tmux -S "$TMUX_SOCK" kill-session -t "$name" 2>/dev/null
        return 1
    }
    cat "$WORK/$name.rc"
}

# interactive_shell_test NAME CMD: CMD opens an interactive busybox sh on a
# terminal (docker exec -it, podman run -it...): type a command whose output
# differs from its echo, see the output, exit 5 and get status 5 back.
interactive_shell_test() {
    local name=$1 cmd=$2 rc
    tty_session "$name" "$cmd"
    tty_expect "$name" '^/[^ ]* # ?$' 20
    tty_type "$name" 'echo marker$((1+1)); tty'
    tty_expect "$name" '^marker2'
    tty_expect "$name" '^/dev/(pts/[0-9]+|console)'
    tty_type "$name" 'exit 5'
    rc=$(tty_wait_exit "$name")
    [ "$rc" = 5 ] || {
        echo "$cmd: exit status $rc, expected 5" >&2
        return 1
    }
}

# ------------------------------------------------------------ docker

if [ -z "${DOCKER_BIN:-}" ]; then
    if [ -x /usr/bin/docker ]; then DOCKER_BIN=/usr/bin/docker; else DOCKER_BIN=$(command -v docker); fi
fi

# dk ARGS...: the docker CLI talking to this file's private dockerd.  The
# Debian CLI (/usr/bin/docker, 20.10) is preferred over any newer one in PATH.
dk() { DOCKER_CONFIG=$WORK/docker/cli "$DOCKER_BIN" -H "unix://$WORK/docker/docker.sock" "$@"; }

# docker_start: a private dockerd (its own containerd, data root, exec root,
# socket, cgroup parent) whose default runtime is the oci-rt snapshot, and
# the test image "ocitest" imported from the rootfs tarball.
docker_start() {
    local D=$WORK/docker
    command -v dockerd >/dev/null || skip "dockerd is not installed (tests/clients/run.sh installs docker.io)"
    mkdir -p "$D/data" "$D/exec" "$D/cli"
    jq -n --arg oci "$OCI" --arg D "$D" --arg cg "$CG_PARENT" '{
        runtimes: {"oci-rt": {path: $oci}},
        "default-runtime": "oci-rt",
        "data-root": ($D + "/data"), "exec-root": ($D + "/exec"),
        pidfile: ($D + "/dockerd.pid"), hosts: ["unix://" + $D + "/docker.sock"],
        iptables: false, ip6tables: false, bridge: "none", "ip-forward": false, "ip-masq": false,
        "userland-proxy": false,
        "exec-opts": ["native.cgroupdriver=cgroupfs"], "cgroup-parent": $cg,
        "storage-driver": "overlay2",
        "default-ulimits": {
            nofile: {Name: "nofile", Soft: 1024, Hard: 1024},
            nproc: {Name: "nproc", Soft: 1024, Hard: 1024}}
    }' >"$D/daemon.json"
    setsid dockerd --config-file "$D/daemon.json" </dev/null >"$D/dockerd.log" 2>&1 3>&- &
    echo $! >"$D/dockerd.launched"
    # shellcheck disable=SC2317
    _dk_up() { dk version >/dev/null 2>&1; }
    retry 60 _dk_up || {
        echo "# dockerd did not come up; its log:" >&3
        tail -30 "$D/dockerd.log" | sed 's/^/#   /' >&3
        return 1
    }
    dk import "$ROOTFS_TAR" ocitest:latest >/dev/null
}

docker_stop() {
    local D=$WORK/docker pid cpid
    [ -d "$D" ] || return 0
    if [ -S "$D/docker.sock" ]; then
        # shellcheck disable=SC2046
        dk rm -f $(dk ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    fi
    pid=$(cat "$D/dockerd.launched" 2>/dev/null)
    cpid=$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null)
    if pid_alive "$pid"; then
        kill -TERM "$pid"
        retry 30 eval '! pid_alive '"$pid" || kill -9 "$pid"
    fi
    if pid_alive "$cpid"; then
        retry 10 eval '! pid_alive '"$cpid" || kill -9 "$cpid"
    fi
    # containerd shims of this daemon (they outlive it only when something broke)
    for pid in $(pids_with_cmdline "-address $D/exec/containerd/containerd.sock"); do
        echo "# shim left: $(ps -o args= -p "$pid")" >&3
        kill -9 "$pid" 2>/dev/null || true
    done
    umount_under "$D"
    remove_if_new /etc/docker/key.json /run/docker
    remove_run_containerd
}

# docker's --root for oci-rt (exec-root/runtime-<name>/moby; the name docker
# uses there differs between versions, so take the one that exists).
docker_oci_root() {
    local d
    for d in "$WORK/docker/exec"/runtime-*/moby; do
        [ -d "$d" ] && { echo "$d"; return 0; }
    done
    echo "$WORK/docker/exec/runtime-oci-rt/moby"
}

# ------------------------------------------------------------ podman

# pm ARGS...: podman with everything private: storage, run root, tmp dir,
# network config, events file, containers.conf (ulimits, no network, the
# runtime table), and the oci-rt snapshot as runtime (by path, as
# `podman --runtime PATH` users do).
pm() {
    # shellcheck disable=SC2046
    env $(pm_env) podman $(pm_flags) "$@"
}
pm_env() { echo "CONTAINERS_CONF=$WORK/podman/containers.conf CONTAINERS_STORAGE_CONF=$WORK/podman/storage.conf"; }
pm_flags() {
    local P=$WORK/podman
    echo "--runtime ${PM_RUNTIME:-$OCI} --root $P/root --runroot $P/run --tmpdir $P/tmp --storage-driver overlay" \
        "--cgroup-manager cgroupfs --events-backend file --network-config-dir $P/net"
}
# PM_CMD: the same as a shell command line (for tmux)
PM_CMD() { echo "env $(pm_env) podman $(pm_flags)"; }

podman_setup() {
    local P=$WORK/podman
    command -v podman >/dev/null || skip "podman is not installed (tests/clients/run.sh installs it)"
    mkdir -p "$P/root" "$P/run" "$P/tmp" "$P/net" "$P/volumes"
    cat >"$P/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
cgroupns = "host"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
volume_path = "$P/volumes"
network_config_dir = "$P/net"
runtime = "oci-rt"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "oci-rt"]

[engine.runtimes]
oci-rt = ["$OCI"]
CONF
    cat >"$P/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$P/root"
runroot = "$P/run"
CONF
    pm import "$ROOTFS_TAR" localhost/ocitest:latest >/dev/null 2>"$P/import.log" || {
        sed 's/^/#   /' "$P/import.log" >&3
        return 1
    }
}

podman_teardown() {
    local P=$WORK/podman pid
    [ -d "$P" ] || return 0
    pm rm -af -t 0 >/dev/null 2>&1 || true
    pm rmi -af >/dev/null 2>&1 || true
    for pid in $(pids_with_cmdline "$P/"); do
        echo "# podman-related process left: $(ps -o args= -p "$pid")" >&3
        kill -9 "$pid" 2>/dev/null || true
    done
    umount_under "$P"
    [ ! -s "$P/bridge" ] || ip link delete "$(cat "$P/bridge")" 2>/dev/null || true
    # the blob cache of `podman import`; the CNI lock of conmon's exit
    # command (`podman container cleanup` gets no --network-config-dir)
    remove_if_new /var/lib/containers /etc/cni/net.d/cni.lock /var/lib/cni
}

# pmd ARGS...: podman as users have it: the same private setup as pm, but
# with podman's default network (containers.conf without `netns = "none"`),
# which podman_default_network defines.
pmd() {
    # shellcheck disable=SC2046
    env $(pm_env | sed "s|/containers.conf|/containers-defaults.conf|") podman $(pm_flags) "$@"
}

# podman_default_network: podman's default network "podman" (a CNI bridge:
# the container joins a network namespace by path that podman made, with an
# address on the bridge).  Podman's built-in definition would add iptables
# rules (ipMasq, the portmap and firewall plugins) and a bridge cni-podman0
# to the shared host; this one is the same plugin chain without the
# iptables parts, on a bridge of this run (PODMAN_BRIDGE, removed by
# podman_teardown), with the IPAM state under WORK.  Needs
# containernetworking-plugins.
podman_default_network() {
    local P=$WORK/podman n
    [ -x /usr/lib/cni/bridge ] || skip "containernetworking-plugins is not installed (the CNI bridge)"
    command -v ip >/dev/null || skip "iproute2 is not installed"
    # the private CONTAINERS_CONF replaces Debian's
    # /usr/share/containers/containers.conf, whose default_sysctls it keeps
    sed -e '/^netns = /d' -e 's/^\[containers\]$/&\ndefault_sysctls = ["net.ipv4.ping_group_range=0 0"]/' \
        "$P/containers.conf" >"$P/containers-defaults.conf"
    PODMAN_BRIDGE=i9f${WORK##*.}
    PODMAN_BRIDGE=${PODMAN_BRIDGE,,}
    PODMAN_BRIDGE=${PODMAN_BRIDGE:0:15}
    n=$((RANDOM % 200 + 20))
    jq -n --arg br "$PODMAN_BRIDGE" --arg net "10.$n.$((RANDOM % 250)).0/24" --arg data "$P/cni-ipam" '{
        cniVersion: "0.4.0", name: "podman",
        plugins: [{type: "bridge", bridge: $br, isGateway: true, ipMasq: false, hairpinMode: true,
                   ipam: {type: "host-local", dataDir: $data, routes: [{dst: "0.0.0.0/0"}],
                          ranges: [[{subnet: $net}]]}},
                  {type: "tuning"}]}' >"$P/net/podman.conflist"
    echo "$PODMAN_BRIDGE" >"$P/bridge"
}

# podman runs oci-rt without --root: oci-rt's default state dir.
export PODMAN_OCI_ROOT=/run/oci-rt

# ------------------------------------------------------------ containerd

# c8 ARGS...: ctr on this file's private containerd, in namespace "ocl".
c8() { ctr -a "$WORK/containerd/containerd.sock" -n ocl "$@"; }

# containerd_start: a private containerd (root, state, sockets, CNI dirs)
# whose config is contrib/containerd/config.toml (binary path pointed at the
# snapshot) with the private paths added; the test image imported as an OCI
# image layout.
containerd_start() {
    local C=$WORK/containerd
    command -v containerd >/dev/null || skip "containerd is not installed (tests/clients/run.sh installs it)"
    mkdir -p "$C/root" "$C/state" "$C/runc" "$C/cni/net.d" "$C/cni/bin"
    {
        printf 'version = 2\nroot = "%s"\nstate = "%s"\n\n' "$C/root" "$C/state"
        # contrib's file has systemd cgroups on: off where systemd is not
        # running (this host; the systemd guest tests them)
        local sd=true
        [ -d /run/systemd/system ] || sd=false
        sed -e '/^version = /d' -e "s|/usr/local/bin/oci-rt|$OCI|g" \
            -e "s|/run/containerd/oci-rt|$C/cri-oci-rt|g" \
            -e "s|SystemdCgroup = true|SystemdCgroup = $sd|" "$REPO/contrib/containerd/config.toml"
        cat <<CONF

[grpc]
  address = "$C/containerd.sock"
[ttrpc]
  address = "$C/containerd.sock.ttrpc"
[debug]
  address = "$C/debug.sock"
  level = "info"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/library/ocipause:latest"
  # root here lacks CAP_SYS_RESOURCE: no runtime can set the pause
  # container's oomScoreAdj -998 (runc fails the same way)
  restrict_oom_score_adj = true
[plugins."io.containerd.grpc.v1.cri".cni]
  conf_dir = "$C/cni/net.d"
  bin_dir = "$C/cni/bin"
CONF
    } >"$C/config.toml"
    setsid containerd --config "$C/config.toml" </dev/null >"$C/containerd.log" 2>&1 3>&- &
    echo $! >"$C/containerd.pid"
    # shellcheck disable=SC2317
    _c8_up() { c8 version >/dev/null 2>&1; }
    retry 30 _c8_up || {
        echo "# containerd did not come up; its log:" >&3
        tail -30 "$C/containerd.log" | sed 's/^/#   /' >&3
        return 1
    }
    make_oci_archive "$WORK/ocitest-oci.tar" docker.io/library/ocitest:latest
    c8 images import "$WORK/ocitest-oci.tar" >/dev/null
    # for the CRI plugin (namespace k8s.io): the image and a "pause" image
    make_oci_archive "$WORK/ocipause-oci.tar" docker.io/library/ocipause:latest '["sleep", "1000000"]'
    ctr -a "$C/containerd.sock" -n k8s.io images import "$WORK/ocitest-oci.tar" >/dev/null
    ctr -a "$C/containerd.sock" -n k8s.io images import "$WORK/ocipause-oci.tar" >/dev/null
}

containerd_stop() {
    local C=$WORK/containerd pid t ns
    [ -d "$C" ] || return 0
    if [ -S "$C/containerd.sock" ]; then
        # ctr's namespace, and the CRI plugin's (pods left by a failed test)
        for ns in ocl k8s.io; do
            for t in $(ctr -a "$C/containerd.sock" -n "$ns" task ls -q 2>/dev/null); do
                ctr -a "$C/containerd.sock" -n "$ns" task kill -a -s KILL "$t" >/dev/null 2>&1 || true
                ctr -a "$C/containerd.sock" -n "$ns" task delete -f "$t" >/dev/null 2>&1 || true
            done
            for t in $(ctr -a "$C/containerd.sock" -n "$ns" containers ls -q 2>/dev/null); do
                ctr -a "$C/containerd.sock" -n "$ns" containers delete "$t" >/dev/null 2>&1 || true
            done
        done
    fi
    cri_force_cleanup
    pid=$(cat "$C/containerd.pid" 2>/dev/null)
    if pid_alive "$pid"; then
        kill -TERM "$pid"
        retry 20 eval '! pid_alive '"$pid" || kill -9 "$pid"
    fi
    for pid in $(pids_with_cmdline "-address $C/containerd.sock"); do
        echo "# shim left: $(ps -o args= -p "$pid")" >&3
        kill -9 "$pid" 2>/dev/null || true
    done
    umount_under "$C"
    remove_run_containerd
}

# cri_force_cleanup: the CRI plugin's tasks, forced away.  containerd kills
# with `kill --all` before it deletes; when oci-rt refuses that for a stopped
# container the task cannot be deleted through containerd at all, so oci-rt's
# own `delete --force` goes first (the tests report that bug themselves).
cri_force_cleanup() {
    local C=$WORK/containerd t
    [ -S "$C/containerd.sock" ] || return 0
    for t in $(ctr -a "$C/containerd.sock" -n k8s.io task ls -q 2>/dev/null); do
        ctr -a "$C/containerd.sock" -n k8s.io task kill -a -s KILL "$t" >/dev/null 2>&1 || true
        "$OCI" --root "$C/cri-oci-rt/k8s.io" delete --force "$t" >/dev/null 2>&1 || true
        ctr -a "$C/containerd.sock" -n k8s.io task delete -f "$t" >/dev/null 2>&1 || true
    done
}

# make_oci_archive FILE NAME [CMD_JSON]: a one-layer OCI image layout (tar)
# of the test rootfs, named NAME for `ctr images import`; its command is
# CMD_JSON (default ["sh"]).
make_oci_archive() {
    local out=$1 name=$2 cmd=${3:-'["sh"]'} d l ls c cs m ms
    d=$(mktemp -d "$WORK/oci.XXXX")
    mkdir -p "$d/blobs/sha256"
    l=$(sha256sum "$ROOTFS_TAR" | cut -d' ' -f1)
    ls=$(stat -c %s "$ROOTFS_TAR")
    cp "$ROOTFS_TAR" "$d/blobs/sha256/$l"
    jq -cn --arg l "sha256:$l" --argjson cmd "$cmd" '{architecture: "amd64", os: "linux",
        config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: $cmd},
        rootfs: {type: "layers", diff_ids: [$l]}}' >"$d/c"
    c=$(sha256sum "$d/c" | cut -d' ' -f1)
    cs=$(stat -c %s "$d/c")
    mv "$d/c" "$d/blobs/sha256/$c"
    jq -cn --arg c "sha256:$c" --argjson cs "$cs" --arg l "sha256:$l" --argjson ls "$ls" '{
        schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
        layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$d/m"
    m=$(sha256sum "$d/m" | cut -d' ' -f1)
    ms=$(stat -c %s "$d/m")
    mv "$d/m" "$d/blobs/sha256/$m"
    jq -cn --arg m "sha256:$m" --argjson ms "$ms" --arg n "$name" '{schemaVersion: 2,
        manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
            platform: {architecture: "amd64", os: "linux"},
            annotations: {"io.containerd.image.name": $n,
                          "org.opencontainers.image.ref.name": ($n | sub(".*:"; ""))}}]}' >"$d/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
    tar -C "$d" -cf "$out" oci-layout index.json blobs
    rm -rf "$d"
}

# ------------------------------------------------------------ oci-rt vs runc

# The engine tests with each engine's defaults run every command twice: with
# oci-rt and with runc (Debian's, the runtime the engines ship with), and
# compare what the container printed and the exit status.

# report_view TEXT: what two runtimes must agree on in a container's output:
# not what names a particular namespace, cgroup, process or container (IDs,
# pids, hostname, HOSTNAME: runc's init takes more pids in a new pid
# namespace), nor the number of mounts (on a hybrid host oci-rt also mounts
# the unified cgroup2 hierarchy in a cgroup mount; runc 1.1 does not).
report_view() {
    grep -vE '^(ns\.[a-z]+|cgroup|hostname|mounts|pid|ppid)=|^HOSTNAME=' <<<"$1" || true
}

# same_as_runc FN ARGS...: `FN runc ARGS` then `FN oci-rt ARGS` (FN: the
# engine's run function, the runtime's name first); both must end with the
# same status and print the same report_view.  oci-rt's result stays in
# status and output (stdout and stderr), runc's in RUNC_STATUS and
# RUNC_OUTPUT.
same_as_runc() {
    local fn=$1
    shift
    run "$fn" runc "$@"
    RUNC_STATUS=$status RUNC_OUTPUT=$output
    run "$fn" oci-rt "$@"
    if [ "$status" != "$RUNC_STATUS" ] || [ "$(report_view "$output")" != "$(report_view "$RUNC_OUTPUT")" ]; then
        echo "oci-rt and runc differ: $fn $*" >&2
        echo "exit status: oci-rt $status, runc $RUNC_STATUS" >&2
        diff <(report_view "$output") <(report_view "$RUNC_OUTPUT") | sed -n 's/^</oci-rt:/p; s/^>/runc:  /p' >&2
        return 1
    fi
}

# FLAGS_SCRIPT: what the container prints for the runs with many flags (after
# its report): who is pid 1, the root mount's options, /run's type, a
# volume's file, an anonymous volume's filesystem, a device node ($XDEV,
# default /dev/xzero), and the limits its cgroups (v1, the host's view) hold.
# shellcheck disable=SC2016
FLAGS_SCRIPT='ocitest report
echo init=$(cat /proc/1/comm)
echo root_opts=$(awk '\''$5 == "/" { print $6 }'\'' /proc/self/mountinfo | tr , "\n" | grep -xE "ro|rw")
echo run_fs=$(awk '\''$5 == "/run" { sub(/.* - /, ""); print $1 }'\'' /proc/self/mountinfo | tail -n1)
echo data=$(cat /data/in 2>&1)
echo anon=$(awk '\''$5 == "/anon" { sub(/.* - /, ""); print $1 }'\'' /proc/self/mountinfo)
echo dev=$(ocitest stat ${XDEV:-/dev/xzero} 2>&1)
echo zero=$(head -c 3 /dev/xzero 2>/dev/null | od -An -tx1 | tr -d " ")
echo pids_max=$(cat /sys/fs/cgroup/pids/pids.max 2>&1)
echo mem_limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>&1)
echo cpu_quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>&1)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>&1)'

# refute CMD...: fails when CMD succeeds (bats ignores a bare `! CMD`).
refute() {
    if "$@"; then
        echo "unexpectedly true: $*" >&2
        return 1
    fi
    return 0
}
