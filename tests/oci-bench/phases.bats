#!/usr/bin/env bats
# oci-bench --phases: oci-rt's and runc's lifecycle commands under
# `oci-rt profile`, in profiled rounds after the timed ones. One run (in
# setup_file, -w lifecycle, 3 profiled rounds) is checked: the JSON against
# its schema and for the profile phases of both runtimes (the phases the
# profile's own tests expect, runc's stages matched to oci-rt's processes by
# role, each process's rows adding up to its life), the HTML section, the
# terminal table, the progress line, the rounds said. Then: a profiler that
# cannot load (the run goes on without phases and says so), and the errors.

load helpers

setup_file() {
    need_root_and_tools
    command -v runc >/dev/null || return 0 # each test says SKIP
    export RUN=$BATS_FILE_TMPDIR/run
    mkdir -p "$RUN/work"
    local t0=$SECONDS
    "$OCI_BENCH" --quick -w lifecycle --phases --phase-rounds 3 --workdir "$RUN/work" \
        --runtime "oci-rt=$OCI_RT" --runtime runc=runc \
        --json "$RUN/out.json" --html "$RUN/out.html" \
        >"$RUN/stdout" 2>"$RUN/stderr" </dev/null
    echo $? >"$RUN/status"
    echo "# oci-bench --quick --phases (oci-rt, runc): $((SECONDS - t0)) s, status $(cat "$RUN/status")" >&3
}

setup() {
    need_root_and_tools
}

need_run() {
    command -v runc >/dev/null || skip "runc is not installed (tests/oci-bench/run.sh installs it)"
}

# has_phases RUNTIME OP ROLE PHASE...: the profile of RUNTIME has each PHASE
# in the process row of that role for step OP, in at least one round
has_phases() {
    local rt=$1 op=$2 role=$3 p missing=() have
    shift 3
    have=$(jq -r --arg rt "$rt" --arg op "$op" --arg role "$role" \
        '.profile.runtimes[$rt].ops[$op][] | select(.role == $role and .n >= 1) | .phase' \
        "$RUN/out.json")
    for p in "$@"; do
        grep -qxF -- "$p" <<<"$have" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] || {
        echo "$rt $op $role: missing phases: ${missing[*]}" >&2
        echo "it has: $(tr '\n' ',' <<<"$have")" >&2
        false
    }
}

@test "--phases: the run ends with status 0, profiled rounds said on the progress line, nothing left" {
    need_run
    cat "$RUN/stderr" >&2
    [ "$(cat "$RUN/status")" = 0 ]
    grep -Eq '^\[ *[0-9]+:[0-9]{2}\] lifecycle +runc +profiled 3/3$' "$RUN/stderr"
    grep -Eq '^\[ *[0-9]+:[0-9]{2}\] lifecycle +oci-rt +profiled 1/3$' "$RUN/stderr"
    assert_nothing_left "$RUN/work"
    [ -z "$(ls -A "$RUN/work")" ]
}

@test "--phases: the JSON validates; the schema rejects a profile phase without its role" {
    need_run
    validate_json "$RUN/out.json"
    jq 'del(.profile.runtimes.runc.ops.run[0].role)' "$RUN/out.json" >"$RUN/bad.json"
    run ! validate_json "$RUN/bad.json"
    jq '.profile.runtimes.runc.source = "trace"' "$RUN/out.json" >"$RUN/bad.json"
    run ! validate_json "$RUN/bad.json"
}

@test "--phases: which rounds were profiled; the timed totals hold the timed rounds only" {
    need_run
    local j=$RUN/out.json
    jq -e '.profile | .status == "ok" and .error == null and .rounds == 3 and
        .rounds_planned == 3 and (.schedule | test("after the timed lifecycle rounds"))' "$j"
    jq -e --arg p "$(readlink -f "$OCI_RT")" '.profile.profiler == $p' "$j"
    # 5 timed rounds (--quick), whatever the profiled rounds
    jq -e '[.workloads.lifecycle.metrics[].results[].n] | all(. == 5)' "$j"
    jq -e '.profile.runtimes | keys == ["oci-rt", "runc"]' "$j"
    jq -e '[.profile.runtimes[] | .source == "profile" and .error == null] | all' "$j"
    # oci-rt's own trace phases are still there, beside its profile ones
    jq -e '.phases | keys == ["oci-rt"] and .["oci-rt"].source == "trace"' "$j"
}

