#!/usr/bin/env bats
# containerd's runc shim (io.containerd.runc.v2) driving oci-rt with systemd
# cgroups, in the systemd test guest: a private containerd whose config is
# contrib/containerd/config.toml (SystemdCgroup = true for the CRI runtime);
# ctr takes the same choice on its command line (--runc-systemd-cgroup),
# with a cgroupsPath slice:prefix:name as the CRI plugin gives one.

# shellcheck disable=SC2154  # status, output: set by bats' run
load ../../clients/lib.sh

# Why this file cannot run here (empty: it can). A skip in setup_file is
# reported as a failure by Debian's bats 1.8, so setup_file only records it
# and every test skips in setup.
cannot_run() {
    [ "${OCI_RT_SYSTEMD_GUEST:-}" = 1 ] || { echo "needs the systemd test guest (tests/vm/systemd-guest.sh)"; return; }
    command -v containerd >/dev/null || { echo "no containerd (apt-get install containerd)"; return; }
}

setup_file() {
    SKIP_REASON=$(cannot_run)
    export SKIP_REASON
    [ -z "$SKIP_REASON" ] || return 0
    export WORK=$BATS_FILE_TMPDIR
    C=$WORK/containerd
    OCI=$WORK/oci-rt
    cp "${OCI_RT:-$REPO/oci-rt}" "$OCI"
    # a static oci-rt hands the systemd driver to its dynamic twin beside it
    local twin
    twin=$(dirname "${OCI_RT:-$REPO/oci-rt}")/oci-rt-dynamic
    [ ! -x "$twin" ] || cp "$twin" "$WORK/oci-rt-dynamic"
    # its root on the tmpfs systemd-suite.sh mounted (the overlay snapshots
    # cannot have their upper layers on the guest's overlayfs root)
    CROOT=/var/lib/containerd/i13-$$
    mkdir -p "$CROOT" "$C/state" "$C/cni" "$C/logs"
    grep -q 'SystemdCgroup = true' "$REPO/contrib/containerd/config.toml"
    {
        printf 'version = 2\nroot = "%s"\nstate = "%s"\n\n' "$CROOT" "$C/state"
        sed -e '/^version = /d' -e "s|/usr/local/bin/oci-rt|$OCI|g" "$REPO/contrib/containerd/config.toml"
        printf '[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s"\n' "$C/c.sock" "$C/c.sock.ttrpc"
        printf '[plugins."io.containerd.grpc.v1.cri"]\n  disable_apparmor = true\n'
        printf '  sandbox_image = "docker.io/library/ocipause:latest"\n'
        printf '[plugins."io.containerd.grpc.v1.cri".cni]\n  conf_dir = "%s"\n  bin_dir = "%s"\n' \
            "$C/cni" "$C/cni"
    } >"$C/config.toml"
    setsid containerd --config "$C/config.toml" </dev/null >"$C/containerd.log" 2>&1 3>&- &
    echo $! >"$C/pid"
    retry 60 c8 version >/dev/null 2>&1 || {
        tail -20 "$C/containerd.log" >&3
        return 1
    }
    ROOTFS=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}/rootfs
    export ROOTFS_TAR=$WORK/rootfs.tar
    tar -C "$ROOTFS" -cf "$ROOTFS_TAR" .
    make_oci_archive "$WORK/ocitest-oci.tar" docker.io/library/ocitest:latest
    c8 images import "$WORK/ocitest-oci.tar" >/dev/null
    # for the CRI plugin (namespace k8s.io): the image and a pause image
    make_oci_archive "$WORK/ocipause-oci.tar" docker.io/library/ocipause:latest '["sleep", "1000000"]'
    ctr -a "$C/c.sock" -n k8s.io images import "$WORK/ocitest-oci.tar" >/dev/null
    ctr -a "$C/c.sock" -n k8s.io images import "$WORK/ocipause-oci.tar" >/dev/null
    export C OCI
}

setup() {
    [ -z "${SKIP_REASON:-}" ] || skip "$SKIP_REASON"
}

teardown_file() {
    local t
    [ -n "${C:-}" ] || return 0
    for t in $(c8 task ls -q 2>/dev/null); do
        c8 task kill -a -s KILL "$t" >/dev/null 2>&1 || true
        c8 task delete -f "$t" >/dev/null 2>&1 || true
    done
    for t in $(c8 containers ls -q 2>/dev/null); do
        c8 containers delete "$t" >/dev/null 2>&1 || true
    done
    kill "$(cat "$C/pid")" 2>/dev/null || true
    sleep 1
    grep " /var/lib/containerd/i13-" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r umount -l
    rm -rf /var/lib/containerd/i13-*
}

c8() { ctr -a "$C/c.sock" -n i13 "$@"; }
cri() { python3 "$REPO/tests/clients/cri.py" "$C/c.sock" "$@"; }
cg_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

@test "containerd (runc shim, SystemdCgroup): the task is a scope in its slice; delete removes it" {
    id=i13ctr$$
    c8 run -d --runc-binary "$OCI" --runc-systemd-cgroup --cgroup "system.slice:i13ctr:$id" \
        --memory-limit 67108864 docker.io/library/ocitest:latest "$id" sleep 1000
    pid=$(c8 task ls | awk -v id="$id" '$1 == id { print $2 }')
    [ -n "$pid" ]
    [ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "/system.slice/i13ctr-$id.scope" ]
    [ "$(systemctl show -P MemoryMax "i13ctr-$id.scope")" = 67108864 ]
    [ "$(systemctl show -P Delegate "i13ctr-$id.scope")" = yes ]
    run c8 task exec --exec-id e1 "$id" sh -c 'echo in'
    [ "$output" = in ]
    c8 task kill -s KILL "$id"
    retry 20 sh -c "! ctr -a '$C/c.sock' -n i13 task ls | grep -q '^$id .*RUNNING'"
    c8 task delete "$id" >/dev/null
    c8 containers delete "$id"
    [ -z "$(systemctl list-units --all --plain --no-legend "i13ctr-$id.scope")" ]
}

@test "containerd CRI with contrib's config (SystemdCgroup = true): the pod's slice holds the containers' scopes" {
    python3 -c 'import grpc, google.protobuf' 2>/dev/null || skip "python3-grpcio and python3-protobuf are not installed"
    run cri runp i13pod i13pod.slice "$C/logs" oci-rt
    [ "$status" -eq 0 ] || { echo "$output" >&2; false; }
    pod=$output
    run cri create "$pod" i13pod i13pod.slice "$C/logs" docker.io/library/ocitest:latest sleep 1000
    [ "$status" -eq 0 ] || { echo "$output" >&2; false; }
    ctr=$output
    cri start "$ctr"
    root=/run/containerd/oci-rt/k8s.io
    pid=$("$OCI" --root "$root" state "$ctr" | jq -r .pid)
    [ "$(cg_of "$pid")" = "/i13pod.slice/cri-containerd-$ctr.scope" ]
    ppid=$("$OCI" --root "$root" state "$pod" | jq -r .pid)
    [ "$(cg_of "$ppid")" = "/i13pod.slice/cri-containerd-$pod.scope" ]
    [ "$(systemctl show -P Slice "cri-containerd-$ctr.scope")" = i13pod.slice ]
    [ "$(systemctl show -P Delegate "cri-containerd-$ctr.scope")" = yes ]
    cri stop "$ctr" 0
    cri rm "$ctr"
    cri stopp "$pod"
    cri rmp "$pod"
    [ -z "$(systemctl list-units --all --plain --no-legend "cri-containerd-$ctr.scope" "cri-containerd-$pod.scope")" ]
    systemctl stop i13pod.slice
}
