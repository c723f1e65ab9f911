#!/bin/bash
# The whole test suite: installs what the tests need (Debian packages),
# builds oci-rt if needed, then runs every part and says which failed.
#   tests/run.sh [PART...]   parts: unit integration security vm clients bench package faults asan systemd
#   (default: all of them)
#
# Each part's output is shown as it runs and kept. At the end a summary
# says per part whether it passed, failed or skipped as a whole, with its
# number of results, skips and seconds, then lists every skip with its
# reason: bats' '# skip' results and '# skip part:' lines (a test that left
# out some of its checks), Automake's SKIP results (the reason from the
# program's log), the same from the guests (lines "guest| ..."), and the
# parts' own "SKIP: ..." messages.
#
# A part skipped as a whole (it exited 77, or every result it had was a
# skip) fails the suite: the parts install what they need, so on a CI
# machine each must run. A machine that cannot run a part (say no qemu for
# vm and systemd) names it in OCI_RT_TESTS_MAY_SKIP="vm systemd": then its
# skip is listed and does not fail.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
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

# ------------------------------------------------------------ the parts
# Each prints what it does and returns its status (77: it cannot run here).

part_unit() { make -s check; }
part_integration() { tests/integration/run.sh; }
part_security() { tests/security/run.sh; }
part_clients() { tests/clients/run.sh; }
part_bench() { tests/oci-bench/run.sh; } # oci-bench, the side-by-side tool
# make distcheck, the .deb (lintian), installed: man pages, completion
part_package() { tests/package/run.sh --tap; }
# oci-rt killed at every span boundary and at random instants, then a soak
# of 1000 containers with random kills
part_faults() {
    tests/faults/run.sh || return
    tests/faults/soak.sh 1000
}
part_asan() { tests/asan/run.sh; } # integration tests on a sanitizer build
# the cgroup v2 suite and the crash tests in a qemu guest (77: no
# qemu/kernel)
part_vm() {
    tests/vm/cgroups-in-guest.sh || return
    tests/vm/faults-in-guest.sh
}
# the systemd guest (systemd driver, engines with systemd cgroups,
# checkpoint/restore), then booted again with systemd's hybrid layout for
# the driver on cgroup v1 (77: no qemu/kernel)
part_systemd() {
    tests/vm/systemd-guest.sh || return
    tests/vm/systemd-guest.sh --cgroup hybrid tests/vm/systemd-suite.sh tests/vm/systemd/driver-v1.bats
}

# ------------------------------------------------------------ skips