@test "--phases: oci-rt's profile has the phases the profile's tests expect, per step" {
    need_run
    has_phases oci-rt run runtime "exec and dynamic loading" "config parse" "exec stub memfd" \
        "state directory and lock" "cgroup create" "sync channels" "clone init" \
        "cgroup devices" "state write" "cgroup remove" "state remove"
    has_phases oci-rt run init "rootfs prepare" "mount /proc" "mount /dev" "mount /dev/pts" \
        "mount /sys" "pivot_root" "readonly and masked paths" "root read-only" "capabilities" \
        "user and groups" "execve" "container process"
    has_phases oci-rt create runtime "config parse" "cgroup create" "clone init" "state write"
    has_phases oci-rt create init "mount /proc" "pivot_root"
    has_phases oci-rt start runtime "exec and dynamic loading" "lock and read state"
    has_phases oci-rt kill runtime "lock and read state" "kill"
    has_phases oci-rt delete runtime "lock and read state" "cgroup remove" "state remove"
}

@test "--phases: runc's profile has its stages, its INIT matched to the role init" {
    need_run
    has_phases runc run runtime "exec and dynamic loading" "config parse" "cgroup create" \
        "cgroup join" "state directory and lock" "state write" "sync channels" \
        "clone process" "cgroup devices" "state remove"
    has_phases runc run "runc:[0:PARENT]" "runtime binary copy" "exec and dynamic loading" \
        "clone process"
    has_phases runc run "runc:[1:CHILD]" "unshare mnt,uts,ipc,pid,net" "clone process"
    has_phases runc run init "rootfs prepare" "mount /proc" "mount /dev" \
        "mount /sys/fs/cgroup" "devices" "pivot_root" "readonly and masked paths" \
        "root read-only" "hostname" "capabilities" "user and groups" "execve" \
        "container process"
    jq -e '[.profile.runtimes.runc.ops.run[] | select(.role == "init") | .process] | unique ==
        ["runc:[2:INIT]"]' "$RUN/out.json"
    has_phases runc create init "pivot_root"
    has_phases runc kill runtime "kill"
    has_phases runc delete runtime "state remove"
}

@test "--phases: p50 <= max; each process's whole life in every round; its rows add up to it" {
    need_run
    local j=$RUN/out.json
    jq -e '[.profile.runtimes[].ops[][] | .n >= 1 and .n <= 3 and .min <= .p50 and
        .p50 <= .max and .depth == 0] | all' "$j"
    # the command's own process and the container's init live in every round
    jq -e '[.profile.runtimes[].ops.run[] | select(.phase == "(whole life)" and
        (.role == "runtime" or .role == "init")) | .n] == [3, 3, 3, 3]' "$j"
    # over the rounds, the rows of a process add up to its whole life (the
    # profile's rows cover each process's life, and nothing is lost here)
    "$DEB_PYTHON" - "$j" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
for rt, v in d["profile"]["runtimes"].items():
    for op, items in v["ops"].items():
        procs = {}
        for it in items:
            procs.setdefault(it["process"], []).append(it)
        for proc, its in procs.items():
            life = [i for i in its if i["phase"] == "(whole life)"]
            total = sum(i["mean"] * i["n"] for i in its if i["phase"] != "(whole life)")
            if len(life) != 1 or abs(total - life[0]["mean"] * life[0]["n"]) > 1e-3 * total + 1e-3:
                bad.append(f"{rt} {op} {proc}: rows {total:.4f} ms, life {life}")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

@test "--phases: the HTML compares the runtimes phase by phase" {
    need_run
    local h=$RUN/out.html
    grep -q "<section id='profile'>" "$h"
    # a grouped bar chart per step, and the tables of every row
    [ "$(grep -c "<svg class='pc'" "$h")" -eq 5 ]
    grep -q "aria-label='run phases'" "$h"
    grep -q "<summary>run: every process row and phase" "$h"
    grep -q "init is <code>runc:\[2:INIT\]</code> in runc" "$h"
    grep -q "oci-rt trace</th>" "$h"
    grep -q "in 3 profiled rounds of their own" "$h"
    run ! grep -Eq '<script|<link |src=|https?://' "$h"
}

