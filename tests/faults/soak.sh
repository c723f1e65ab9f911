#!/bin/bash
# Soak: N containers (default 1000) created, started, listed, killed and
# deleted in rounds, with random SIGKILLs of oci-rt in between (a create,
# start or delete killed 0.5-8 ms after its exec), then the host must be
# clean. A long foreground `oci-rt run` lives through it all: its fd count
# and RSS are reported before and after (they must not grow).
#   tests/faults/soak.sh [N]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
OCI_RT=${OCI_RT:-$repo/oci-rt}
cache=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
n=${1:-1000}
[ "$(id -u)" = 0 ] || { echo "SKIP: the soak needs root"; exit 77; }
[ -x "$cache/rootfs/bin/sh" ] || bash "$repo/tests/lib/mkrootfs.sh" "$cache/rootfs" >/dev/null || exit 1

work=$(mktemp -d /tmp/ocsoak.XXXXXX)
root=$work/root
tag=soak$$
long=""
cleanup() {
    [ -n "$long" ] && kill "$long" 2>/dev/null
    for d in "$root"/*/; do
        [ -d "$d" ] && "$OCI_RT" --root "$root" delete --force "$(basename "$d")" >/dev/null 2>&1
    done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bundle" "$root"
"$OCI_RT" spec --bundle "$work/bundle" || exit 1
jq --arg r "$cache/rootfs" --arg t "$tag" '.process.terminal = false | .root.path = $r
    | .process.args = ["/bin/sleep", "600"] | .process.env += ["FAULT_TAG=" + $t]' \
    "$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"

# the long-lived parent: a foreground run
jq '.process.args = ["/bin/sleep", "3600"]' "$work/bundle/config.json" >"$work/long.json"
"$OCI_RT" --root "$root" run --config "$work/long.json" --bundle "$work/bundle" "$tag-long" \
    </dev/null >/dev/null 2>&1 &
long=$!
sleep 1
fds() { ls "/proc/$long/fd" 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS/ { print $2 " kB" }' "/proc/$long/status" 2>/dev/null; }
fd0=$(fds) rss0=$(rss)

killer() { # killer CMD...: run it, SIGKILL it 0.5-8 ms after its exec, one time in four
    if [ $((RANDOM % 4)) = 0 ]; then
        "$@" </dev/null >/dev/null 2>&1 &
        local p=$! d
        d=$(printf '0.%04d' $((5 + RANDOM % 75)))
        sleep "$d"
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    else
        "$@" </dev/null >/dev/null 2>&1
    fi
}
start=$(date +%s)
batch=20 done_n=0
while [ "$done_n" -lt "$n" ]; do
    ids=()
    for ((i = 0; i < batch && done_n + i < n; i++)); do ids+=("$tag-$((done_n + i))"); done
    for id in "${ids[@]}"; do killer "$OCI_RT" --root "$root" create --bundle "$work/bundle" "$id"; done
    for id in "${ids[@]}"; do killer "$OCI_RT" --root "$root" start "$id"; done
    "$OCI_RT" --root "$root" list -q >/dev/null || { echo "list failed"; exit 1; }
    for id in "${ids[@]}"; do "$OCI_RT" --root "$root" kill "$id" KILL >/dev/null 2>&1; done
    for id in "${ids[@]}"; do killer "$OCI_RT" --root "$root" delete --force "$id"; done
    # what a killed delete left, the next one removes
    for id in "${ids[@]}"; do
        "$OCI_RT" --root "$root" delete --force "$id" >/dev/null 2>&1 || { echo "delete --force $id failed"; exit 1; }
    done
    done_n=$((done_n + ${#ids[@]}))
done
elapsed=$(($(date +%s) - start))
fd1=$(fds) rss1=$(rss)
left=0
[ "$(ls "$root" | grep -vc "^$tag-long$")" = 0 ] || { echo "state directories left: $(ls "$root")"; left=1; }
cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$tag-[0-9]*" 2>/dev/null | head -5)
[ -z "$cg" ] || { echo "cgroups left: $cg"; left=1; }
pids=$(grep -l "FAULT_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null | grep -v "/proc/$long/" | head -5)
for p in $pids; do
    pid=${p#/proc/}
    pid=${pid%%/*}
    [ "$(readlink "/proc/$pid/ns/pid")" ] || continue
    # the long run's own container is the only tagged process allowed
    grep -q "$tag-long" /proc/"$pid"/cgroup 2>/dev/null && continue
    echo "process left: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
    left=1
done
echo "soak: $n containers in ${elapsed}s; long run parent: fds $fd0 -> $fd1, RSS $rss0 -> $rss1"
[ "$fd0" = "$fd1" ] || { echo "the long run's fd count changed"; left=1; }
exit "$left"
