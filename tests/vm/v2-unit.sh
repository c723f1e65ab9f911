#!/bin/bash
# The cgroup v2 backend on a pure cgroup2 host (the qemu guest):
#
#   tests/vm/run-guest.sh --tool "$PWD/tests/unit/check_cgroup_v2_real" \
#       --env CHECK_CGV2="$PWD/tests/unit/check_cgroup_v2_real" tests/vm/v2-unit.sh
#
# (the guest's /tmp is a fresh tmpfs: the binary cannot live there)
#
# 1. the unit test binary check_cgroup_v2_real when $CHECK_CGV2 names it
#    (the eBPF device filter / freezer / cgroup.kill on the real hierarchy;
#    its exit 77, "cannot run here", fails here);
# 2. oci-rt create with rich linux.resources: each cgroup file read back;
#    the device filter seen from inside; update, pause/resume, events
#    --stats and delete --force (cgroup.kill).
# SKIPs (77) unless /sys/fs/cgroup is cgroup2; enables controllers in the
# root only in the guest (OCI_RT_GUEST=1).
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
# file_is FILE WANT: the cgroup file FILE of the container holds WANT
file_is() {
    local got
    got=$(cat "$dir/$1" 2>&1)
    if [ "$got" = "$2" ]; then ok "$1 = $2"; else not_ok "$1: got '$got', want '$2'"; fi
}

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
fstype=$(awk -v m="$CG" '$2 == m { t = $3 } END { print t }' /proc/mounts)
[ "$fstype" = cgroup2 ] || { echo "SKIP: $CG is '${fstype:-not mounted}', not cgroup2"; exit 77; }

if [ -n "${CHECK_CGV2:-}" ]; then
    if "$CHECK_CGV2"; then ok "${CHECK_CGV2##*/}"; else not_ok "${CHECK_CGV2##*/} (status $?)"; fi
fi

if [ "${OCI_RT_GUEST:-}" = 1 ]; then
    for c in cpuset cpu io memory hugetlb pids rdma misc; do
        grep -qw "$c" "$CG/cgroup.controllers" && echo "+$c" >"$CG/cgroup.subtree_control"
    done
fi
echo "# root subtree_control: $(cat "$CG/cgroup.subtree_control")"

work=$(mktemp -d)
state=$work/state
id=v2u$$
dir=$CG/oci-rt/$id
trap '"$OCI_RT" --root "$state" delete --force "$id" >/dev/null 2>&1; rm -rf "$work"' EXIT
bundle=$work/bundle
mkdir -p "$bundle"
"$OCI_RT" spec --bundle "$bundle" || { echo "error: oci-rt spec failed"; exit 1; }
jq --arg r "$ROOTFS" '.process.terminal = false | .root.path = $r
    | .process.args = ["/usr/bin/ocitest", "sleep", "100"]
    | .linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]
    | .linux.resources = {
        devices: [{allow: false, access: "rwm"}],
        memory: {limit: 268435456, reservation: 134217728, swap: 536870912},
        cpu: {shares: 1024, quota: 50000, period: 200000, burst: 10000, cpus: "0", mems: "0"},
        pids: {limit: 50},
        blockIO: {weight: 500},
        hugepageLimits: [{pageSize: "2MB", limit: 4194304}],
        unified: {"memory.high": "209715200"}}' \
    "$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"

if ! "$OCI_RT" --root "$state" create --bundle "$bundle" "$id" </dev/null >"$work/c.out" 2>"$work/c.err"; then
    not_ok "oci-rt create with resources"
    sed 's/^/#   stderr: /' "$work/c.err"
    echo "$passed passed, $failed failed"
    exit 1
fi
ok "oci-rt create with resources"
echo "# oci-rt/cgroup.subtree_control: $(cat "$CG/oci-rt/cgroup.subtree_control")"
file_is memory.max 268435456
file_is memory.low 134217728
file_is memory.swap.max 268435456
file_is memory.high 209715200
file_is cpu.weight 39
file_is cpu.max "50000 200000"
file_is cpu.max.burst 10000
file_is cpuset.cpus 0
file_is pids.max 50
if [ -e "$dir/io.bfq.weight" ]; then file_is io.bfq.weight "default 500"; else
    file_is io.weight "default 4950"
fi
file_is hugetlb.2MB.max 4194304

ex() { "$OCI_RT" --root "$state" exec "$id" /usr/bin/ocitest "$@" 2>&1; }
out=$(ex open /dev/null rw)
if [ "$out" = "open=ok" ]; then ok "a default device (/dev/null) opens"; else
    not_ok "/dev/null: $out"
fi
out=$(ex open /dev/kmsg r)
if [ "${out%% *}" = "open=EPERM" ]; then ok "a device the rules deny (/dev/kmsg): EPERM"; else
    not_ok "/dev/kmsg: $out"
fi

"$OCI_RT" --root "$state" update --memory 300m --cpu-quota 70000 --pids-limit 60 "$id" 2>&1 |
    sed 's/^/#   update: /'
file_is memory.max 314572800
file_is cpu.max "70000 200000"
file_is pids.max 60

if "$OCI_RT" --root "$state" pause "$id" 2>"$work/p.err"; then ok "pause"; else
    not_ok "pause: $(cat "$work/p.err")"
fi
file_is cgroup.freeze 1
grep -q "frozen 1" "$dir/cgroup.events" && ok "cgroup.events frozen 1" || not_ok "not frozen"
"$OCI_RT" --root "$state" resume "$id" 2>&1 | sed 's/^/#   resume: /'
file_is cgroup.freeze 0

stats=$("$OCI_RT" --root "$state" events --stats "$id" 2>&1)
echo "# events --stats: ${stats:0:400}"
if echo "$stats" | jq -e '.data.memory.usage.limit == 314572800' >/dev/null 2>&1; then
    ok "events --stats memory limit"
else
    not_ok "events --stats: memory limit missing"
fi

"$OCI_RT" --root "$state" delete --force "$id" 2>&1 | sed 's/^/#   delete: /'
if [ ! -e "$dir" ]; then ok "delete --force removes $dir"; else not_ok "$dir remains"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
