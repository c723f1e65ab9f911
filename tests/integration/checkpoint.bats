#!/usr/bin/env bats
# checkpoint and restore on this host: the command line and its errors.
# (CRIU 3.17 cannot dump on this host's kernel: the checkpoints themselves are
# tested in the systemd guest, tests/vm/systemd/checkpoint.bats.)

# shellcheck disable=SC2154  # status, output, stderr: set by bats' run
load helpers

@test "checkpoint/restore --help: runc's options (Podman checks that checkpoint --help works)" {
    run -0 "$OCI_RT" checkpoint --help
    for o in --image-path --work-path --leave-running --tcp-established --ext-unix-sk \
        --shell-job --file-locks --pre-dump --parent-path --manage-cgroups-mode; do
        grep -q -- "$o" <<<"$output" || { echo "checkpoint --help lacks $o" >&2; false; }
    done
    run -0 "$OCI_RT" restore --help
    for o in --image-path --work-path --bundle --detach --pid-file --console-socket \
        --manage-cgroups-mode; do
        grep -q -- "$o" <<<"$output" || { echo "restore --help lacks $o" >&2; false; }
    done
}

@test "checkpoint: a container that is not there, a bad cgroup mode: one clear error" {
    run --separate-stderr oci checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$ID"
    assert_error_line "$ID"
    [ ! -e "$BATS_TEST_TMPDIR/img/inventory.img" ]
    run --separate-stderr oci checkpoint --manage-cgroups-mode bogus "$ID"
    assert_error_line 'manage-cgroups-mode' 'bogus'
}

@test "checkpoint of a stopped container is refused, and the container is kept" {
    make_bundle '.process.args = ["true"]'
    oci_detached run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    wait_for_status "$ID" stopped
    run --separate-stderr oci checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$ID"
    assert_error_line "$ID" 'stopped'
    [ "$(oci state "$ID" | jq -r .status)" = stopped ]
    oci delete "$ID"
    assert_clean "$ID"
}

@test "restore without a checkpoint in --image-path: one clear error, nothing made" {
    make_bundle
    run --separate-stderr oci restore -d --image-path "$BATS_TEST_TMPDIR/none" --bundle "$BUNDLE" "$ID"
    assert_error_line 'image-path' 'no such file'
    assert_clean "$ID"
}
