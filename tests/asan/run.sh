#!/bin/bash
# The integration tests against a build of oci-rt with AddressSanitizer and
# UndefinedBehaviorSanitizer (a separate build tree, build-asan/): every
# report the sanitizers write goes to a log directory, and any report fails
# the part.
#   tests/asan/run.sh [BATS-FILE...]   (default: the files below)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build-asan
files=("$@")
# the whole lifecycle and the paths where memory is handled: parsing,
# state, hooks, seccomp plans, mounts, exec, cgroups, errors. Left to the
# plain integration part (the CI's 45 minutes: together 2 to 2.5 minutes
# here under the sanitizers): attrs, mounts2 and namespaces, whose tests
# check what the kernel did with values that the files above already
# parse and pass (tests/asan/run.sh attrs mounts2 namespaces runs them).
[ ${#files[@]} -gt 0 ] || files=(lifecycle errors exec hooks seccomp seccomp_profiles mounts
    process cli cgroups trace)
command -v gcc >/dev/null || { echo "SKIP: no gcc"; exit 77; }
# a copy of the sources (the tree itself is configured for the plain build,
# which rules out a VPATH build next to it)
mkdir -p "$build"
(cd "$repo" && git ls-files -co --exclude-standard | grep -v '^build-asan/' |
    tar -cf - -T - 2>/dev/null) | tar -xf - -C "$build" || exit 1
if [ ! -f "$build/Makefile" ]; then
    (cd "$build" && ./autogen.sh >/dev/null 2>&1 && ./configure -q \
        CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
        LDFLAGS="-fsanitize=address,undefined") || exit 1
fi
make -s -C "$build" -j"$(nproc)" >/dev/null || exit 1
logs=$(mktemp -d /tmp/ocasan.XXXXXX)
chmod 777 "$logs"
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=0:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=87"
paths=()
for f in "${files[@]}"; do paths+=("$repo/tests/integration/${f%.bats}.bats"); done
OCI_RT=$build/oci-rt "$repo/tests/integration/run.sh" "${paths[@]}"
rc=$?
# a report made in a container's init after its pivot cannot reach the log
# directory: those processes die with 86/87 and the tests see it
reports=$(find "$logs" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
    echo "asan: $reports sanitizer report(s):"
    for r in "$logs"/*; do
        echo "== $r"
        head -40 "$r"
    done
    rc=1
else
    echo "asan: no sanitizer report"
fi
rm -rf "$logs"
exit "$rc"
