#!/bin/bash
# A tiny placeholder suite that proves the cgroup v2 guest works (run it with
# tests/vm/run-guest.sh tests/vm/guest-suite.sh).  It also runs on a pure
# cgroup v2 host as root; elsewhere (v1, hybrid) it SKIPs (77) and touches
# nothing.
#
# Checks: /sys/fs/cgroup is cgroup2 (lists cgroup.controllers); `oci-rt run`
# of ocitest report in the test rootfs prints hostname=oci-rt; a created
# container's cgroup /sys/fs/cgroup/oci-rt/<id> exists and holds its pid, and
# is gone after delete.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
OCI_RT=${OCI_RT:-$repo/oci-rt}
CACHE=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
ROOTFS=${OCI_RT_TEST_ROOTFS:-$CACHE/rootfs}
CG=/sys/fs/cgroup

passed=0 failed=0 n=0
ok() {
    n=$((n + 1)) passed=$((passed + 1))
    echo "ok $n - $*"
}
not_ok() {
    n=$((n + 1)) failed=$((failed + 1))
    echo "not ok $n - $*"
}
check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
fstype=$(awk -v m="$CG" '$2 == m { t = $3 } END { print t }' /proc/mounts)
[ "$fstype" = cgroup2 ] || { echo "SKIP: $CG is '${fstype:-not mounted}', not cgroup2"; exit 77; }
[ -x "$OCI_RT" ] || { echo "error: $OCI_RT missing"; exit 1; }
[ -x "$ROOTFS/usr/bin/ocitest" ] || { echo "error: no test rootfs at $ROOTFS"; exit 1; }

ok "$CG is cgroup2"
echo "# cgroup.controllers: $(cat "$CG/cgroup.controllers")"
echo "# cgroup.subtree_control: $(cat "$CG/cgroup.subtree_control")"
# The guest's root enables nothing; a systemd host enables these already.
if [ "${OCI_RT_GUEST:-}" = 1 ]; then
    for c in cpu memory pids io; do
        grep -qw "$c" "$CG/cgroup.controllers" && echo "+$c" >"$CG/cgroup.subtree_control"
    done
    echo "# subtree_control now: $(cat "$CG/cgroup.subtree_control")"
fi

work=$(mktemp -d)
state=$work/state
id=gs$$
trap 'for c in "$id" "$id-2"; do "$OCI_RT" --root "$state" delete --force "$c" >/dev/null 2>&1; done; rm -rf "$work"' EXIT

bundle=$work/bundle
mkdir -p "$bundle"
"$OCI_RT" spec --bundle "$bundle" || { echo "error: oci-rt spec failed"; exit 1; }
jq --arg r "$ROOTFS" '.process.terminal = false | .root.path = $r
    | .process.args = ["/usr/bin/ocitest", "report"]
    | .linux.resources.pids.limit = 20' "$bundle/config.json" >"$bundle/c.json" &&
    mv "$bundle/c.json" "$bundle/config.json"

# 1. oci-rt run in the foreground.
t0=$EPOCHREALTIME
"$OCI_RT" --root "$state" run --bundle "$bundle" "$id" >"$work/run.out" 2>"$work/run.err"
rc=$?
echo "# oci-rt run took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')s"
check "oci-rt run exits 0 (got $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/#   stderr: /' "$work/run.err"
check "the container reported hostname=oci-rt" grep -qx 'hostname=oci-rt' "$work/run.out"
grep -E '^(cgroup|ns\.cgroup)=' "$work/run.out" | sed 's/^/#   /'
check "its cgroup $CG/oci-rt/$id is gone after run" [ ! -e "$CG/oci-rt/$id" ]

# 2. create: the cgroup exists and holds the container's pid; delete removes it.
id2=$id-2
if "$OCI_RT" --root "$state" create --bundle "$bundle" "$id2" </dev/null >"$work/c.out" 2>"$work/c.err"; then
    ok "oci-rt create"
    pid=$("$OCI_RT" --root "$state" state "$id2" | jq -r .pid)
    check "cgroup $CG/oci-rt/$id2 exists after create" [ -d "$CG/oci-rt/$id2" ]
    check "its cgroup.procs holds the container pid $pid" grep -qx "$pid" "$CG/oci-rt/$id2/cgroup.procs"
    echo "# /proc/$pid/cgroup: $(cat "/proc/$pid/cgroup" 2>/dev/null)"
    echo "# pids.max: $(cat "$CG/oci-rt/$id2/pids.max" 2>/dev/null || echo 'no file (pids not enabled)')" \
        "(limit 20 in config.json)"
    "$OCI_RT" --root "$state" delete --force "$id2"
    check "oci-rt delete --force removes $CG/oci-rt/$id2" [ ! -e "$CG/oci-rt/$id2" ]
else
    not_ok "oci-rt create"
    sed 's/^/#   stderr: /' "$work/c.err"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
