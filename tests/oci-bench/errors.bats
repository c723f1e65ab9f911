#!/usr/bin/env bats
# Bad input: one clear line on stderr naming the object and the cause, a
# non-zero status, nothing left behind. A runtime that fails its first
# create is dropped, the run goes on without it and the report says so. An
# engine whose daemon does not answer is named; oci-bench starts none.

load helpers

setup() {
    need_root_and_tools
    W=$BATS_TEST_TMPDIR/work
    mkdir -p "$W"
}

teardown() {
    assert_nothing_left "$W"
}

one_line() {
    [ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 1 ] || {
        echo "expected one line on stderr, got:" >&2
        printf '%s\n' "$stderr" >&2
        return 1
    }
}

@test "an unknown runtime command: exit 2, one line" {
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --runtime runc=runc \
        --runtime 'ghost=/no/such/runtime --flag'
    [ "$status" -eq 2 ]
    one_line
    [ "$stderr" = 'oci-bench: runtime "ghost": command "/no/such/runtime" not found' ]
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --runtime ghost=no-such-runtime-i14
    [ "$status" -eq 2 ]
    [ "$stderr" = 'oci-bench: runtime "ghost": command "no-such-runtime-i14" not found in PATH' ]
}

@test "a workload that does not exist: exit 2, one line listing the workloads" {
    run --separate-stderr "$OCI_BENCH" --workdir "$W" -w lifecycle -w fork-bomb
    [ "$status" -eq 2 ]
    one_line
    [ "$stderr" = 'oci-bench: unknown workload "fork-bomb" (lifecycle, cpu, memory, fileio, syscall, network, density)' ]
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --rounds fork-bomb=3
    [ "$status" -eq 2 ]
    [ "$stderr" = 'oci-bench: --rounds: unknown workload "fork-bomb"' ]
}

@test "bad option values: exit 2, one line each" {
    local -a cases=(
        "--rounds 0|oci-bench: --rounds: expected [WORKLOAD=]N with N >= 1, got \"0\""
        "--memory-total-size 12Q|oci-bench: --memory-total-size: expected a size such as 16K, 1M or 100G, got \"12Q\""
        "--engine lxc|oci-bench: --engine: unknown engine \"lxc\" (docker, podman, containerd)"
        "--runtime =runc|oci-bench: --runtime: expected NAME=COMMAND, got \"=runc\""
        "--no-such-option|oci-bench: unknown option --no-such-option (oci-bench --help lists them)"
        "--baseline crun --runtime runc=runc|oci-bench: --baseline: \"crun\" is not one of the runtimes measured"
        "--engine docker --cgroup2-view|oci-bench: --cgroup2-view: direct mode only (an engine's daemon creates the cgroups in its own view)"
    )
    local c args want
    for c in "${cases[@]}"; do
        args=${c%%|*}
        want=${c#*|}
        # shellcheck disable=SC2086
        run --separate-stderr "$OCI_BENCH" --workdir "$W" $args
        [ "$status" -eq 2 ] || {
            echo "$args: status $status" >&2
            return 1
        }
        one_line
        [ "$stderr" = "$want" ] || {
            echo "$args: got '$stderr'" >&2
            return 1
        }
    done
}

@test "a runtime that fails its first create: its error shown, the run goes on without it, the report says so" {
    # a "runtime" that refuses everything, as crun does on a hybrid host
    local broken='sh -c "echo no cgroup for you >&2; exit 1" broken'
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --quick -w lifecycle \
        --runtime "broken=$broken" --runtime "oci-rt=$OCI_RT" \
        --json "$BATS_TEST_TMPDIR/out.json" --html "$BATS_TEST_TMPDIR/out.html"
    echo "$stderr" >&2
    [ "$status" -eq 3 ]
    [ "$(grep -c '^oci-bench: ' <<<"$stderr")" -eq 1 ]
    grep -qx 'oci-bench: runtime "broken": its first create failed, the run goes on without it: sh: exit status 1: no cgroup for you' <<<"$stderr"
    local j=$BATS_TEST_TMPDIR/out.json
    validate_json "$j"
    jq -e '.runtimes[0] | .name == "broken" and .status == "failed" and
           (.error | test("no cgroup for you"))' "$j"
    jq -e '.workloads.lifecycle.metrics.run.results | keys == ["oci-rt"]' "$j"
    jq -e '.workloads.lifecycle.metrics.run.results["oci-rt"].n == 5' "$j"
    jq -e '.notes | any(test("broken was dropped from the run"))' "$j"
    grep -q 'broken was dropped from the run' "$BATS_TEST_TMPDIR/out.html"
    grep -q 'FAILED: its first create failed' <<<"$output"
}

@test "--engine: a missing daemon is named, none is started" {
    command -v docker >/dev/null || skip "docker is not installed (tests/oci-bench/run.sh installs docker.io)"
    command -v ctr >/dev/null || skip "ctr is not installed (tests/oci-bench/run.sh installs containerd)"
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --quick -w lifecycle --engine docker \
        --engine-cmd "docker -H unix://$BATS_TEST_TMPDIR/none.sock"
    [ "$status" -eq 1 ]
    one_line
    [[ "$stderr" == "oci-bench: --engine docker: no Docker daemon answers (oci-bench starts none: "* ]]
    [[ "$stderr" == *"$BATS_TEST_TMPDIR/none.sock"* ]]
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --quick -w lifecycle --engine containerd \
        --engine-cmd "ctr -a $BATS_TEST_TMPDIR/none.sock"
    [ "$status" -eq 1 ]
    one_line
    [[ "$stderr" == "oci-bench: --engine containerd: no containerd answers (oci-bench starts none: "* ]]
    run --separate-stderr "$OCI_BENCH" --workdir "$W" --engine podman --engine-cmd no-podman-i14
    [ "$status" -eq 1 ]
    [ "$stderr" = "oci-bench: --engine podman: no-podman-i14 is not installed (Debian: apt-get install podman)" ]
    # no daemon in this test's session (other users of the machine may run theirs)
    run ! pgrep -s "$(ps -o sid= -p $$ | tr -d ' ')" -x 'dockerd|containerd|podman'
}

@test "a workload whose program is missing from the host says which package to install" {
    local bin=$BATS_TEST_TMPDIR/bin
    mkdir -p "$bin"
    # a PATH without sysbench, with the runtime in it
    ln -s "$(command -v runc)" "$bin/runc"
    run --separate-stderr env PATH="$bin" "$OCI_BENCH" --workdir "$W" -w lifecycle,cpu \
        --runtime runc=runc
    [ "$status" -eq 1 ]
    [ "$stderr" = "oci-bench: workload cpu needs sysbench, which is not installed (Debian: apt-get install sysbench)" ]
    run --separate-stderr env PATH="$bin" "$OCI_BENCH" --workdir "$W" -w network --runtime runc=runc
    [ "$status" -eq 1 ]
    [ "$stderr" = "oci-bench: workload network needs iperf3, which is not installed (Debian: apt-get install iperf3)" ]
}
