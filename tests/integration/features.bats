#!/usr/bin/env bats
# `oci-rt features`: the runtime-spec features document, valid against the
# spec's schema and listing what oci-rt implements.

load helpers

# The runtime-spec's schemas (vendored: tests/lib/runtime-spec-schema/README.md)
SCHEMA_DIR=${OCI_RT_SPEC_SCHEMA:-$REPO/tests/lib/runtime-spec-schema}
# Debian's interpreter and its python3-jsonschema (not whatever python3 is
# first on PATH)
DEB_PYTHON=/usr/bin/python3

features_json() {
    run -0 "$OCI_RT" features
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/features.json"
}

# validate SCHEMA DOCUMENT ("-": stdin): prints each violation with its
# path and fails when there is one. The $refs to the other schema files
# ("defs.json#/definitions/x") resolve in SCHEMA's directory, offline.
validate() {
    "$DEB_PYTHON" -c '
import json, os, sys
import jsonschema

schema_path = os.path.abspath(sys.argv[1])
d = os.path.dirname(schema_path)
store = {}
for name in os.listdir(d):
    if name.endswith(".json"):
        with open(os.path.join(d, name)) as f:
            store["file://" + os.path.join(d, name)] = json.load(f)
schema = store["file://" + schema_path]
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
resolver = jsonschema.RefResolver("file://" + schema_path, schema, store=store)
doc = json.load(sys.stdin if sys.argv[2] == "-" else open(sys.argv[2]))
errors = sorted(cls(schema, resolver=resolver).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors:
    print("%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(document)", e.message))
sys.exit(1 if errors else 0)
' "$@"
}

@test "features: valid against the runtime-spec features schema" {
    [ -f "$SCHEMA_DIR/features-schema.json" ] || {
        echo "no runtime-spec schema at $SCHEMA_DIR" >&2
        false
    }
    features_json
    run validate "$SCHEMA_DIR/features-schema.json" "$BATS_TEST_TMPDIR/features.json"
    [ "$status" -eq 0 ] || {
        echo "$output"
        false
    }
    # and the validator does reject a broken document, naming what is wrong
    run validate "$SCHEMA_DIR/features-schema.json" - \
        <<<'{"ociVersionMin": 1, "linux": {"cgroup": {"v2": "yes"}}}'
    [ "$status" -eq 1 ]
    grep -q "^(document): 'ociVersionMax' is a required property" <<<"$output"
    grep -q '^ociVersionMin: ' <<<"$output"
    grep -q '^linux/cgroup/v2: ' <<<"$output"
    # and follows the $refs into the other files: a namespace type that
    # defs-linux.json does not list
    run validate "$SCHEMA_DIR/features-schema.json" - \
        < <(jq '.linux.namespaces += ["bogus"]' "$BATS_TEST_TMPDIR/features.json")
    [ "$status" -eq 1 ]
    grep -q "^linux/namespaces/[0-9]*: 'bogus' is not one of" <<<"$output"
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
    else
        skip_part "SELinux is enabled here: .linux.selinux.enabled not checked"
    fi
    [ -n "$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' "$f")" ]
}
