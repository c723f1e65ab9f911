#!/bin/bash
# Runs tests/integration/cgroups.bats inside the pure cgroup v2 qemu guest
# (tests/vm/run-guest.sh), with what the file needs there:
#   --tool ps      procps' ps: `oci-rt ps` runs `ps -ef` (busybox's has no -f)
#   --module brd   RAM disks (/dev/ram*): the guest's rootfs is a tmpfs, so the
#                  blkio throttle test needs some block device to throttle
# and exits with the suite's status (77: no qemu/kernel, see run-guest.sh).
#
#   tests/vm/cgroups-in-guest.sh [run-guest.sh OPTIONS...]   e.g. --keep
#
# Environment: OCI_RT (binary, default <repo>/oci-rt), OCI_RT_TEST_CACHE,
# GUEST_KERNEL, QEMU... as run-guest.sh; GUEST_TIMEOUT (seconds, default 420;
# the file takes about 2.5 minutes under TCG).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

opts=(--timeout "${GUEST_TIMEOUT:-420}")
command -v ps >/dev/null 2>&1 && opts+=(--tool ps)

# brd when the guest kernel has it as a module (run-guest.sh boots the
# newest /boot/vmlinuz-*, or GUEST_KERNEL).
# shellcheck disable=SC2012 # the same pick as run-guest.sh
kernel=${GUEST_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
kver=${kernel##*/vmlinuz-}
if [ -n "$kver" ] && modprobe -S "$kver" --show-depends brd >/dev/null 2>&1; then
    opts+=(--module brd)
else
    echo "cgroups-in-guest: no brd module for kernel '${kver:-?}': the throttle test will skip"
fi

start=$(date +%s)
"$here/run-guest.sh" "${opts[@]}" "$@" "$repo/tests/integration/cgroups.bats"
rc=$?
echo "cgroups-in-guest: rc=$rc in $(($(date +%s) - start))s"
exit "$rc"
