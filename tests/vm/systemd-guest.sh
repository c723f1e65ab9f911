#!/bin/bash
# systemd-guest.sh [--timeout S] [--mem MB] [--keep] [--cgroup v2|hybrid] [SUITE [ARGS...]]
#
# The second test guest (see README.md): it boots this host's own Debian
# userspace with systemd as PID 1 under qemu TCG, for what needs a systemd
# host (the systemd cgroup driver, Podman and containerd with systemd cgroups)
# or a kernel CRIU supports (checkpoint/restore: CRIU 3.17 fails on the host's
# newer kernel).
#
#   * kernel: Debian's (linux-image-amd64, the newest /boot/vmlinuz-*;
#     installed with apt when missing), cgroup v2 only;
#   * root: the host's / over virtio 9p, read-only, under a tmpfs overlay:
#     whatever the guest writes goes to its memory;
#   * the build tree (this repo) over 9p, read-only, at /repo;
#   * --cgroup hybrid: systemd's hybrid layout (v1 controllers, cgroup2 at
#     /sys/fs/cgroup/unified) instead of cgroup v2 only;
#   * a small initramfs (busybox, the 9p/virtio/overlay modules and
#     systemd-init.sh) mounts them and execs the host's systemd;
#   * systemd boots the target oci-rt-guest.target only, with the units no
#     test needs masked; its service runs SUITE (default
#     tests/vm/systemd-suite.sh) as root with the console as stdout and
#     prints "OCI-RT-GUEST-RESULT: rc=N", then the guest powers off.
#
# What the suite uses must be installed on the host (the guest runs the
# host's programs): this script installs the Debian packages when missing.
#
# Output: the console, each line prefixed "guest| "; the boot time (kernel
# start to the suite starting, as the guest's uptime) and the whole time.
# Exit: the suite's rc; 77 SKIP (no qemu or kernel, none could be installed);
# 124 no result within the timeout; 125 the guest stopped without a result.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
prog=systemd-guest
timeout_s=${GUEST_TIMEOUT:-900}
mem=${GUEST_MEM:-2048}
keep=0
layout=v2

say() { echo "$prog: $*"; }
die() {
    echo "$prog: error: $*" >&2
    exit 1
}
skip() {
    echo "SKIP: $prog: $*"
    exit 77
}
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

while [ $# -gt 0 ]; do
    case "$1" in
    --timeout) timeout_s=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --cgroup) layout=$2; shift 2 ;;
    --) shift; break ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
suite=${1:-$here/systemd-suite.sh}
[ $# -gt 0 ] && shift
suite=$(realpath "$suite")
case "$suite" in
"$repo"/*) gsuite=/repo/${suite#"$repo"/} ;;
*) die "the suite must be inside the repo ($repo)" ;;
esac
[ -x "$repo/oci-rt" ] || die "$repo/oci-rt is missing: run make first"
[ "$(id -u)" = 0 ] || die "needs root (qemu's 9p export of / and the guest's files)"

# ------------------------------------------------------------ packages

# the guest's userspace is this host's: what the tests run in it
guest_pkgs=(qemu-system-x86 linux-image-amd64 busybox-static systemd dbus criu podman conmon
    containerd containernetworking-plugins catatonit bats jq iproute2 procps kmod
    python3-grpcio python3-protobuf)
find_kernel() {
    # shellcheck disable=SC2012
    ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1
}
if ! dpkg -s "${guest_pkgs[@]}" >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    say "installing ${guest_pkgs[*]} (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive INITRD=No
    apt-get install -y -q --no-install-recommends "${guest_pkgs[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
            apt-get install -y -q --no-install-recommends "${guest_pkgs[@]}" >/dev/null 2>&1; } ||
        say "warning: apt-get install failed; going on with what is there"
    unset INITRD
fi
qemu=qemu-system-x86_64
command -v $qemu >/dev/null 2>&1 || skip "$qemu not found (Debian: apt-get install qemu-system-x86)"
kernel=$(find_kernel)
[ -n "$kernel" ] || skip "no kernel image /boot/vmlinuz-* (Debian: apt-get install linux-image-amd64)"
kver=${kernel##*/vmlinuz-}
[ -d "/lib/modules/$kver" ] || skip "kernel $kver has no modules in /lib/modules/$kver"
[ -x /lib/systemd/systemd ] || skip "no /lib/systemd/systemd on the host (apt-get install systemd)"
busybox=$(command -v busybox) || skip "no busybox (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && skip "$busybox is not static (apt-get install busybox-static)"

# the test rootfs, built on the host (the guest sees it through its root)
cache=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
mkdir -p "$cache" && bash "$repo/tests/lib/mkrootfs.sh" "$cache/rootfs" >/dev/null 2>"$cache/mkrootfs.log" ||
    die "tests/lib/mkrootfs.sh failed: $(cat "$cache/mkrootfs.log")"

# ------------------------------------------------------------ initramfs

