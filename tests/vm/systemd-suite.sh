#!/bin/bash
# The suite of the systemd test guest (tests/vm/systemd-guest.sh runs it in
# the guest as root, systemd being PID 1): the bats files of tests/vm/systemd/
# (or those given) as one TAP stream.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
if [ "${OCI_RT_SYSTEMD_GUEST:-}" != 1 ]; then
    echo "1..0 # SKIP not in the systemd test guest (tests/vm/systemd-guest.sh)"
    exit 0
fi
# the engines' data on a tmpfs of their own (overlayfs cannot be the upper
# layer of their overlay mounts)
for d in /var/lib/containers /var/lib/containerd /run/containerd /var/tmp/oci-rt-sd; do
    mkdir -p "$d" && mount -t tmpfs -o mode=0711 tmpfs "$d"
done
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/vm/systemd/*.bats)
t0=$(cut -d' ' -f1 /proc/uptime)
bats --tap "${files[@]}"
rc=$?
echo "# suite time: $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')s"
exit $rc