# scan PART FILE: one line per skip found in a part's output,
# "PART: WHAT: REASON", then a last line "results=N skipped=N plan0=0|1".
scan() {
    awk -v part="$1" '
        function show(what, why) { print part ": " what ": " (why == "" ? "(no reason given)" : why) }
        {
            line = $0
            sub(/\r$/, "", line)
            sub(/^guest\| /, "", line) # a guest console
        }
        line ~ /^# skip part: / { pending[np++] = substr(line, 14); next }
        line ~ /^(not )?ok [0-9]+/ {
            results++
            name = line
            sub(/^(not )?ok [0-9]+ (- )?/, "", name)
            if (match(name, / # [Ss][Kk][Ii][Pp]( |$)/)) {
                why = substr(name, RSTART + RLENGTH)
                name = substr(name, 1, RSTART - 1)
                if (line ~ /^ok /) { skipped++; show(name, why) }
            }
            for (i = 0; i < np; i++) show(name, "part skipped: " pending[i])
            np = 0
            next
        }
        line ~ /^1\.\.0( |$)/ {
            plan0 = 1
            why = line
            sub(/^1\.\.0 *(# *[Ss][Kk][Ii][Pp] *)?/, "", why)
            show("a whole file", why)
            next
        }
        line ~ /^(PASS|FAIL|XFAIL|XPASS|ERROR): [^ ]+$/ { results++; next }
        line ~ /^SKIP: [^ ]+$/ {
            # Automake: the program said why in its log ("SKIP: reason")
            log_file = substr(line, 7) ".log"
            why = ""
            while ((getline l < log_file) > 0)
                if (l ~ /^SKIP: /) { why = substr(l, 7); break }
            close(log_file)
            results++
            skipped++
            show(substr(line, 7), why)
            next
        }
        line ~ /^SKIP:? / {
            why = line
            sub(/^SKIP:? /, "", why)
            show("SKIP", why)
            last_skip = why
        }
        END {
            for (i = 0; i < np; i++) show("(after the last test)", "part skipped: " pending[i])
            printf "results=%d skipped=%d plan0=%d last=%s\n", results, skipped, plan0, last_skip
        }' "$2"
}

may_skip() {
    case " ${OCI_RT_TESTS_MAY_SKIP:-} " in *" $1 "*) return 0 ;; esac
    return 1
}

# ------------------------------------------------------------ run

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(unit integration security vm clients bench package faults asan systemd)
logs=$(mktemp -d /tmp/oci-rt-tests.XXXXXX) || exit 1
trap 'rm -rf "$logs"' EXIT
failed=() allowed=() status_lines=()
: >"$logs/skips"
for part in "${parts[@]}"; do
    echo "=== $part"
    if ! declare -F "part_$part" >/dev/null; then
        echo "unknown part $part"
        failed+=("$part")
        status_lines+=("$part: unknown part")
        continue
    fi
    start=$SECONDS
    "part_$part" 2>&1 | tee "$logs/$part.out"
    rc=${PIPESTATUS[0]}
    secs=$((SECONDS - start))
    scan "$part" "$logs/$part.out" >"$logs/$part.scan"
    counts=$(tail -n 1 "$logs/$part.scan")
    sed '$d' "$logs/$part.scan" >>"$logs/skips"
    results=$(sed -n 's/^results=\([0-9]*\) .*/\1/p' <<<"$counts")
    skipped=$(sed -n 's/.* skipped=\([0-9]*\) .*/\1/p' <<<"$counts")
    plan0=$(sed -n 's/.* plan0=\([0-9]\) .*/\1/p' <<<"$counts")
    last=$(sed -n 's/.* last=//p' <<<"$counts")
    whole=""
    if [ "$rc" = 77 ]; then
        whole="exit status 77${last:+: $last}"
    elif [ "$rc" = 0 ] && [ "$results" -gt 0 ] && [ "$skipped" = "$results" ]; then
        whole="all $results results skipped"
    elif [ "$rc" = 0 ] && [ "$results" = 0 ] && [ "$plan0" = 1 ]; then
        whole="no test ran (a 1..0 plan)"
    fi
    what="$results results, $skipped skipped, ${secs} s"
    if [ -n "$whole" ]; then
        if may_skip "$part"; then
            status_lines+=("$part: skipped as a whole ($whole; allowed by OCI_RT_TESTS_MAY_SKIP)")
            allowed+=("$part")
        else
            status_lines+=("$part: SKIPPED AS A WHOLE ($whole): it must run here")
            failed+=("$part")
        fi
    elif [ "$rc" != 0 ]; then
        status_lines+=("$part: FAILED (status $rc; $what)")
        failed+=("$part")
    else
        status_lines+=("$part: passed ($what)")
    fi
done

echo
echo "=== summary"
printf '%s\n' "${status_lines[@]}"
n=$(grep -c . "$logs/skips")
echo
if [ "$n" -gt 0 ]; then
    echo "skips ($n):"
    sed 's/^/  /' "$logs/skips"
else
    echo "skips: none"
fi
echo
cd "$top" || true
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
if [ ${#allowed[@]} -gt 0 ]; then
    echo "passed, but skipped as a whole (allowed by OCI_RT_TESTS_MAY_SKIP): ${allowed[*]}"
else
    echo "all passed: ${parts[*]}"
fi