tmp=$(mktemp -d "${TMPDIR:-/tmp}/oci-rt-sdguest.XXXXXX") || die "mktemp"
qpid=""
# shellcheck disable=SC2317
cleanup() {
    [ -z "$qpid" ] || kill -KILL "$qpid" 2>/dev/null
    if [ "$keep" = 1 ]; then say "kept $tmp"; else rm -rf --one-file-system "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
t_build=$(now)
root=$tmp/root
mkdir -p "$root"/{usr/bin,dev,proc,sys,guest/units}
for d in bin sbin; do ln -s usr/bin "$root/$d"; done
install -m 0755 "$busybox" "$root/usr/bin/busybox"
for a in sh mount umount insmod mkdir cp ln cat chmod switch_root sleep echo; do
    ln -s busybox "$root/usr/bin/$a"
done
install -m 0755 "$here/systemd-init.sh" "$root/init"
: >"$root/guest/modules"
declare -A seen=()
for m in virtio_pci 9pnet_virtio 9p overlay; do
    deps=$(modprobe -S "$kver" --show-depends "$m" 2>&1) || die "module $m: $deps"
    while read -r kind path _; do
        [ "$kind" = insmod ] && [ -z "${seen[$path]:-}" ] || continue
        seen[$path]=1
        mkdir -p "$root$(dirname "$path")"
        cp "$path" "$root$path"
        echo "$path" >>"$root/guest/modules"
    done <<<"$deps"
done
[ -e "$root/dev/console" ] || mknod -m 0600 "$root/dev/console" c 5 1

# What systemd must not start: the guest has no disks, network, udev rules
# to run or timers to fire; each masked unit is boot time saved under TCG.
{
    for f in /lib/systemd/system/sysinit.target.wants/* /etc/systemd/system/sysinit.target.wants/*; do
        [ -e "$f" ] || [ -L "$f" ] && echo "${f##*/}"
    done
    printf '%s\n' systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket \
        systemd-journald-audit.socket systemd-udevd.service systemd-udevd-control.socket \
        systemd-udevd-kernel.socket systemd-udev-trigger.service systemd-udev-settle.service \
        systemd-remount-fs.service systemd-fsck-root.service apparmor.service \
        systemd-logind.service getty.target serial-getty@ttyS0.service console-getty.service \
        docker.service docker.socket containerd.service podman.socket podman.service \
        sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
        sys-fs-fuse-connections.mount dev-hugepages.mount proc-sys-fs-binfmt_misc.automount \
        systemd-tmpfiles-clean.timer apt-daily.timer apt-daily-upgrade.timer \
        e2scrub_all.timer fstrim.timer logrotate.timer man-db.timer cron.service
} | grep -v -e '^systemd-tmpfiles-setup' | sort -u >"$root/guest/masked"

cat >"$root/guest/units/oci-rt-guest.target" <<'EOF'
[Unit]
Description=oci-rt systemd test guest
Requires=oci-rt-guest.service
After=oci-rt-guest.service
AllowIsolate=yes
EOF
cat >"$root/guest/units/oci-rt-guest.service" <<'EOF'
[Unit]
Description=oci-rt tests in the systemd guest
Requires=dbus.socket
After=dbus.socket sysinit.target
[Service]
Type=oneshot
ExecStart=/guest/run-suite
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
EOF
{
    echo "export OCI_RT=/repo/oci-rt OCI_RT_GUEST=1 OCI_RT_SYSTEMD_GUEST=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "export OCI_RT_TEST_CACHE=$cache HOME=/root TERM=dumb"
} >"$root/guest/env"
{
    echo '#!/bin/bash'
    echo '. /guest/env'
    echo 'cd /repo || exit 1'
    echo 'echo "OCI-RT-GUEST-BOOTED: uptime=$(cut -d" " -f1 /proc/uptime)"'
    printf '%q ' bash "$gsuite" "$@"
    echo
    echo 'rc=$?'
    echo 'echo "OCI-RT-GUEST-RESULT: rc=$rc uptime=$(cut -d" " -f1 /proc/uptime)"'
    echo 'sync; echo o >/proc/sysrq-trigger'
} >"$root/guest/run-suite"
chmod 0755 "$root/guest/run-suite"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initramfs.cpio" ||
    die "cpio"
say "initramfs $(du -k "$tmp/initramfs.cpio" | cut -f1) KB in $(since "$t_build")s; kernel $kernel"

# ------------------------------------------------------------ boot

append="console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init systemd.unit=oci-rt-guest.target"
case $layout in
v2) append+=" cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" ;;
hybrid) append+=" systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=0" ;;
*) die "--cgroup $layout: expected v2 or hybrid" ;;
esac
append+=" systemd.show_status=0 systemd.log_level=warning systemd.log_target=console"
# shellcheck disable=SC2054
qargs=(-accel tcg -m "$mem" -smp 2 -no-reboot -nodefaults -no-user-config -display none
    -chardev stdio,id=con,signal=off -serial chardev:con
    -kernel "$kernel" -initrd "$tmp/initramfs.cpio" -append "$append"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on,multidevs=remap")
say "booting $kernel (TCG, ${mem} MB, cgroup $layout, timeout ${timeout_s}s), suite $gsuite"
t_boot=$(now)
booted="" result="" log=$tmp/console.log
exec 3< <(exec timeout -k 5 "$timeout_s" $qemu "${qargs[@]}" </dev/null 2>&1)
qpid=$!
while IFS= read -r line <&3 || [ -n "$line" ]; do
    line=${line%$'\r'}
    printf '%s\n' "$line" >>"$log"
    printf 'guest| %s\n' "$line"
    case "$line" in
    OCI-RT-GUEST-BOOTED:*) booted=${line#*uptime=} booted_host=$(since "$t_boot") ;;
    OCI-RT-GUEST-RESULT:*) result=$line ;;
    esac
done
exec 3<&-
wait "$qpid"
qrc=$?
qpid=""
if [[ "$result" =~ ^OCI-RT-GUEST-RESULT:\ rc=([0-9]+) ]]; then
    rc=${BASH_REMATCH[1]}
    say "result rc=$rc; boot: ${booted:-?}s guest uptime (${booted_host:-?}s from qemu start); whole run $(since "$t_build")s"
    exit "$rc"
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    say "error: no result within ${timeout_s}s ($([ -n "$booted" ] && echo "the suite hung" || echo "the guest did not boot"))" >&2
    exit 124
fi
say "error: the guest stopped (qemu rc=$qrc) without a result line" >&2
exit 125
