#!/usr/bin/env bats
# oci-bench --quick in direct mode against oci-rt and runc: one run (in
# setup_file), then what it wrote is checked: the JSON against its schema
# and for its figures, the HTML for each section (and a headless Chromium's
# screenshot of it), the table on the terminal, the progress line, oci-rt's
# phases, and that nothing of the run is left on the host.

load helpers

setup_file() {
    need_root_and_tools
    export RUN=$BATS_FILE_TMPDIR/run
    mkdir -p "$RUN/work"
    local t0=$SECONDS
    "$OCI_BENCH" --quick --workdir "$RUN/work" \
        --runtime "oci-rt=$OCI_RT" --runtime runc=runc \
        --json "$RUN/out.json" --html "$RUN/out.html" \
        >"$RUN/stdout" 2>"$RUN/stderr" </dev/null
    echo $? >"$RUN/status"
    echo "# oci-bench --quick (oci-rt, runc): $((SECONDS - t0)) s, status $(cat "$RUN/status")" >&3
}

setup() {
    need_root_and_tools
}

@test "the quick run ends with status 0 and leaves nothing behind" {
    cat "$RUN/stderr" >&2
    [ "$(cat "$RUN/status")" = 0 ]
    assert_nothing_left "$RUN/work"
    # its work directory is gone, not only empty
    [ -z "$(ls -A "$RUN/work")" ]
}

@test "the JSON validates against bench/oci-bench.schema.json" {
    validate_json "$RUN/out.json"
    # and the schema rejects what it should: a statistic without its n
    jq 'del(.workloads.lifecycle.metrics.create.results.runc.n)' "$RUN/out.json" >"$RUN/bad.json"
    run ! validate_json "$RUN/bad.json"
}

@test "the JSON has every workload's figures for both runtimes, with their statistics" {
    local j=$RUN/out.json w
    [ "$(jq -r '.complete' "$j")" = true ]
    [ "$(jq -r '[.runtimes[].status] | join(",")' "$j")" = ok,ok ]
    for w in lifecycle cpu memory fileio syscall network density; do
        # every figure of the workload has n == its rounds for each runtime
        jq -e --arg w "$w" '.workloads[$w] as $x | $x.metrics | to_entries | length > 0 and
            all(.[]; (.value.results | keys) == ["oci-rt", "runc"] and
                all(.value.results[]; .n == $x.rounds and (.samples | length) == .n))' "$j" || {
            echo "workload $w:" >&2
            jq --arg w "$w" '.workloads[$w]' "$j" >&2
            return 1
        }
    done
    # lifecycle: 5 rounds in --quick; p50 <= p90 <= max, ratios to runc
    jq -e '.workloads.lifecycle.rounds == 5' "$j"
    jq -e '[.workloads[].metrics[].results[] | .min <= .p50 and .p50 <= .p90 and .p90 <= .p99
            and .p99 <= .max] | all' "$j"
    jq -e '.workloads.lifecycle.metrics.create.results.runc.ratio_p50 == 1' "$j"
    jq -e '.workloads.lifecycle.metrics.run.results["oci-rt"].ratio_p50 > 0' "$j"
    jq -e '.settings.baseline == "runc"' "$j"
    # plausible values: a network throughput, a syscall loop score
    jq -e '.workloads.network.metrics.throughput.results.runc.p50 > 0.01' "$j"
    jq -e '.workloads.syscall.metrics.lps.results["oci-rt"].p50 > 1000' "$j"
}

@test "oci-rt's phases come from its trace, with p50 and max for each step" {
    local j=$RUN/out.json op
    jq -e '.phases | keys == ["oci-rt"]' "$j"
    jq -e '.phases["oci-rt"].source == "trace"' "$j"
    # (a phase may be absent from a round: n counts the rounds that had it)
    for op in create start kill delete run; do
        jq -e --arg op "$op" '.phases["oci-rt"].ops[$op] | length > 0 and
            all(.[]; .n >= 1 and .n <= 5 and .p50 <= .max)' "$j"
    done
    jq -e '.phases["oci-rt"].ops.create | any(.phase == "cgroup create" and .n == 5)' "$j"
    jq -e '.phases["oci-rt"].ops.run | any(.phase == "pivot_root" and .process == "init" and
        .n == 5)' "$j"
}

