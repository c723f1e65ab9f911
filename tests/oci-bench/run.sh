#!/bin/bash
# The tests of oci-bench (the `bench` part of tests/run.sh):
#   tests/oci-bench/run.sh [BATS-FILE...]    (default: every .bats file here)
#
# Installs what they need (Debian packages: the programs of the workloads'
# rootfs, the runtimes compared, the engines, a headless Chromium for the
# screenshot of the report and python3-jsonschema for the JSON schema),
# builds oci-rt and oci-bench if needed, runs the files, then checks that
# nothing of oci-bench's is left on the host (anything named ocibench*:
# processes, cgroups, network namespaces, veths, mounts).
# Environment: OCI_BENCH, OCI_RT (binaries to test), OCI_BENCH_SCREENSHOT
# (copy the report's screenshot there).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.." || exit 1
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" = 0 ] || {
    echo "tests/oci-bench/run.sh: needs root (oci-bench runs containers)" >&2
    exit 1
}

need="bats jq iproute2 gcc libc6-dev sysbench iperf3 runc crun chromium fonts-dejavu-core
      python3 python3-jsonschema python3-pil docker.io podman containerd"
# shellcheck disable=SC2086
if ! dpkg -s $need >/dev/null 2>&1; then
    echo "=== installing: $(echo $need)"
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null || exit 1
fi
if [ -z "${OCI_BENCH:-}" ]; then
    if [ ! -f Makefile ]; then
        { ./autogen.sh >/dev/null && ./configure -q; } || exit 1
    fi
    make -s -j"$(nproc)" oci-rt oci-bench >/dev/null || exit 1
fi

files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/direct.bats "$here"/phases.bats "$here"/interrupt.bats "$here"/errors.bats
    "$here"/engines.bats)

# shellcheck source=helpers.bash
source "$here/helpers.bash"
before=$(leftovers)

t0=$SECONDS
rc=0
bats --tap --timing "${files[@]}" || rc=$?
echo "# oci-bench tests: $((SECONDS - t0)) s, status $rc"

left=$(comm -13 <(sort <<<"$before") <(leftovers | sort))
if [ -n "$left" ]; then
    echo "tests/oci-bench/run.sh: the tests left this behind:" >&2
    echo "$left" >&2
    [ "$rc" -ne 0 ] || rc=1
else
    echo "# nothing of oci-bench left on the host"
fi
exit "$rc"
