#!/bin/bash
# Quick start on a fresh Debian 12 machine, as root: install the build
# dependencies, build and install oci-rt, make a default bundle and run a
# container from it with the lifecycle trace on, then show the trace.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
deps="gcc libc6-dev make autoconf automake pkg-config libseccomp-dev libcap-dev libyajl-dev
      libmount-dev libbpf-dev clang llvm libsystemd-dev check busybox-static git
      ca-certificates"
# shellcheck disable=SC2086
if ! dpkg -s $deps >/dev/null 2>&1; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $deps >/dev/null
fi
./autogen.sh >/dev/null
./configure -q
make -s -j"$(nproc)"
make -s install
bundle=build/demo-bundle
contrib/mkbundle.sh "$bundle" /usr/local/bin/oci-rt
trace=build/demo.trace
rm -f "$trace"
echo "== oci-rt --trace $trace run --bundle $bundle demo"
/usr/local/bin/oci-rt --trace "$trace" run --bundle "$bundle" "demo-$$"
echo
echo "== oci-rt trace $trace"
/usr/local/bin/oci-rt trace "$trace"
echo
echo "Perfetto / chrome://tracing: oci-rt trace --format chrome $trace > demo.json"
