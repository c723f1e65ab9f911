# shellcheck shell=bash
# The common part of the bats runners tests/integration/run.sh and
# tests/package/run.sh, which source it: repo (the top of the tree), their
# arguments "[--tap] [BATS-FILE...]" and the run of bats.

# shellcheck disable=SC2034 # the runners use it
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# bats_runner_args ARG...: sets format (bats' output: pretty on a terminal,
# else TAP; --tap: TAP) and files (the other arguments, in order).
bats_runner_args() {
    format=(--formatter pretty)
    [ -t 1 ] || format=(--tap)
    files=()
    local a
    for a in "$@"; do
        case $a in
        --tap) format=(--tap) ;;
        *) files+=("$a") ;;
        esac
    done
}

# bats_runner_run LABEL: bats on the files in that format, then the line
# "# LABEL: bats finished in Ns, status S" (without "LABEL: " when LABEL
# is empty); returns bats' status.
bats_runner_run() {
    local start=$SECONDS rc=0
    bats "${format[@]}" "${files[@]}" || rc=$?
    echo "# ${1:+$1: }bats finished in $((SECONDS - start))s, status $rc"
    return "$rc"
}
