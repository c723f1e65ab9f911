#!/bin/bash
# run-guest.sh [OPTIONS] SUITE [ARGS...]
#
# Runs a test SUITE of oci-rt inside a small qemu guest (TCG) whose only cgroup
# hierarchy is cgroup2 (kernel command line cgroup_no_v1=all), for hosts that
# cannot give a pure cgroup v2 host.  See tests/vm/README.md.
#
# The guest boots Debian's kernel (/boot/vmlinuz-*, newest) with an initramfs
# assembled here: busybox-static, bash, jq, bats (when installed), the oci-rt
# binary with its libraries (and oci-rt-dynamic, and libmount), the repo's tests/
# directory at /repo/tests, and the test rootfs of tests/lib/mkrootfs.sh at
# /test/rootfs.  Its /init (tests/vm/init.sh) runs SUITE ARGS as root and
# prints "OCI-RT-GUEST-RESULT: rc=N" on the serial console; this script
# streams the console to stdout (lines prefixed "guest| ") and exits with N.
#
# Options:
#   --timeout SECONDS  the whole guest run, boot included (default 300)
#   --mem MB           guest memory (default 1024)
#   --keep             keep the temp dir (initramfs tree, cpio, console log)
#   --env NAME=VALUE   export NAME=VALUE to the suite (repeatable)
#   --tool PROG        copy host program PROG (a name on PATH or a path) and its
#                      libraries into the guest at the same path (repeatable)
#   --include PATH     copy a host file or directory into the guest at the same
#                      absolute path (repeatable)
#   --module NAME      load kernel module NAME (and its dependencies) in the
#                      guest before the suite (repeatable)
#
# SUITE: a .bats file runs with bats; an executable file runs as it is (its
# #! line); anything else runs with bash.  A SUITE inside this repo runs from
# the same path under /repo (so "$(dirname "$0")/../.." is /repo); one outside
# is copied to /suite/.
#
# Guest environment: OCI_RT=/repo/oci-rt, OCI_RT_TEST_CACHE=/test (so the test
# rootfs is $OCI_RT_TEST_CACHE/rootfs as in tests/integration/helpers.bash),
# OCI_RT_TEST_ROOTFS=/test/rootfs, OCI_RT_GUEST=1, CC=false (no compiler; see
# README), cwd /repo, stdin /dev/null, stdout+stderr the serial console.
#
# Environment: OCI_RT (binary, default <repo>/oci-rt), OCI_RT_TEST_CACHE (host
# rootfs cache, default /var/tmp/oci-rt-test), GUEST_KERNEL (a vmlinuz, default
# the newest /boot/vmlinuz-*), QEMU (default qemu-system-x86_64), QEMU_ACCEL
# (default tcg: kvm guests hang on this host), QEMU_CPU (default qemu's),
# GUEST_GZIP=1 (gzip the initramfs; default uncompressed, faster under TCG).
#
# Exit: the suite's rc; 77 SKIP (no qemu or kernel image, and none could be
# installed); 124 no result line within the timeout (qemu killed); 125 the
# guest stopped without a result line (did not boot, init failed); 2 usage;
# 1 other setup errors.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
prog=run-guest

timeout_s=300
mem=1024
keep=0
envs=()
tools=()
includes=()
modules=()

