#!/usr/bin/env bats
# Ctrl-C in the middle of a run: oci-bench removes every container, network
# namespace, veth, cgroup and file it made, still writes what it measured
# (marked interrupted) and exits with 130. The SIGINT goes to its process
# group, as a terminal's Ctrl-C does.

load helpers

setup() {
    need_root_and_tools
    W=$BATS_TEST_TMPDIR/work
    mkdir -p "$W"
}

teardown() {
    # never leave a run behind, even when a test failed half-way
    [ -z "${BENCH_PID:-}" ] || kill -KILL "$BENCH_PID" 2>/dev/null || true
}

# start ARGS...: oci-bench in the background, its own process group
start() {
    setsid "$OCI_BENCH" --workdir "$W" --json "$BATS_TEST_TMPDIR/out.json" \
        --html "$BATS_TEST_TMPDIR/out.html" "$@" </dev/null \
        >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr" &
    BENCH_PID=$!
}

# wait_for SECONDS CMD...: until CMD succeeds (fails when oci-bench ended)
wait_for() {
    local end=$((SECONDS + $1))
    shift
    while ! "$@"; do
        if [ "$SECONDS" -ge "$end" ] || ! kill -0 "$BENCH_PID" 2>/dev/null; then
            echo "never true: $*" >&2
            cat "$BATS_TEST_TMPDIR/stderr" >&2
            return 1
        fi
        sleep 0.05
    done
}

# ctrl_c: SIGINT to the group, then its end: status 130 within 60 s
ctrl_c() {
    kill -INT -- "-$BENCH_PID"
    local i
    for ((i = 0; i < 600; i++)); do
        kill -0 "$BENCH_PID" 2>/dev/null || break
        sleep 0.1
    done
    run wait "$BENCH_PID"
    BENCH_PID=
    cat "$BATS_TEST_TMPDIR/stderr" >&2
    [ "$status" -eq 130 ]
    grep -q '^oci-bench: interrupted: cleaning up, then writing what was measured$' \
        "$BATS_TEST_TMPDIR/stderr"
}

in_network_round() {
    grep -Eq '^\[.*\] network +(oci-rt|runc) +round 1/' "$BATS_TEST_TMPDIR/stderr" &&
        ip netns list | grep -q '^ocibench-' &&
        ip netns exec "$(ip netns list | awk '/^ocibench-.*-cli/ { print $1; exit }')" \
            ip -o link show 2>/dev/null | grep -q ocibench
}

helpers_paused() {
    [ "$(pgrep -fc 'ocibench-helper pause')" -ge 3 ]
}

@test "Ctrl-C during the network workload: no netns, veth or container left; what was measured is written" {
    start --quick --runtime "oci-rt=$OCI_RT" --runtime runc=runc -w lifecycle,network \
        --network-time 5 --rounds network=4
    wait_for 120 in_network_round
    ctrl_c
    assert_nothing_left "$W"
    local j=$BATS_TEST_TMPDIR/out.json
    validate_json "$j"
    jq -e '.interrupted == true and .complete == false' "$j"
    # the lifecycle rounds before the interruption are there, in full
    jq -e '.workloads.lifecycle.metrics.run.results | .["oci-rt"].n == 5 and .runc.n == 5' "$j"
    grep -q 'This run was interrupted' "$BATS_TEST_TMPDIR/out.html"
    grep -q 'INTERRUPTED: partial results' "$BATS_TEST_TMPDIR/stdout"
}

@test "Ctrl-C while density's containers run: every one is removed, with its cgroup" {
    start --quick --runtime "oci-rt=$OCI_RT" --runtime runc=runc -w density --containers 6
    wait_for 120 helpers_paused
    ctrl_c
    assert_nothing_left "$W"
    validate_json "$BATS_TEST_TMPDIR/out.json"
    jq -e '.interrupted == true' "$BATS_TEST_TMPDIR/out.json"
}

in_profiled_round() {
    grep -Eq '^\[.*\] lifecycle +(oci-rt|runc) +profiled 2/' "$BATS_TEST_TMPDIR/stderr" &&
        pgrep -f "profile --format json --out $W/" >/dev/null
}

@test "Ctrl-C during the profiled rounds (--phases): no container or profile left; the profiled rounds done are written" {
    command -v runc >/dev/null || skip "runc is not installed (tests/oci-bench/run.sh installs it)"
    start --runtime "oci-rt=$OCI_RT" --runtime runc=runc -w lifecycle --rounds 2 --warmup 0 \
        --phases --phase-rounds 100
    wait_for 120 in_profiled_round
    ctrl_c
    assert_nothing_left "$W"
    run ! pgrep -f "profile --format json --out $W/"
    local j=$BATS_TEST_TMPDIR/out.json
    validate_json "$j"
    jq -e '.interrupted == true and .profile.status == "ok" and .profile.rounds >= 1 and
        .profile.rounds < 100 and .profile.rounds_planned == 100' "$j"
    jq -e '.profile.runtimes | keys == ["oci-rt", "runc"]' "$j"
}
