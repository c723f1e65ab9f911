#!/bin/bash
# The package part: make distcheck; the Debian package built from make
# dist's files with dpkg-buildpackage -us -uc -b and checked by lintian;
# installed (/usr/bin: an oci-rt in /usr/local/bin stays as it is), its man
# pages read, its bash and zsh completion driven, removed.
#
#   tests/package/run.sh [--tap] [BATS-FILE...]
#
# Needs root (dpkg -i) and a configured tree (tests/run.sh configures it):
# exit 77 (skip) when not root. Installs the packaging tools and the
# Build-Depends. Leaves nothing behind: its work directory goes, the package
# is removed, and it refuses to touch an oci-rt package installed before.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/bats_runner.sh
source "$here/../lib/bats_runner.sh"
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
    echo "SKIP package: dpkg -i needs root"
    exit 77
fi
[ -f "$repo/Makefile" ] || {
    echo "run.sh: $repo is not configured (./autogen.sh && ./configure)" >&2
    exit 2
}

bats_runner_args "$@"
[ ${#files[@]} -gt 0 ] || files=("$here/build.bats" "$here/install.bats")

apt_get() {
    apt-get -o DPkg::Lock::Timeout=300 -y -qq "$@" >/dev/null
}
need="build-essential dpkg-dev fakeroot debhelper lintian man-db groff-base bash-completion zsh
      bats jq busybox-static"
# shellcheck disable=SC2086
if ! dpkg -s $need >/dev/null 2>&1; then
    apt_get update
    # shellcheck disable=SC2086
    apt_get install --no-install-recommends $need || exit 2
fi
# the Build-Depends of debian/control
if ! (cd "$repo" && dpkg-checkbuilddeps >/dev/null 2>&1); then
    apt_get build-dep "$repo" || exit 2
fi

work=$(mktemp -d /var/tmp/oci-rt-pkg.XXXXXX) || exit 2
chmod 755 "$work" # make distcheck runs as nobody
trap 'rm -rf "$work"' EXIT
export PKG_WORK=$work

rc=0
bats_runner_run package || rc=$?
# the package is gone again (install.bats removes it)
if [ -f "$work/installed-by-test" ] && dpkg-query -W -f '${Status}' oci-rt 2>/dev/null |
    grep -q ' installed'; then
    echo "run.sh: the oci-rt package is still installed: removing it" >&2
    dpkg -r oci-rt >/dev/null
    rc=1
fi
exit "$rc"
