#!/bin/sh
# /init of the systemd guest's initramfs (busybox), see systemd-guest.sh:
# mount the host's root (9p, read-only) under a tmpfs overlay, the build
# tree at /repo, shape the guest's /etc (an empty fstab, masked units, the
# test units), then hand over to the host's systemd as PID 1.
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
fail() {
    echo "OCI-RT-GUEST-RESULT: rc=125 init: $*"
    echo o >/proc/sysrq-trigger
    sleep 5
    exit 1
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
while read -r m; do insmod "$m" || fail "insmod $m"; done </guest/modules

mkdir -p /lower /upper /newroot
opts=trans=virtio,version=9p2000.L,msize=512000,cache=loose
mount -t 9p -o "$opts,ro" hostroot /lower || fail "mount the host root (9p)"
mount -t tmpfs -o mode=0755 tmpfs /upper || fail "tmpfs"
mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot ||
    fail "overlay over the host root"
mkdir -p /newroot/repo
mount -t 9p -o "$opts,ro" repo /newroot/repo || fail "mount the build tree (9p)"

r=/newroot
# nothing of the host's disks, services or network configuration; and no
# marker of a container host, which would make systemd read its settings
# from its own argv instead of the kernel's command line
: >$r/etc/fstab
rm -f $r/.dockerenv $r/run/.containerenv
mkdir -p $r/etc/systemd/system
while read -r unit; do
    [ -n "$unit" ] && ln -sf /dev/null "$r/etc/systemd/system/$unit"
done </guest/masked
cp /guest/units/* $r/etc/systemd/system/
mkdir -p $r/guest
cp /guest/env /guest/run-suite $r/guest/
chmod 0755 $r/guest/run-suite
echo oci-rt-systemd-guest >$r/etc/hostname

umount /sys /proc
umount /dev 2>/dev/null
exec switch_root /newroot /lib/systemd/systemd
