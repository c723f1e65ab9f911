#!/bin/bash
# Crash consistency: oci-rt SIGKILLed in the middle of each lifecycle
# command, at every span boundary of the runtime process (its test hook
# OCI_RT_FAULT_AT) and at random instants, then state, list, a second start
# and delete --force are checked, and that nothing is left (tests/faults/
# crashtest.c says what exactly).
#
#   tests/faults/run.sh [-r REPEATS] [-n TIMEKILLS] [COMMAND...]
#     commands: create run start delete kill exec (default: all)
#     REPEATS: kills per span point (default: per command, so that each gets
#     a hundred or more: create 2, run 2, start 25, delete 12, kill 25,
#     exec 3 (a delete after a killed exec waits for the kernel to empty the
#     pid namespace, ~2 s)); TIMEKILLS: kills at random instants per command
#     (default 100)
#
# Environment: OCI_RT (the binary, default <repo>/oci-rt), OCI_RT_TEST_CACHE
# (the test rootfs), CRASHTEST (a prebuilt crashtest; the guest has no
# compiler), FAULTS_NO_SPANS=1 (only time kills: a runtime without the hook).
# Prints a table (command, kills, span points, leaks, lies); exits 1 on any.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
OCI_RT=${OCI_RT:-$repo/oci-rt}
cache=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
repeats= timekills=100
while getopts r:n: o; do
    case $o in
    r) repeats=$OPTARG ;;
    n) timekills=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- create run start delete kill exec
[ "$(id -u)" = 0 ] || { echo "SKIP: the crash tests need root"; exit 77; }

work=$(mktemp -d /tmp/ocfault.XXXXXX)
cleanup() {
    for d in "$work"/root/*/; do
        [ -d "$d" ] && "$OCI_RT" --root "$work/root" delete --force "$(basename "$d")" >/dev/null 2>&1
    done
    rm -rf "$work"
}
trap cleanup EXIT

crashtest=${CRASHTEST:-}
if [ -z "$crashtest" ]; then
    crashtest=$work/crashtest
    ${CC:-gcc} -O2 -Wall -Werror -static -o "$crashtest" "$here/crashtest.c" ||
        { echo "error: cannot build crashtest"; exit 1; }
fi
if [ ! -x "$cache/rootfs/bin/sh" ]; then
    bash "$repo/tests/lib/mkrootfs.sh" "$cache/rootfs" >/dev/null || exit 1
fi
bundle=$work/bundle
mkdir -p "$bundle/out" "$work/root"
"$OCI_RT" spec --bundle "$bundle" || exit 1
jq --arg r "$cache/rootfs" --arg out "$bundle/out" '
    .process.terminal = false | .root.path = $r | .hostname = "@ID@"
    | .process.args = ["/bin/sh", "-c", "echo started >/out/@ID@; exec sleep 600"]
    | .process.env += ["FAULT_TAG=@ID@"]
    | .mounts += [{"destination": "/out", "type": "bind", "source": $out, "options": ["rbind"]}]' \
    "$bundle/config.json" >"$bundle/config.template.json" || exit 1

spans=-s
[ "${FAULTS_NO_SPANS:-}" = 1 ] && spans=
rc=0
printf '%-8s %8s %12s %6s %6s\n' command kills span-points leaks lies
for c in "$@"; do
    start=$(date +%s)
    reps=$repeats
    if [ -z "$reps" ]; then
        case $c in
        start | kill) reps=25 ;;
        delete) reps=12 ;;
        exec) reps=3 ;;
        *) reps=2 ;;
        esac
    fi
    out=$("$crashtest" $spans -r "$reps" -n "$timekills" "$OCI_RT" "$work/root" "$bundle" "$c")
    r=$?
    grep '^#' <<<"$out" | head -20
    line=$(grep '^crashtest' <<<"$out")
    read -r _ _ _ k _ _ p _ l _ m <<<"${line//[,()]/ }"
    printf '%-8s %8s %12s %6s %6s   (%ss)\n' "$c" "$k" "$p" "$l" "$m" "$(($(date +%s) - start))"
    [ "$r" = 0 ] || rc=1
done
exit "$rc"
