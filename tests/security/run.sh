#!/bin/bash
# Runs the oci-rt security tests (tests/security/*.bats) with the
# integration runner: the same helpers (tests/integration/helpers.bash), a
# snapshot of the binary, and the same check that nothing was left behind.
#
#   tests/security/run.sh [--tap] [BATS-FILE...]
#
# Environment: as tests/integration/run.sh (OCI_RT, OCI_RT_TEST_CACHE,
# BATS_TEST_TIMEOUT).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
args=()
files=0
for a in "$@"; do
    case $a in
    --*) args+=("$a") ;;
    *)
        args+=("$a")
        files=1
        ;;
    esac
done
[ "$files" -eq 1 ] || args+=("$here"/*.bats)
exec "$here/../integration/run.sh" "${args[@]}"
