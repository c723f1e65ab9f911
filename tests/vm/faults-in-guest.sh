#!/bin/bash
# The crash tests (tests/faults/run.sh) inside the pure cgroup v2 qemu guest:
# oci-rt killed at every span boundary and at random instants of create,
# start and delete there, then state, list, delete --force and nothing left
# (cgroup v2 paths: cgroup.kill, the v2 hierarchy only). crashtest is built
# statically here (the guest has no compiler).
#   tests/vm/faults-in-guest.sh [run-guest.sh OPTIONS...]
# Exits with the suite's status (77: no qemu/kernel, see run-guest.sh).
# Environment: GUEST_TIMEOUT (default 600), FAULTS_GUEST_ARGS (default
# "-n 10 create start delete").
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ct=$(mktemp -d /var/tmp/ocfg.XXXXXX) # (the guest mounts a tmpfs on /tmp)
trap 'rm -rf "$ct"' EXIT
gcc -O2 -Wall -Werror -static -o "$ct/crashtest" "$repo/tests/faults/crashtest.c" ||
    { echo "faults-in-guest: cannot build crashtest"; exit 1; }
start=$(date +%s)
# shellcheck disable=SC2086 # the arguments are words
"$here/run-guest.sh" --timeout "${GUEST_TIMEOUT:-600}" --include "$ct/crashtest" \
    --env "CRASHTEST=$ct/crashtest" "$@" "$repo/tests/faults/run.sh" \
    ${FAULTS_GUEST_ARGS:--n 10 create start delete}
rc=$?
echo "faults-in-guest: rc=$rc in $(($(date +%s) - start))s"
exit "$rc"
