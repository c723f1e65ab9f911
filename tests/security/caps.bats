#!/usr/bin/env bats
# Capabilities (the CVE-2022-29162 class): a non-root process has no
# inheritable or ambient capabilities unless asked, so executing a binary
# with file capabilities gives nothing beyond the bounding set; and
# noNewPrivileges holds across a setuid-root binary.

load ../integration/helpers

# An image with copies of ocitest: file-capability ones and a setuid-root one.
make_image() {
    command -v setcap >/dev/null || skip "setcap (libcap2-bin) is not installed"
    IMAGE=$(copy_rootfs)
    local b=$IMAGE/usr/bin
    cp "$b/ocitest" "$b/ocitest-raw-ei"
    cp "$b/ocitest" "$b/ocitest-raw-ep"
    cp "$b/ocitest" "$b/ocitest-suid"
    setcap cap_net_raw+ei "$b/ocitest-raw-ei"
    setcap cap_net_raw+ep "$b/ocitest-raw-ep"
    chown 0:0 "$b/ocitest-suid"
    chmod 4755 "$b/ocitest-suid"
}

NET_RAW=13

run_ok() {
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    if [ "$status" -ne 0 ]; then
        echo "run failed ($status): $stderr" >&2
        echo "output: $output" >&2
        return 1
    fi
}

# The report of $1 run as uid 1000 with the given extra jq filter.
report_as_1000() {
    local bin=$1 filter=${2:-.}
    make_bundle '.root.path = $img | .process.user = {"uid": 1000, "gid": 1000}
        | .process.args = [$bin, "report"] | '"$filter" --arg img "$IMAGE" --arg bin "$bin"
    run_ok
}

@test "caps: a non-root process without inheritable/ambient in the config has CapInh=0 and CapAmb=0" {
    make_bundle '.process.user = {"uid": 1000, "gid": 1000}
        | .process.capabilities |= del(.inheritable, .ambient)
        | .process.capabilities.bounding += ["CAP_NET_RAW"] | .process.capabilities.permitted += ["CAP_NET_RAW"]'
    run_ok
    assert_kv caps.inh "$(capmask)"
    assert_kv caps.amb "$(capmask)"
    assert_clean "$ID"
}

@test "caps: exec of a cap_net_raw+ei binary gains nothing (inheritable is empty), even with NET_RAW in the bounding set" {
    make_image
    report_as_1000 /usr/bin/ocitest-raw-ei '.process.noNewPrivileges = false
        | .process.capabilities.bounding += ["CAP_NET_RAW"]'
    assert_kv caps.prm "$(capmask)"
    assert_kv caps.eff "$(capmask)"
    assert_kv caps.inh "$(capmask)"
    assert_clean "$ID"
}

@test "caps: exec of a cap_net_raw+ep binary gains nothing beyond the bounding set" {
    make_image
    make_bundle '.root.path = $img | .process.user = {"uid": 1000, "gid": 1000}
        | .process.noNewPrivileges = false
        | .process.args = ["/usr/bin/ocitest-raw-ep", "report"]' --arg img "$IMAGE"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    if [ "$status" -eq 0 ]; then
        assert_kv caps.prm "$(capmask)"
        assert_kv caps.eff "$(capmask)"
        assert_kv caps.bnd "$(capmask 29 5 10)"
    else
        # the kernel refuses a capability-dumb binary it cannot give all its caps
        assert_error_line "ocitest-raw-ep" "Operation not permitted"
    fi
    assert_clean "$ID"
    # the control: with NET_RAW in the bounding set the file capability works
    report_as_1000 /usr/bin/ocitest-raw-ep '.process.noNewPrivileges = false
        | .process.capabilities.bounding += ["CAP_NET_RAW"]'
    assert_kv caps.prm "$(capmask "$NET_RAW")"
    assert_clean "$ID"
}

@test "caps: with noNewPrivileges a file capability gives nothing even inside the bounding set" {
    make_image
    report_as_1000 /usr/bin/ocitest-raw-ep '.process.noNewPrivileges = true
        | .process.capabilities.bounding += ["CAP_NET_RAW"]'
    assert_kv caps.prm "$(capmask)"
    assert_kv no_new_privs 1
    assert_clean "$ID"
}

@test "caps: noNewPrivileges holds across a setuid-root binary (euid stays 1000)" {
    make_image
    report_as_1000 /usr/bin/ocitest-suid '.process.noNewPrivileges = true'
    assert_kv uid 1000
    assert_kv euid 1000
    assert_kv suid 1000
    assert_kv no_new_privs 1
    assert_kv caps.eff "$(capmask)"
    assert_clean "$ID"
    # the control: without it the setuid bit works here
    report_as_1000 /usr/bin/ocitest-suid '.process.noNewPrivileges = false'
    assert_kv uid 1000
    assert_kv euid 0
    assert_kv no_new_privs 0
    # and is still limited by the bounding set
    assert_kv caps.eff "$(capmask 29 5 10)"
    assert_clean "$ID"
}

@test "caps: the process cannot raise a capability outside its bounding set (ambient or by capset)" {
    make_bundle '.process.user = {"uid": 1000, "gid": 1000}
        | .process.noNewPrivileges = false
        | .process.args = ["/bin/sh", "-c", "setpriv --inh-caps +net_raw --ambient-caps +net_raw true; echo setpriv=$?; /usr/bin/ocitest report"]'
    run_ok
    [ -n "$(kv setpriv)" ] || { echo "the attempt did not run: $output" >&2; false; }
    [ "$(kv setpriv)" != 0 ]
    assert_kv caps.amb "$(capmask)"
    assert_kv caps.inh "$(capmask)"
    assert_clean "$ID"
    # the control: with NET_RAW in the bounding, permitted and inheritable
    # sets the same attempt raises it
    make_bundle '.process.user = {"uid": 1000, "gid": 1000}
        | .process.noNewPrivileges = false
        | .process.capabilities.bounding += ["CAP_NET_RAW"] | .process.capabilities.permitted += ["CAP_NET_RAW"]
        | .process.capabilities.inheritable = ["CAP_NET_RAW"]
        | .process.args = ["/bin/sh", "-c", "setpriv --inh-caps +net_raw --ambient-caps +net_raw true; echo setpriv=$?"]'
    run_ok
    assert_kv setpriv 0
    assert_clean "$ID"
}
