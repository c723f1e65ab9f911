#!/usr/bin/env bats
# Every command of oci-rt under valgrind's memcheck: no invalid access and
# no definite or indirect leak (--error-exitcode=99). It also shows that
# oci-rt runs where clone3, openat2, execveat and pidfd_send_signal are
# missing: valgrind does not know them, so the fallbacks run.

load helpers

eval "_helpers_$(declare -f setup)"
setup() {
    command -v valgrind >/dev/null || skip "valgrind is not installed (tests/run.sh installs it)"
    _helpers_setup
}

V=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect)

# vg ARGS...: oci-rt --root $ROOT ARGS under valgrind (99: a report). The
# dynamic program where oci-rt is static: memcheck replaces malloc only in a
# dynamically linked one (the same code, libcontainer/dynload.h)
vg() {
    "${V[@]}" "$(oci_rt_dynamic)" --root "$ROOT" "$@"
}

# valgrind keeps a few fds of its own and lowers the hard RLIMIT_NOFILE a
# process sees: a config's 1024:1024 is above it there
vg_bundle() {
    make_bundle 'del(.process.rlimits) | '"${1:-.}"
}

@test "valgrind: spec, features, list, state of nothing, --help, a bad command" {
    run -0 vg spec --bundle "$BATS_TEST_TMPDIR"
    run -0 vg features
    run -0 vg list
    run -1 vg state nosuch
    run -0 vg --help
    run -0 vg run --help
    run -1 vg bogus
}

@test "valgrind: run, and create, start, state, list, ps, events, pause, resume, update, exec, kill, delete" {
    vg_bundle '.process.args = ["/usr/bin/ocitest", "report"]'
    run -0 --separate-stderr vg run --bundle "$BUNDLE" "$ID-run"
    assert_kv hostname oci-rt
    vg_bundle '.process.args = ["/bin/sleep", "60"]'
    status=0
    "${V[@]}" "$(oci_rt_dynamic)" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null \
        2>"$OUT_DIR/create.err" 3>&- || status=$?
    [ "$status" -eq 0 ] || { cat "$OUT_DIR/create.err"; false; }
    run -0 vg start "$ID"
    run -0 vg state "$ID"
    [ "$(jq -r .status <<<"$output")" = running ]
    run -0 vg list
    run -0 vg ps "$ID"
    run -0 vg events --stats "$ID"
    run -0 vg pause "$ID"
    run -0 vg resume "$ID"
    run -0 vg update --pids-limit 100 "$ID"
    run -0 --separate-stderr vg exec "$ID" /bin/echo hi
    [ "$output" = hi ]
    run -0 vg kill "$ID" KILL
    wait_for_status "$ID" stopped
    run -0 vg delete "$ID"
    assert_clean "$ID"
    assert_clean "$ID-run"
}

@test "valgrind: the error paths (a broken config, a missing program, a taken ID, delete --force)" {
    vg_bundle '.process.args = ["/no/such/bin"]'
    run -127 vg run --bundle "$BUNDLE" "$ID"
    echo '{"ociVersion": "1.3.0", "process": 5}' >"$BUNDLE/config.json"
    run -1 vg run --bundle "$BUNDLE" "$ID"
    vg_bundle '.process.args = ["/bin/sleep", "60"]'
    oci_detached create --bundle "$BUNDLE" "$ID"
    run -1 vg create --bundle "$BUNDLE" "$ID"
    run -0 vg delete --force "$ID"
    assert_clean "$ID"
}