say() { echo "$prog: $*"; }
die() {
    echo "$prog: error: $*" >&2
    exit 1
}
skip() {
    echo "SKIP: $prog: $*"
    exit 77
}
usage() {
    sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

while [ $# -gt 0 ]; do
    case "$1" in
    --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
    --timeout=*) timeout_s=${1#*=}; shift ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --mem=*) mem=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    --env) [ $# -ge 2 ] || usage; envs+=("$2"); shift 2 ;;
    --tool) [ $# -ge 2 ] || usage; tools+=("$2"); shift 2 ;;
    --include) [ $# -ge 2 ] || usage; includes+=("$2"); shift 2 ;;
    --module) [ $# -ge 2 ] || usage; modules+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) echo "$prog: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
suite=$1
shift
if ! [[ "$timeout_s" =~ ^[0-9]+$ ]] || [ "$timeout_s" -eq 0 ]; then die "--timeout wants seconds"; fi
if ! [[ "$mem" =~ ^[0-9]+$ ]] || [ "$mem" -lt 128 ]; then die "--mem wants MB (>= 128)"; fi
[ -f "$suite" ] || die "suite $suite not found"
for e in "${envs[@]}"; do
    [[ "$e" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, not '$e'"
done
suite=$(realpath "$suite")

oci_rt=${OCI_RT:-$repo/oci-rt}
[ -x "$oci_rt" ] || die "$oci_rt is missing: run make first (or set OCI_RT)"
oci_rt=$(realpath "$oci_rt")
qemu=${QEMU:-qemu-system-x86_64}
cache=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}

# ------------------------------------------------------------ qemu + kernel

find_kernel() {
    if [ -n "${GUEST_KERNEL:-}" ]; then
        [ -r "$GUEST_KERNEL" ] && printf '%s' "$GUEST_KERNEL"
        return
    fi
    # shellcheck disable=SC2012
    ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1
}

have_all() {
    command -v "$qemu" >/dev/null 2>&1 && [ -n "$(find_kernel)" ] &&
        command -v busybox >/dev/null 2>&1
}

if ! have_all && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
    [ -z "${QEMU:-}" ] && [ -z "${GUEST_KERNEL:-}" ]; then
    say "installing qemu-system-x86, linux-image-amd64, busybox-static (Debian packages)"
    # INITRD=No: the kernel's postinst hook makes no initramfs (none is
    # needed: this script makes its own, and there is no bootloader).
    pkgs=(qemu-system-x86 linux-image-amd64 busybox-static)
    export DEBIAN_FRONTEND=noninteractive INITRD=No
    apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
            apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1; } ||
        say "warning: apt-get install failed; going on with what is there"
    unset INITRD
fi
command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not found (Debian: apt-get install qemu-system-x86)"
kernel=$(find_kernel)
[ -n "$kernel" ] || skip "no kernel image (/boot/vmlinuz-* or GUEST_KERNEL; Debian: apt-get install linux-image-amd64)"
[ -r "$kernel" ] || skip "kernel image $kernel is not readable"
kver=${kernel##*/vmlinuz-}
moddir=/lib/modules/$kver
command -v busybox >/dev/null 2>&1 || skip "busybox not found (Debian: apt-get install busybox-static)"
busybox=$(realpath "$(command -v busybox)")
if ldd "$busybox" >/dev/null 2>&1; then
    skip "$busybox is not static (Debian: apt-get install busybox-static)"
fi

# ------------------------------------------------------------ temp dir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/oci-rt-guest.XXXXXX") || die "mktemp failed"
qpid=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    [ -z "$qpid" ] || kill -KILL "$qpid" 2>/dev/null
    if [ "$keep" = 1 ]; then
        say "kept $tmp"
    else
        rm -rf --one-file-system "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$tmp/root
mkdir -p "$root"

# ------------------------------------------------------------ initramfs tree

t_build=$(now)

# The test rootfs (idempotent, shared with the integration tests' cache).
mkdir -p "$cache" || die "cannot make $cache"
bash "$repo/tests/lib/mkrootfs.sh" "$cache/rootfs" >"$tmp/mkrootfs.log" 2>&1 || {
    cat "$tmp/mkrootfs.log" >&2
    die "tests/lib/mkrootfs.sh failed"
}

# The same /usr-merged layout as the host (Debian 12: /bin -> usr/bin ...).
for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then
        mkdir -p "$root/$(readlink "/$d")"
        ln -s "$(readlink "/$d")" "$root/$d"
    else
        mkdir -p "$root/$d"
    fi
done
mkdir -p "$root"/{usr/bin,usr/sbin,etc,dev,proc,sys,run,tmp,var/tmp,root,newroot,guest,repo,test}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"

# busybox and its applets (links never replace a file; host tools come after
# and replace links).
install -m 0755 "$busybox" "$root/usr/bin/busybox"
while read -r applet; do
    name=${applet##*/}
    if [ -z "$name" ] || [ "$name" = busybox ]; then continue; fi
    dst=$root/$applet
    mkdir -p "${dst%/*}"
    [ -e "$dst" ] || [ -L "$dst" ] || ln -s /usr/bin/busybox "$dst"
done < <("$busybox" --list-full)
[ -L "$root/bin/sh" ] || [ -e "$root/bin/sh" ] || ln -s /usr/bin/busybox "$root/bin/sh"

# copy_file SRC [DST]: copy SRC (dereferenced) to DST inside the guest
# (default: the same path), replacing a busybox link there.
copy_file() {
    local src=$1 dst=${2:-$1}
    mkdir -p "$root$(dirname "$dst")"
    rm -f "$root$dst"
    cp -L --preserve=mode "$src" "$root$dst"
}

declare -A copied_libs=()
# copy_libs FILE: the shared libraries FILE needs (by ldd), at their paths.
copy_libs() {
    local lib
    while read -r lib; do
        if [ -z "$lib" ] || [ -n "${copied_libs[$lib]:-}" ]; then continue; fi
        copied_libs[$lib]=1
        copy_file "$lib"
    done < <(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

copy_prog() {
    local p=$1 path
    path=$(command -v "$p" 2>/dev/null) || die "tool $p not found on the host"
    [ -f "$path" ] || die "tool $p ($path) is not a file"
    case "$path" in /*) ;; *) path=$(realpath "$path") ;; esac
    copy_file "$path"
    copy_libs "$path"
}

# oci-rt and what it needs, libmount and its libraries (tests compare with it).
copy_file "$oci_rt" /repo/oci-rt
copy_libs "$oci_rt"
# a static oci-rt hands what needs a shared library to oci-rt-dynamic beside it
if [ -x "$(dirname "$oci_rt")/oci-rt-dynamic" ]; then
    copy_file "$(dirname "$oci_rt")/oci-rt-dynamic" /repo/oci-rt-dynamic
    copy_libs "$(dirname "$oci_rt")/oci-rt-dynamic"
fi
libmount=$(ldconfig -p 2>/dev/null | awk '$1 == "libmount.so.1" && /x86-64/ { print $NF; exit }')
if [ -n "$libmount" ]; then
    copy_file "$libmount"
    copy_libs "$libmount"
else
    say "warning: libmount.so.1 not found on the host; oci-rt may miss it in the guest"
fi
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || copy_file /lib64/ld-linux-x86-64.so.2

# bash (always: suites are bash), jq, bats, and what --tool asked for.
copy_prog bash
command -v jq >/dev/null 2>&1 && copy_prog jq
if command -v bats >/dev/null 2>&1; then
    bats_bin=$(realpath "$(command -v bats)")
    copy_file "$bats_bin"
    case "$bats_bin" in
    /usr/bin/bats) # Debian's layout
        for d in /usr/lib/bats-core /usr/libexec/bats-core; do
            [ -d "$d" ] && mkdir -p "$root$d" && cp -a "$d/." "$root$d/"
        done
        ;;
    */bin/bats) # an upstream install prefix
        pfx=${bats_bin%/bin/bats}
        for d in "$pfx/lib/bats-core" "$pfx/libexec/bats-core"; do
            [ -d "$d" ] && mkdir -p "$root$d" && cp -a "$d/." "$root$d/"
        done
        ;;
    esac
fi
for t in "${tools[@]}"; do copy_prog "$t"; done
for p in "${includes[@]}"; do
    [ -e "$p" ] || die "--include $p: not found"
    p=$(realpath "$p")
    mkdir -p "$root$(dirname "$p")"
    cp -a "$p" "$root$(dirname "$p")/"
done

# The repo's tests/ (helpers, lib, the suites) and the suite.
cp -a "$repo/tests" "$root/repo/"
case "$suite" in
"$repo"/*) gsuite=/repo/${suite#"$repo"/} ;;
*)
    gsuite=/suite/${suite##*/}
    copy_file "$suite" "$gsuite"
    ;;
esac
[ -f "$root$gsuite" ] || copy_file "$suite" "$gsuite"

# The test rootfs.
cp -a "$cache/rootfs" "$root/test/rootfs"

# Kernel modules (most of what the tests need is built into Debian's kernel).
: >"$root/guest/modules"
declare -A mod_seen=()
for m in "${modules[@]}"; do
    [ -d "$moddir" ] || die "--module $m: no $moddir for kernel $kver"
    deps=$(modprobe -S "$kver" --show-depends "$m" 2>&1) || die "--module $m: $deps"
    while read -r kind path _; do
        [ "$kind" = insmod ] || continue
        [ -z "${mod_seen[$path]:-}" ] || continue
        mod_seen[$path]=1
        copy_file "$path"
        echo "$path" >>"$root/guest/modules"
    done <<<"$deps"
done

# /etc, the init, the run script and the suite's environment.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
echo oci-rt-guest >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
install -m 0755 "$here/init.sh" "$root/init"

{
    echo "export OCI_RT=/repo/oci-rt OCI_RT_TEST_CACHE=/test OCI_RT_TEST_ROOTFS=/test/rootfs OCI_RT_GUEST=1"
    # No compiler in the guest: tests/lib/mkrootfs.sh (called by the bats
    # helpers' ensure_rootfs) insists on finding $CC even when its stamp says
    # the rootfs is up to date, which it always is here.  false: a real
    # rebuild would fail clearly.
    echo "export CC=false"
    for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
} >"$root/guest/env"

if [[ "$suite" == *.bats ]]; then
    [ -x "$root/usr/bin/bats" ] || [ -n "${bats_bin:-}" ] || die "$suite is a bats file but bats is not installed"
    runner=(bats)
elif [ -x "$suite" ]; then
    runner=()
else
    runner=(bash)
fi
{
    echo '#!/bin/bash'
    echo 'cd /repo || exit 1'
    printf 'exec'
    printf ' %q' "${runner[@]}" "$gsuite" "$@"
    echo
} >"$root/guest/run-suite"
chmod 0755 "$root/guest/run-suite"

# The loader's cache, so dlopen("libmount.so.1") finds it as on the host.
ldconfig -r "$root" 2>/dev/null || say "warning: ldconfig -r failed; dlopen may look in default paths only"

# /dev/console, so that the kernel gives /init a console before devtmpfs.
[ "$(id -u)" = 0 ] && mknod -m 0600 "$root/dev/console" c 5 1

# ------------------------------------------------------------ cpio

cpio_file=$tmp/initramfs.cpio
(
    cd "$root" || exit 1
    if cpio --version 2>/dev/null | grep -q GNU; then
        find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet
    else
        find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null
    fi
) >"$cpio_file" || die "cpio failed"
if [ "${GUEST_GZIP:-0}" = 1 ]; then
    gzip -1 "$cpio_file" || die "gzip failed"
    cpio_file=$cpio_file.gz
fi
build_s=$(since "$t_build")
say "initramfs: $(du -m "$cpio_file" | cut -f1) MB ($(du -sm "$root" | cut -f1) MB tree) in ${build_s}s; kernel $kernel"

# ------------------------------------------------------------ boot

accel=${QEMU_ACCEL:-tcg}
append="console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 rdinit=/init"
# shellcheck disable=SC2054 # the commas are qemu's
qargs=(-accel "$accel" -m "$mem" -smp 2 -no-reboot -nodefaults -no-user-config
    -display none -chardev stdio,id=con,signal=off -serial chardev:con
    -kernel "$kernel" -initrd "$cpio_file" -append "$append")
[ -z "${QEMU_CPU:-}" ] || qargs+=(-cpu "$QEMU_CPU")

say "booting: $qemu ${qargs[*]}"
say "suite: $(printf '%q ' "$gsuite" "$@")(timeout ${timeout_s}s)"
log=$tmp/console.log
t_boot=$(now)
booted_s="" result=""
exec 3< <(exec timeout -k 5 "$timeout_s" "$qemu" "${qargs[@]}" </dev/null 2>&1)
qpid=$!
while IFS= read -r line <&3 || [ -n "$line" ]; do
    line=${line%$'\r'}
    printf '%s\n' "$line" >>"$log"
    printf 'guest| %s\n' "$line"
    case "$line" in
    OCI-RT-GUEST-BOOTED:*) booted_s=$(since "$t_boot") ;;
    OCI-RT-GUEST-RESULT:*) result=$line result_s=$(since "$t_boot") ;;
    esac
done
exec 3<&-
wait "$qpid"
qrc=$?
qpid=""
total_s=$(since "$t_build")

if [[ "$result" =~ ^OCI-RT-GUEST-RESULT:\ rc=([0-9]+) ]]; then
    rc=${BASH_REMATCH[1]}
    say "guest result rc=$rc; timings: initramfs ${build_s}s, boot to suite ${booted_s:-?}s, boot to result ${result_s}s, whole run ${total_s}s"
    exit "$rc"
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    echo "$prog: error: no result line from the guest within ${timeout_s}s (qemu killed): $([ -n "$booted_s" ] && echo "the suite hung or is too slow under TCG (raise --timeout)" || echo "the guest did not boot")" >&2
    exit 124
fi
echo "$prog: error: the guest stopped (qemu rc=$qrc) without a result line: $([ -n "$booted_s" ] && echo "init died while the suite ran" || echo "the guest did not boot / init failed"); see the console above" >&2
exit 125
