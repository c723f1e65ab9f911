#!/bin/bash
# mkrootfs.sh DIR [--tar FILE]
#
# Builds a minimal test root filesystem in DIR: a static busybox (Debian's
# busybox-static) with applet symlinks in /bin and /sbin, the static helper
# /usr/bin/ocitest (built from tests/helper/ocitest.c), /etc/passwd, /etc/group
# and the usual empty directories.  Idempotent: when DIR/.mkrootfs-stamp
# matches the sha256 of ocitest.c, busybox and this script, nothing is redone.
# --tar FILE also writes a tarball of the rootfs (for docker/podman import).
#
# Environment: BUSYBOX (default /bin/busybox), CC (default gcc).
set -euo pipefail

STAMP_NAME=.mkrootfs-stamp

die() {
    echo "mkrootfs: error: $*" >&2
    exit 1
}

log() {
    echo "mkrootfs: $*" >&2
}

usage() {
    echo "usage: $0 DIR [--tar FILE]" >&2
    exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/../helper/ocitest.c"
busybox=${BUSYBOX:-/bin/busybox}
cc=${CC:-gcc}
dir=""
tarfile=""

while [ $# -gt 0 ]; do
    case "$1" in
    --tar)
        [ $# -ge 2 ] || usage
        tarfile=$2
        shift 2
        ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
        [ -z "$dir" ] || usage
        dir=$1
        shift
        ;;
    esac
done
[ -n "$dir" ] || usage

is_static() {
    [ -x "$1" ] || return 1
    if command -v file >/dev/null 2>&1; then
        file -L "$1" | grep -q 'statically linked'
    else
        if ldd "$1" >/dev/null 2>&1; then return 1; fi
    fi
}

ensure_busybox() {
    is_static "$busybox" && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing busybox-static"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q busybox-static >&2 ||
            { apt-get update -q >&2 && apt-get install -y -q busybox-static >&2; } ||
            die "apt-get install busybox-static failed"
    fi
    is_static "$busybox" ||
        die "$busybox is not a static busybox; install Debian's busybox-static"
}

check_tools() {
    command -v "$cc" >/dev/null 2>&1 || die "compiler '$cc' not found; install gcc (and libc6-dev)"
    command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found"
    [ -f "$src" ] || die "helper source $src not found"
    ensure_busybox
}

sha() {
    sha256sum "$1" | cut -d' ' -f1
}

stamp_text() {
    printf 'ocitest.c %s\nbusybox %s\nmkrootfs.sh %s\n' \
        "$(sha "$src")" "$(sha "$busybox")" "$(sha "${BASH_SOURCE[0]}")"
}

make_dirs() {
    local d
    for d in bin sbin usr/bin etc proc sys dev run mnt var root home/tester; do
        mkdir -p "$dir/$d"
    done
    mkdir -p "$dir/tmp"
    chmod 1777 "$dir/tmp"
    chmod 0700 "$dir/root"
    if [ "$(id -u)" = 0 ]; then
        chown 1000:1000 "$dir/home/tester"
    else
        log "warning: not root, /home/tester is not owned by 1000:1000"
    fi
}

install_busybox() {
    local applet name
    # Only remove links that this script made, never anything else.
    find "$dir/bin" "$dir/sbin" -maxdepth 1 -type l \
        \( -lname busybox -o -lname ../bin/busybox \) -delete
    install -m 0755 "$busybox" "$dir/bin/busybox"
    while read -r applet; do
        name=${applet##*/}
        if [ -z "$name" ] || [ "$name" = busybox ]; then continue; fi
        case "$applet" in
        sbin/* | usr/sbin/*) [ -e "$dir/sbin/$name" ] || ln -s ../bin/busybox "$dir/sbin/$name" ;;
        *) [ -e "$dir/bin/$name" ] || ln -s busybox "$dir/bin/$name" ;;
        esac
    done < <("$busybox" --list-full)
    [ -L "$dir/bin/sh" ] || die "busybox has no sh applet"
}

build_ocitest() {
    local out="$dir/usr/bin/.ocitest.new"
    "$cc" -static -O2 -Wall -Wextra -Werror -o "$out" "$src" ||
        die "building ocitest failed (static libc needed: install libc6-dev)"
    mv -f "$out" "$dir/usr/bin/ocitest"
}

write_etc() {
    cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$dir/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
tty:x:5:
tester:x:1000:
extra:x:2000:tester
nogroup:x:65534:
EOF
    echo ocitest >"$dir/etc/hostname"
    : >"$dir/etc/hosts"
    : >"$dir/etc/resolv.conf"
    chmod 0644 "$dir/etc/passwd" "$dir/etc/group" "$dir/etc/hostname" \
        "$dir/etc/hosts" "$dir/etc/resolv.conf"
}

write_tar() {
    local tmp="$tarfile.tmp.$$"
    tar --numeric-owner --exclude="./$STAMP_NAME" -C "$dir" -cf "$tmp" . ||
        die "writing $tarfile failed"
    mv -f "$tmp" "$tarfile"
    log "wrote $tarfile"
}

main() {
    umask 022
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    [ "$dir" != / ] || die "refusing to build a rootfs in /"
    if command -v flock >/dev/null 2>&1; then
        exec 9<"$dir"
        flock 9
    fi

    local stamp="$dir/$STAMP_NAME" want
    want=$(stamp_text)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        if [ -n "$tarfile" ] && { [ ! -f "$tarfile" ] || [ "$stamp" -nt "$tarfile" ]; }; then
            write_tar
        fi
        return 0
    fi

    # tools are needed only to build (an up-to-date rootfs needs none: the
    # cgroup v2 guest has no compiler)
    check_tools
    want=$(stamp_text)
    log "building rootfs in $dir"
    rm -f "$stamp"
    make_dirs
    install_busybox
    build_ocitest
    write_etc
    printf '%s\n' "$want" >"$stamp"
    [ -z "$tarfile" ] || write_tar
}

main
