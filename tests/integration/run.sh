#!/bin/bash
# Runs the oci-rt integration tests, then checks that nothing was left on the
# host: no oci-rt process, no mount of a test, no cgroup oci-rt* of ours.
#
#   tests/integration/run.sh [--tap] [BATS-FILE...]
#
# Environment: OCI_RT (binary, default <repo>/oci-rt), OCI_RT_TEST_CACHE
# (rootfs cache, default /var/tmp/oci-rt-test), BATS_TEST_TIMEOUT (per-test
# seconds, default 60).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/bats_runner.sh
source "$here/../lib/bats_runner.sh"
export OCI_RT=${OCI_RT:-$repo/oci-rt}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

bats_runner_args "$@"
[ ${#files[@]} -gt 0 ] || files=("$here"/*.bats)

command -v bats >/dev/null || {
    echo "run.sh: bats is not installed (apt-get install bats)" >&2
    exit 2
}
command -v jq >/dev/null || {
    echo "run.sh: jq is not installed (apt-get install jq)" >&2
    exit 2
}
[ -x "$OCI_RT" ] || {
    echo "run.sh: $OCI_RT is missing: build it first (make)" >&2
    exit 2
}

# Build the rootfs once, before any test file runs.
cache=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
mkdir -p "$cache"
bash "$repo/tests/lib/mkrootfs.sh" "$cache/rootfs" || exit 2

# Test a snapshot of the binary: a concurrent `make` may relink it mid-run.
bindir=$(mktemp -d "$cache/bin.XXXXXX") && chmod 755 "$bindir" || exit 2
trap 'rm -rf "$bindir"' EXIT
cp "$OCI_RT" "$bindir/oci-rt" || exit 2
# and the dynamic twin of a static oci-rt, which it looks for beside itself
if [ -x "$(dirname "$OCI_RT")/oci-rt-dynamic" ]; then
    cp "$(dirname "$OCI_RT")/oci-rt-dynamic" "$bindir/oci-rt-dynamic" || exit 2
fi
echo "# testing $OCI_RT ($(sha256sum "$OCI_RT" | cut -c1-12))"
OCI_RT=$bindir/oci-rt

# What existed before (another user of the machine may run oci-rt too).
snapshot() {
    {
        pgrep -a -f '(^|/)oci-rt( |$)' 2>/dev/null | awk '{ print "proc " $1 }'
        awk '$5 ~ /bats-run-|oci-rt/ { print "mount " $5 }' /proc/self/mountinfo
        find /sys/fs/cgroup/*/ -maxdepth 1 -type d -name 'oci-rt*' 2>/dev/null | sed 's/^/cgroup /'
        find /sys/fs/cgroup/*/oci-rt* -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sed 's/^/cgroup /'
    } | sort -u
}
before=$(snapshot)

rc=0
bats_runner_run "" || rc=$? # no label: "# bats finished in ..."

# Give a just-killed process a moment to go.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=$(comm -13 <(printf '%s\n' "$before") <(snapshot))
    [ -z "$left" ] && break
    sleep 0.2
done
if [ -n "$left" ]; then
    echo "run.sh: the tests left these behind:" >&2
    printf '%s\n' "$left" | while read -r kind what; do
        case $kind in
        proc) echo "  process $what: $(tr '\0' ' ' 2>/dev/null </proc/"$what"/cmdline)" >&2 ;;
        *) echo "  $kind $what" >&2 ;;
        esac
    done
    [ "$rc" -ne 0 ] || rc=1
else
    echo "# global check: no oci-rt process, mount or cgroup left"
fi
exit "$rc"
