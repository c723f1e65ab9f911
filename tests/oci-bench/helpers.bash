# shellcheck shell=bash
# shellcheck disable=SC2154  # status, output, stderr: set by bats' run
# Shared by the oci-bench tests (tests/oci-bench/*.bats). Load with
# `load helpers`.
#
# Everything oci-bench makes carries the prefix "ocibench": container ids,
# network namespaces, veth names, cgroup parents and its work directory. The
# tests give it a work directory of their own (--workdir) and look for
# anything of that prefix left on the host afterwards.
#
# Environment: OCI_BENCH (default <repo>/oci-bench), OCI_RT (default
# <repo>/oci-rt).

# (run.sh sources this file outside bats too)
! command -v bats_require_minimum_version >/dev/null || bats_require_minimum_version 1.5.0

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS_DIR/../.." && pwd)
OCI_BENCH=${OCI_BENCH:-$REPO/oci-bench}
OCI_RT=${OCI_RT:-$REPO/oci-rt}
SCHEMA=$REPO/bench/oci-bench.schema.json
# Debian's interpreter and its python3-jsonschema (not whatever python3 is
# first on PATH)
DEB_PYTHON=/usr/bin/python3

need_root_and_tools() {
    [ "$(id -u)" = 0 ] || skip "oci-bench needs root"
    [ -x "$OCI_BENCH" ] || {
        echo "$OCI_BENCH is missing: run make" >&2
        return 1
    }
    [ -x "$OCI_RT" ] || {
        echo "$OCI_RT is missing: run make" >&2
        return 1
    }
}

# validate_json FILE: against the schema, with Debian's python3-jsonschema
validate_json() {
    "$DEB_PYTHON" - "$SCHEMA" "$1" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print("%s: %s" % ("/".join(str(p) for p in e.path), e.message), file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

# leftovers [WORKDIR]: prints everything of oci-bench's left on the host
leftovers() {
    local f pid
    for f in $(grep -a -l -E 'ocibench-helper|ocibench-[0-9a-f]{5}' /proc/[0-9]*/cmdline 2>/dev/null); do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
        # zombies hold nothing (the machine's pid 1 may not reap them)
        awk '{ sub(/.*\) /, ""); exit $1 == "Z" ? 1 : 0 }' "/proc/$pid/stat" 2>/dev/null || continue
        echo "process $pid: $(tr '\0' ' ' <"$f" 2>/dev/null)"
    done
    find /sys/fs/cgroup -maxdepth 2 -name 'ocibench-*' -type d 2>/dev/null | sed 's/^/cgroup /'
    ip netns list 2>/dev/null | awk '/^ocibench-/ { print "netns " $1 }'
    ls /run/netns 2>/dev/null | grep '^ocibench-' | sed 's/^/netns file /'
    ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^ocibench/ { print "veth " $2 }'
    awk '$5 ~ /ocibench/ { print "mount " $5 }' /proc/self/mountinfo
    # what an engine keeps per namespace or container (containerd's runc root)
    ls -d /run/containerd/*/ocibench-* 2>/dev/null | sed 's/^/engine state /'
    if [ -n "${1:-}" ]; then
        ls -d "$1"/ocibench-* 2>/dev/null | sed 's/^/work dir /'
    fi
    return 0
}

assert_nothing_left() {
    local left
    left=$(leftovers "${1:-}")
    if [ -n "$left" ]; then
        echo "oci-bench left this behind:" >&2
        echo "$left" >&2
        return 1
    fi
}

# the memlock shim for crun on a host whose root lacks CAP_SYS_RESOURCE
build_memlock_shim() {
    cc -shared -fPIC -O2 -o "$1" "$REPO/contrib/memlock-shim/memlock-shim.c" -ldl
}

# chromium_screenshot HTML PNG: a headless Chromium's picture of the page
chromium_screenshot() {
    local profile
    profile=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/chromium.XXXXXX")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --screenshot="$2" --window-size=1280,3600 \
        "file://$1" </dev/null >"$profile.log" 2>&1
    local rc=$?
    rm -rf "$profile" "$profile.log"
    return $rc
}