@test "the HTML report is self-contained and has each section" {
    local h=$RUN/out.html s
    for s in summary chart lifecycle waterfall environment notes; do
        grep -q "<section id='$s'>" "$h" || {
            echo "no section $s" >&2
            return 1
        }
    done
    # bar chart: one panel per figure; box plots: one per lifecycle step
    [ "$(grep -c "<svg class='panel'" "$h")" -eq $(($(jq '[.workloads[].metrics[]] | length' \
        "$RUN/out.json") + 5)) ]
    grep -q "<svg class='wf'" "$h"
    grep -q "runc version" "$h"
    grep -q "oci-rt version" "$h"
    grep -q "$(uname -r)" "$h"
    # nothing loaded from elsewhere
    run ! grep -Eq '<script|<link |src=|https?://' "$h"
}

@test "a headless Chromium renders the report (screenshot checked)" {
    command -v chromium >/dev/null || skip "chromium is not installed (tests/oci-bench/run.sh installs it)"
    chromium_screenshot "$RUN/out.html" "$RUN/report.png"
    run "$DEB_PYTHON" "$TESTS_DIR/png_check.py" "$RUN/report.png" 1280 3000
    echo "$output" >&3
    [ "$status" -eq 0 ]
    [ -z "${OCI_BENCH_SCREENSHOT:-}" ] || cp "$RUN/report.png" "$OCI_BENCH_SCREENSHOT"
}

@test "the terminal table has every figure and runtime, p50 / max and the ratio to runc" {
    local o=$RUN/stdout
    cat "$o" >&2
    grep -Eq '^workload +figure +unit +oci-rt +runc' "$o"
    grep -Eq '^lifecycle +create +ms +[0-9.]+ / [0-9.]+ [0-9.]+x +[0-9.]+ / [0-9.]+' "$o"
    [ "$(grep -cE '^(lifecycle|cpu|memory|fileio|syscall|network|density) ' "$o")" -eq \
        "$(jq '[.workloads[].metrics[]] | length' "$RUN/out.json")" ]
    grep -q '^oci-rt phases (from its trace' "$o"
}

@test "the progress line on stderr names workload, runtime, round and elapsed time" {
    grep -Eq '^\[ *[0-9]+:[0-9]{2}\] lifecycle +oci-rt +round [0-9]+/5$' "$RUN/stderr"
    grep -Eq '^\[ *[0-9]+:[0-9]{2}\] density +runc +warm-up 1/1$' "$RUN/stderr"
}

@test "--cgroup2-view: crun (with the memlock shim) beside oci-rt and runc in one private cgroup2 view" {
    command -v crun >/dev/null || skip "crun is not installed (tests/oci-bench/run.sh installs it)"
    local d=$BATS_TEST_TMPDIR mounts
    mkdir -p "$d/work"
    build_memlock_shim "$d/memlock-shim.so"
    mounts=$(awk '$5 ~ "^/sys/fs/cgroup" { print $5, $9 }' /proc/self/mountinfo)
    run --separate-stderr "$OCI_BENCH" --quick --cgroup2-view --workdir "$d/work" -w lifecycle,density \
        --rounds 2 --containers 3 --runtime "oci-rt=$OCI_RT" --runtime runc=runc \
        --runtime "crun=env LD_PRELOAD=$d/memlock-shim.so crun" --json "$d/out.json"
    echo "$stderr" >&2
    [ "$status" -eq 0 ]
    validate_json "$d/out.json"
    jq -e '.environment.cgroup2_view and (.environment.cgroup | test("^cgroup v2"))' "$d/out.json"
    jq -e '.runtimes | map(.status) == ["ok", "ok", "ok"]' "$d/out.json"
    jq -e '.workloads.lifecycle.metrics.run.results | keys == ["crun", "oci-rt", "runc"]' "$d/out.json"
    jq -e '.workloads.density.metrics.cgroup_memory.results.crun.n == 2' "$d/out.json"
    # the host's own cgroup mounts are as they were
    [ "$(awk '$5 ~ "^/sys/fs/cgroup" { print $5, $9 }' /proc/self/mountinfo)" = "$mounts" ]
    assert_nothing_left "$d/work"
}
