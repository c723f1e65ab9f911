#!/usr/bin/env bats
# `oci-rt features`: the runtime-spec features document, valid against the
# spec's schema and listing what oci-rt implements.

load helpers

SCHEMA_DIR=${OCI_RT_SPEC_SCHEMA:-$REPO/../shared/runtime-spec/schema}

features_json() {
    run -0 "$OCI_RT" features
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/features.json"
}

@test "features: valid against the runtime-spec features schema" {
    [ -f "$SCHEMA_DIR/features-schema.json" ] ||
        skip "no runtime-spec schema at $SCHEMA_DIR (set OCI_RT_SPEC_SCHEMA)"
    features_json
    run python3 "$REPO/tests/lib/jsonschema_lite.py" "$SCHEMA_DIR/features-schema.json" \
        "$BATS_TEST_TMPDIR/features.json"
    [ "$status" -eq 0 ] || {
        echo "$output"
        false
    }
    # and the validator does reject a broken document
    run python3 "$REPO/tests/lib/jsonschema_lite.py" "$SCHEMA_DIR/features-schema.json" - \
        <<<'{"ociVersionMin": 1, "linux": {"cgroup": {"v2": "yes"}}}'
    [ "$status" -eq 1 ]
}

@test "features: versions, hooks, namespaces, mount options" {
    features_json
    f=$BATS_TEST_TMPDIR/features.json
    [ "$(jq -r .ociVersionMin "$f")" = 1.0.0 ]
    [ "$(jq -r .ociVersionMax "$f")" = 1.3.0 ]
    [ "$(jq -c '.hooks | sort' "$f")" = \
        '["createContainer","createRuntime","poststart","poststop","prestart","startContainer"]' ]
    [ "$(jq -c '.linux.namespaces | sort' "$f")" = \
        '["cgroup","ipc","mount","network","pid","time","user","uts"]' ]
    for o in bind rbind ro rro rnosuid idmap ridmap nosymfollow rprivate rslave; do
        jq -e --arg o "$o" '.mountOptions | index($o)' "$f" >/dev/null || {
            echo "missing mount option $o"
            false
        }
    done
}

@test "features: capabilities up to the kernel's, seccomp, cgroup, the rest" {
    features_json
    f=$BATS_TEST_TMPDIR/features.json
    last=$(cat /proc/sys/kernel/cap_last_cap)
    [ "$(jq '.linux.capabilities | length' "$f")" -ge "$((last + 1))" ]
    jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' "$f" >/dev/null
    [ "$(jq '.linux.seccomp.actions | length' "$f")" -eq 9 ]
    [ "$(jq '.linux.seccomp.operators | length' "$f")" -eq 7 ]
    jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")' "$f" >/dev/null
    jq -e '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_TSYNC")' "$f" >/dev/null
    # the systemd driver: there when libsystemd can be loaded
    sd=false
    ldconfig -p | grep -q 'libsystemd\.so\.0 ' && sd=true
    [ "$(jq -c .linux.cgroup "$f")" = '{"v1":true,"v2":true,"systemd":'$sd',"systemdUser":false,"rdma":true}' ]
    # checkpoint/restore: there when a criu binary is
    ck=false
    command -v criu >/dev/null && ck=true
    [ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' "$f")" = "$ck" ]
    [ "$(jq .linux.mountExtensions.idmap.enabled "$f")" = true ]
    [ "$(jq .linux.netDevices.enabled "$f")" = true ]
    jq -e '.linux.memoryPolicy.modes | index("MPOL_BIND")' "$f" >/dev/null
    # no LSM is enabled on this host: reported as such
    if [ ! -e /sys/fs/selinux/enforce ]; then
        [ "$(jq .linux.selinux.enabled "$f")" = false ]
    fi
    [ -n "$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' "$f")" ]
}
