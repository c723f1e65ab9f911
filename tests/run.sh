#!/bin/bash
# The whole test suite: installs what the tests need (Debian packages),
# builds oci-rt if needed, then runs every part and says which failed.
#   tests/run.sh [PART...]   parts: unit integration security vm clients bench faults asan systemd
#   (default: all of them)
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
export DEBIAN_FRONTEND=noninteractive

need="gcc libc6-dev make autoconf automake pkg-config libseccomp-dev libcap-dev libyajl-dev libmount-dev
      libbpf-dev clang llvm libsystemd-dev
      check busybox-static bats jq iproute2 python3 python3-jsonschema util-linux strace procps libcap2-bin
      runc crun bpftool valgrind"
# shellcheck disable=SC2086
if ! dpkg -s $need >/dev/null 2>&1; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null || exit 1
fi
if [ ! -x ./oci-rt ] || [ ! -f Makefile ]; then
    ./autogen.sh >/dev/null && ./configure -q || exit 1
fi
make -s -j"$(nproc)" || exit 1

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(unit integration security vm clients bench faults asan systemd)
failed=()
for part in "${parts[@]}"; do
    echo "=== $part"
    case $part in
        unit) make -s check || failed+=("$part") ;;
        integration) tests/integration/run.sh || failed+=("$part") ;;
        security) tests/security/run.sh || failed+=("$part") ;;
        clients) tests/clients/run.sh || failed+=("$part") ;;
        bench) tests/oci-bench/run.sh || failed+=("$part") ;; # oci-bench, the side-by-side tool
        # oci-rt killed at every span boundary and at random instants, then
        # a soak of 1000 containers with random kills
        faults) { tests/faults/run.sh && tests/faults/soak.sh 1000; } || failed+=("$part") ;;
        asan) tests/asan/run.sh || failed+=("$part") ;; # integration tests on a sanitizer build
        vm)
            # the cgroup v2 suite and the crash tests in a qemu guest; 77: no
            # qemu/kernel = skip
            tests/vm/cgroups-in-guest.sh
            rc=$?
            if [ "$rc" = 0 ]; then
                tests/vm/faults-in-guest.sh
                rc=$?
            fi
            if [ "$rc" = 77 ]; then
                echo "SKIP vm: no qemu or kernel image could be installed"
            elif [ "$rc" != 0 ]; then
                failed+=("$part")
            fi
            ;;
        systemd)
            # the systemd guest (systemd driver, engines with systemd
            # cgroups, checkpoint/restore), then booted again with systemd's
            # hybrid layout for the driver on cgroup v1; 77: no qemu/kernel
            start=$SECONDS
            tests/vm/systemd-guest.sh
            rc=$?
            if [ "$rc" = 0 ]; then
                tests/vm/systemd-guest.sh --cgroup hybrid tests/vm/systemd-suite.sh \
                    tests/vm/systemd/driver-v1.bats
                rc=$?
            fi
            echo "systemd: $((SECONDS - start))s"
            if [ "$rc" = 77 ]; then
                echo "SKIP systemd: no qemu or kernel image could be installed"
            elif [ "$rc" != 0 ]; then
                failed+=("$part")
            fi
            ;;
        *) echo "unknown part $part"; failed+=("$part") ;;
    esac
done
echo
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all passed: ${parts[*]}"
