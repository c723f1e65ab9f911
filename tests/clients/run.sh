#!/bin/bash
# The container-engine tests: Docker, Podman and containerd running their
# containers with oci-rt.
#   tests/clients/run.sh [docker|podman|containerd ...]     (default: all three)
#
# Installs what the tests need (Debian packages: the engines, tmux, jq, bats,
# tini, python3-grpcio for the CRI client), builds oci-rt if needed, runs
# each engine's .bats file (each starts and stops its own private daemon: see
# lib.sh) under a subreaper (tini -s), so that the orphaned shims and conmons
# are reaped, then checks that nothing of the run is left: no process, work
# dir, mount or cgroup.
# Prints one line "clients: N passed, N failed, N skipped" and exits non-zero
# when a test failed or something was left.
# Environment: OCI_RT (binary to test), CLIENTS_KEEP=1 (keep the work dirs).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" = 0 ] || {
    echo "tests/clients/run.sh: needs root (it runs dockerd, containerd, podman)" >&2
    exit 1
}

need="docker.io podman containerd runc catatonit tmux jq bats tini busybox-static gcc libc6-dev file
      containernetworking-plugins python3 python3-grpcio python3-protobuf"
# shellcheck disable=SC2086
if ! dpkg -s $need >/dev/null 2>&1; then
    echo "=== installing: $need"
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null || exit 1
fi
if [ -z "${OCI_RT:-}" ]; then
    if [ ! -x ./oci-rt ] || [ ! -f Makefile ]; then
        echo "=== building oci-rt"
        deps="gcc make autoconf automake pkg-config libseccomp-dev libcap-dev libyajl-dev libmount-dev
              libbpf-dev clang llvm"
        # shellcheck disable=SC2086
        dpkg -s $deps >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends $deps >/dev/null || exit 1
        [ -f Makefile ] || { ./autogen.sh >/dev/null && ./configure -q; } || exit 1
    fi
    make -s -j"$(nproc)" >/dev/null || exit 1
fi

files=()
[ $# -gt 0 ] || set -- docker podman containerd
for e in "$@"; do
    [ -f "tests/clients/$e.bats" ] || {
        echo "unknown engine $e (docker, podman, containerd)" >&2
        exit 2
    }
    files+=("tests/clients/$e.bats")
done

passed=0 failed=0 skipped=0 status=0
CLIENTS_RUN_DIR=$(mktemp -d /tmp/ocl.XXXXXX)
chmod 755 "$CLIENTS_RUN_DIR"
export CLIENTS_RUN_DIR
: >"$CLIENTS_RUN_DIR/cgroup-parents"
out=$CLIENTS_RUN_DIR/bats.out
for f in "${files[@]}"; do
    echo "=== $f"
    t0=$SECONDS
    timeout -k 10 600 tini -s -- bats --formatter tap -T "$f" </dev/null 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    p=$(grep -cE '^ok ' "$out" | tr -d ' ')
    s=$(grep -cE '^ok .* # skip' "$out" | tr -d ' ')
    n=$(grep -cE '^not ok ' "$out" | tr -d ' ')
    passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + n))
    [ "$rc" -eq 0 ] || status=1
    [ "$rc" -eq 124 ] && echo "$f: timed out after 600 s"
    echo "--- $f: $((p - s)) passed, $n failed, $s skipped in $((SECONDS - t0)) s"
done
rm -f "$out"

# Nothing of the run may be left.
echo "=== leftovers"
left=0
for pid in $(pgrep -f "$CLIENTS_RUN_DIR/" 2>/dev/null); do
    st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || continue
    [ "$st" = Z ] && continue
    echo "process left: $(ps -o pid=,args= -p "$pid" | cut -c1-200)"
    kill -9 "$pid" 2>/dev/null
    left=1
done
if grep -qF " $CLIENTS_RUN_DIR/" /proc/self/mountinfo; then
    echo "mounts left:"
    grep -F " $CLIENTS_RUN_DIR/" /proc/self/mountinfo | awk '{ print "  " $5 }'
    left=1
fi
while read -r cg; do
    for d in /sys/fs/cgroup/*"$cg"; do
        [ -d "$d" ] || continue
        echo "cgroup left: $d"
        left=1
    done
done <"$CLIENTS_RUN_DIR/cgroup-parents"
rm -f "$CLIENTS_RUN_DIR/cgroup-parents"
if [ "${CLIENTS_KEEP:-0}" != 1 ]; then
    for d in "$CLIENTS_RUN_DIR"/*; do
        [ -e "$d" ] || continue
        echo "work dir left: $d"
        left=1
    done
    rmdir "$CLIENTS_RUN_DIR" 2>/dev/null
fi
[ "$left" = 0 ] && echo "nothing left"
[ "$left" = 0 ] || status=1

echo
echo "clients: $passed passed, $failed failed, $skipped skipped"
cd "$top" || true
exit "$status"