@test "--phases: the terminal has the compact phase table, runc beside oci-rt" {
    need_run
    local o=$RUN/stdout
    sed -n '/^phases side by side/,/^wall time/p' "$o" >&2
    grep -q '^phases side by side (--phases): .* in 3 profiled rounds after the$' "$o"
    grep -Eq '^  step +process +phase +oci-rt +runc +oci-rt trace *$' "$o"
    local n='[0-9.]+ / [0-9.]+'
    grep -Eq "^  run +runtime +\(whole life\) +$n +$n" "$o"
    grep -Eq "^  create +init +\(whole life\) +$n +$n" "$o"
    grep -Eq "^  run +runc:\[0:PARENT\] +\(whole life\) +- +$n" "$o"
    local step
    for step in create start kill delete; do
        grep -Eq "^  $step +runtime +\(whole life\) +$n +$n" "$o"
    done
}

@test "--phases: a profiler that cannot load: one line, the run goes on without phases, the report says so" {
    local d=$BATS_TEST_TMPDIR
    mkdir -p "$d/work"
    # stands for an oci-rt on a kernel without BTF
    printf '#!/bin/sh\necho "oci-rt: profile: load the BPF programs: no BTF here" >&2\nexit 1\n' \
        >"$d/oci-rt-nobtf"
    chmod +x "$d/oci-rt-nobtf"
    run --separate-stderr "$OCI_BENCH" -w lifecycle --rounds 1 --warmup 0 --quiet --phases \
        --profiler "$d/oci-rt-nobtf" --workdir "$d/work" --runtime "oci-rt=$OCI_RT" \
        --json "$d/out.json" --html "$d/out.html"
    echo "$stderr" >&2
    [ "$status" -eq 0 ]
    [ "$stderr" = "oci-bench: --phases: oci-rt profile cannot run here, the run goes on without profile phases: oci-rt-nobtf: exit status 1: oci-rt: profile: load the BPF programs: no BTF here" ]
    validate_json "$d/out.json"
    jq -e '.profile | .status == "unavailable" and (.error | test("no BTF here")) and
        .rounds == 0 and .runtimes == {}' "$d/out.json"
    jq -e '.workloads.lifecycle.metrics.run.results["oci-rt"].n == 1' "$d/out.json"
    jq -e '.notes | any(test("no profile phases"))' "$d/out.json"
    grep -q "No profile phases: oci-rt profile cannot run here: .*no BTF here" "$d/out.html"
    grep -q '^phases side by side (--phases): none, oci-rt profile cannot run here' <<<"$output"
    assert_nothing_left "$d/work"
}

@test "--phases: bad usage and no root: one line each" {
    local W=$BATS_TEST_TMPDIR/work
    mkdir -p "$W"
    local -a cases=(
        "--profiler $OCI_RT|oci-bench: --profiler: only with --phases"
        "--phase-rounds 2|oci-bench: --phase-rounds: only with --phases"
        "--phases --phase-rounds 0|oci-bench: --phase-rounds: expected N >= 1, got \"0\""
        "--phases -w cpu|oci-bench: --phases: profiles the lifecycle workload, which is not selected (-w lifecycle)"
        "--phases --engine docker|oci-bench: --phases: direct mode only (an engine's daemon runs the runtime, not oci-bench)"
        "--phases --profiler /no/such/oci-rt|oci-bench: --profiler: \"/no/such/oci-rt\" not found"
    )
    local c args
    for c in "${cases[@]}"; do
        args=${c%%|*}
        # shellcheck disable=SC2086
        run --separate-stderr "$OCI_BENCH" --workdir "$W" --runtime runc=runc $args
        [ "$status" -eq 2 ] && [ "$stderr" = "${c#*|}" ] || {
            echo "$args: status $status, '$stderr'" >&2
            return 1
        }
    done
    run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$OCI_BENCH" --workdir "$W" --phases --runtime "oci-rt=$OCI_RT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "oci-bench: needs root (it runs containers and makes network namespaces and cgroups; --phases loads BPF programs through oci-rt profile)" ]
    assert_nothing_left "$W"
}
