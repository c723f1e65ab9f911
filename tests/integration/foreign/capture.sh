#!/bin/bash
# Regenerates the foreign config fixtures of tests/integration/foreign.bats:
# the config.json files that other tools write, kept in the repository so
# that the suite feeds oci-rt configs it did not write itself.
#
#   tests/integration/foreign/capture.sh [NAME...]     (as root)
#
# NAME is one of: spec docker podman ctr cri (default: all).
# What each writes, see README.md next to this script.
#
# The engines run with private daemons (tests/clients/lib.sh: private
# sockets, data and exec roots, dockerd with no iptables and no bridge; all
# stopped at the end) and a logging wrapper as their runtime: for every
# `create`/`run` it copies the bundle's config.json, then execs runc.  The
# copies are normalised: everything host-specific (the work dir, container
# and sandbox IDs, the cgroup parent, netns paths, /proc/PID paths) becomes a
# placeholder that foreign.bats rewrites to something that exists in the
# test (see README.md).  Everything else stays as the tool wrote it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$here/../../.." && pwd)
OUT=${FOREIGN_OUT:-$here}
REAL_RUNTIME=${REAL_RUNTIME:-/usr/sbin/runc}

[ "$(id -u)" = 0 ] || {
    echo "capture.sh: needs root (it runs dockerd, containerd and podman)" >&2
    exit 1
}
need="runc crun docker.io podman containerd containernetworking-plugins jq busybox-static gcc
      libc6-dev python3 python3-grpcio python3-protobuf iproute2"
# shellcheck disable=SC2086
if ! dpkg -s $need >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# lib.sh is written for bats; what it needs from bats outside of it:
bats_require_minimum_version() { :; }
skip() {
    echo "capture.sh: $*" >&2
    exit 1
}
exec 3>&2
# shellcheck source=../../clients/lib.sh
. "$REPO/tests/clients/lib.sh"

WORK=$(mktemp -d /tmp/i9f-cap.XXXXXX)
chmod 755 "$WORK"
CAP=$WORK/captured
mkdir -p "$CAP" "$WORK/bin"
CG_PARENT=/i9f-capture-${WORK##*.}
CG_PARENT=${CG_PARENT,,}
OCI=$WORK/bin/capture-runtime
ROOTFS_TAR=$WORK/rootfs.tar
TMUX_SOCK=$WORK/tmux.sock
export WORK OCI ROOTFS_TAR CG_PARENT TMUX_SOCK
: >"$WORK/ids"
: >"$WORK/preexisting"
for i in /etc/docker/key.json /run/docker /var/lib/containers /run/containerd /etc/cni/net.d/cni.lock /var/lib/cni; do
    [ -e "$i" ] && echo "$i" >>"$WORK/preexisting"
done

cleanup() {
    set +e
    docker_stop >/dev/null 2>&1
    podman_teardown >/dev/null 2>&1
    containerd_stop >/dev/null 2>&1
    rm_cgroup_tree_any "$CG_PARENT"
    umount_under "$WORK"
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# rm_cgroup_tree_any REL: rmdir REL and below in every hierarchy (ours only).
rm_cgroup_tree_any() {
    local d
    case "$1" in /i9f-capture-*) ;; *) return 1 ;; esac
    for d in $(cgroup_dirs "$1"); do
        find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
}

