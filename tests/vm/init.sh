#!/bin/sh
# /init of the oci-rt cgroup v2 test guest (built by tests/vm/run-guest.sh).
# busybox sh, PID 1.
#
# Stage 1 (initramfs root): pivot_root(2) refuses the initramfs' rootfs, so
# copy everything to a tmpfs and switch_root into it.
# Stage 2 (tmpfs root): mount proc, sys, cgroup2 alone at /sys/fs/cgroup, the
# /dev extras, /tmp and /run; lo up; load /guest/modules; run
# /guest/run-suite (the suite and its arguments) with /guest/env; print
#   OCI-RT-GUEST-RESULT: rc=N uptime=S
# on the console and power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

fail() {
    echo
    echo "OCI-RT-GUEST-ERROR: $*"
    echo "OCI-RT-GUEST-RESULT: rc=125"
    halt_guest
}

halt_guest() {
    sync
    sleep 0.2 # let the serial port drain
    poweroff -f
    echo o >/proc/sysrq-trigger
    reboot -f
    sleep 10
    exit 1 # PID 1 exiting panics; panic=-1 + qemu -no-reboot end the guest
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

if [ "${OCI_RT_GUEST_STAGE:-1}" = 1 ]; then
    mount -t devtmpfs devtmpfs /dev 2>/dev/null
    exec </dev/console >/dev/console 2>&1
    mount -t proc proc /proc || fail "mount proc"
    mount -t tmpfs -o mode=0755 tmpfs /newroot || fail "mount tmpfs on /newroot"
    for e in /* /.[!.]*; do
        case "$e" in
        /newroot | /dev | /proc | /sys | '/.[!.]*') continue ;;
        esac
        cp -a "$e" /newroot/ || fail "copy $e to the tmpfs root"
    done
    mkdir -p /newroot/dev /newroot/proc /newroot/sys
    umount /proc
    mount --move /dev /newroot/dev || fail "move /dev"
    export OCI_RT_GUEST_STAGE=2
    # shellcheck disable=SC2093 # fail only if the exec itself fails
    exec switch_root /newroot /init
    fail "switch_root failed"
fi

# ---------------------------------------------------------------- stage 2
exec </dev/null >/dev/console 2>&1
mount -t proc proc /proc || fail "mount proc"
mount -t sysfs sysfs /sys || fail "mount sysfs"
# cgroup2 alone: cgroup_no_v1=all binds no controller to v1, so every
# controller is in cgroup2's cgroup.controllers.  The suite enables what it
# needs in cgroup.subtree_control.  Options as systemd mounts it.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
    mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "mount cgroup2"
[ -d /sys/fs/bpf ] && mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
# Like a systemd host: mounts propagate (shared) by default.
mount --make-rshared /
hostname oci-rt-guest
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

if [ -s /guest/modules ]; then
    while read -r m; do
        insmod "$m" || echo "init: warning: insmod $m failed"
    done </guest/modules
fi

echo "init: kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MB;" \
    "/sys/fs/cgroup: $(awk '$2 == "/sys/fs/cgroup" { print $3 }' /proc/mounts);" \
    "cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "OCI-RT-GUEST-BOOTED: uptime=$(uptime_s)"

# shellcheck disable=SC1091
. /guest/env
cd /repo || fail "no /repo"
if [ -x /bin/bash ]; then
    /bin/bash /guest/run-suite
else
    sh /guest/run-suite
fi
rc=$?
echo
echo "OCI-RT-GUEST-RESULT: rc=$rc uptime=$(uptime_s)"
halt_guest