# The wrapper: copies config.json of every create/run (as ID.json, with the
# command line in ID.args and the kind of each mount source in ID.types),
# then runs the real runtime.
cat >"$OCI" <<EOF
#!/bin/bash
cap=$CAP
bundle=. prev= capture=0
for a in "\$@"; do
    case \$prev in --bundle | -b) bundle=\$a ;; esac
    case \$a in --bundle=*) bundle=\${a#--bundle=} ;; create | run) capture=1 ;; esac
    prev=\$a
done
if [ "\$capture" = 1 ]; then
    id=\${!#}
    cp "\$bundle/config.json" "\$cap/\$id.json"
    printf '%s\n' "\$*" >"\$cap/\$id.args"
    jq -r '.mounts[]?.source // empty' "\$bundle/config.json" | while read -r s; do
        if [ -d "\$s" ]; then echo "dir \$s"; elif [ -e "\$s" ]; then echo "file \$s"; fi
    done >"\$cap/\$id.types"
fi
# a state dir of this run (conmon calls it without --root; an engine's own
# --root comes later on the command line and wins)
exec $REAL_RUNTIME --root $WORK/runc-root "\$@"
EOF
chmod 755 "$OCI"

bash "$REPO/tests/lib/mkrootfs.sh" "$WORK/rootfs" --tar "$ROOTFS_TAR" >/dev/null 2>&1

# normalise RAW OUT ID [SANDBOX_ID]: the captured config RAW, made
# host-independent, written to OUT (Python's json keeps numbers as written).
normalise() {
    python3 - "$1" "$2" "$WORK" "$CG_PARENT" "$3" "${4:-}" <<'PY'
import json, re, sys
raw, out, work, cg, cid, sid = sys.argv[1:7]
cfg = json.load(open(raw))
kinds = {}
for line in open(raw[: -len(".json")] + ".types"):
    kind, path = line.rstrip("\n").split(" ", 1)
    kinds[path] = kind
# mount sources the engine made: a file or a directory the test provides
for m in cfg.get("mounts") or []:
    src = m.get("source", "")
    if src.startswith(work + "/"):
        tag = "@ENGINE_DIR@" if kinds.get(src) == "dir" else "@ENGINE_FILE@"
        m["source"] = tag + src[len(work):]
if (cfg.get("root") or {}).get("path", "").startswith("/"):
    cfg["root"]["path"] = "@ROOTFS@"

def fix(v):
    if isinstance(v, dict):
        return {k: fix(x) for k, x in v.items()}
    if isinstance(v, list):
        return [fix(x) for x in v]
    if not isinstance(v, str):
        return v
    v = v.replace(work, "@WORK@").replace(cg, "@CGROUP_PARENT@").replace(cid, "@ID@")
    if sid:
        v = v.replace(sid, "@SANDBOX_ID@")
    v = re.sub(r"^/proc/[0-9]+/", "/proc/@HOST_PID@/", v)
    return re.sub(r"^/(var/)?run/netns/[^/]+$", "@NETNS@", v)

with open(out, "w") as f:
    f.write(json.dumps(fix(cfg), indent=2) + "\n")
PY
    echo "captured $(basename "$2")"
}

capture_spec() {
    local rt d
    for rt in runc crun; do
        d=$WORK/spec-$rt
        mkdir -p "$d" "$d-rootless"
        (cd "$d" && "$rt" spec)
        (cd "$d-rootless" && "$rt" spec --rootless)
        cp "$d/config.json" "$OUT/$rt-spec.json"
        cp "$d-rootless/config.json" "$OUT/$rt-spec-rootless.json"
        echo "captured $rt-spec.json $rt-spec-rootless.json"
    done
}

capture_docker() {
    local id
    docker_start
    # the default network is off here: dockerd runs with "bridge": "none"
    dk run --rm --cidfile "$WORK/docker.cid" --network none ocitest ocitest report >/dev/null
    id=$(cat "$WORK/docker.cid")
    normalise "$CAP/$id.json" "$OUT/docker-run.json" "$id"
    docker_stop
}

capture_podman() {
    local id
    podman_setup
    podman_default_network
    pmd run --rm --cidfile "$WORK/podman.cid" --cgroup-parent "$CG_PARENT" ocitest ocitest report >/dev/null
    id=$(cat "$WORK/podman.cid")
    normalise "$CAP/$id.json" "$OUT/podman-run.json" "$id"
    podman_teardown
}

capture_ctr() {
    containerd_start
    c8 run --rm --runc-binary "$OCI" --runc-root "$WORK/containerd/runc" --cgroup "$CG_PARENT/i9fctr" \
        docker.io/library/ocitest:latest i9fctr ocitest report >/dev/null
    normalise "$CAP/i9fctr.json" "$OUT/ctr-run.json" i9fctr
    c8 run --rm --seccomp --runc-binary "$OCI" --runc-root "$WORK/containerd/runc" \
        --cgroup "$CG_PARENT/i9fctrsec" docker.io/library/ocitest:latest i9fctrsec ocitest report >/dev/null
    normalise "$CAP/i9fctrsec.json" "$OUT/ctr-run-seccomp.json" i9fctrsec
}

cri() { /usr/bin/python3 "$REPO/tests/clients/cri.py" "$WORK/containerd/containerd.sock" "$@"; }

capture_cri() {
    local pod ctr
    [ -S "$WORK/containerd/containerd.sock" ] || containerd_start
    mkdir -p "$WORK/podlogs"
    pod=$(CRI_SECCOMP=runtime/default cri runp pod "$CG_PARENT/pod" "$WORK/podlogs" oci-rt)
    ctr=$(CRI_SECCOMP=runtime/default cri create "$pod" pod "$CG_PARENT/pod" "$WORK/podlogs" \
        docker.io/library/ocitest:latest ocitest report)
    cri start "$ctr"
    normalise "$CAP/$pod.json" "$OUT/cri-sandbox.json" "$pod"
    normalise "$CAP/$ctr.json" "$OUT/cri-container.json" "$ctr" "$pod"
    cri stop "$ctr" 0 || true
    cri rm "$ctr"
    cri stopp "$pod"
    cri rmp "$pod"
}

[ $# -gt 0 ] || set -- spec docker podman ctr cri
for what in "$@"; do
    case $what in
    spec) capture_spec ;;
    docker) capture_docker ;;
    podman) capture_podman ;;
    ctr) capture_ctr ;;
    cri) capture_cri ;;
    *)
        echo "capture.sh: unknown $what (spec docker podman ctr cri)" >&2
        exit 2
        ;;
    esac
done
