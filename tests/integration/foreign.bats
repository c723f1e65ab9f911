#!/usr/bin/env bats
# Configs oci-rt did not write: the config.json files that runc, crun,
# Docker 20.10, Podman 4.3 and containerd 1.6 (ctr and the CRI) write or pass
# to their runtime, kept as fixtures in tests/integration/foreign/ (how they
# were captured and what is in them: foreign/README.md), plus hand-written
# ones with odd but valid fields.  Each runs under oci-rt as the tool wrote
# it, with its own seccomp profile; only what cannot exist here is rewritten
# (root.path, the engine's files, IDs, the cgroup parent, netns paths, hook
# binaries: the placeholders of foreign/README.md).  The container must
# really run (its report matches the config) and leave nothing behind.

# shellcheck disable=SC2154  # status, output, stderr: set by bats' run
load helpers

FOREIGN=$INTEGRATION_DIR/foreign

# foreign_bundle NAME [--set DOTTED.PATH=JSON]...: a bundle (sets BUNDLE)
# from foreign/NAME.json with the placeholders made real
# (foreign/instantiate.py):
#   root.path        a private copy of the test rootfs (the tools' mounts
#                    put mountpoints into it), at the relative path the
#                    config names or at BUNDLE/rootfs; with SHARED_ROOTFS
#                    set, that directory (already made) in any case
#   @ENGINE_FILE@/P  a file, @ENGINE_DIR@/P a directory, under ENGINE_DIR
#   @WORK@           ENGINE_DIR
#   @ID@             CID (default: this test's ID); @SANDBOX_ID@ SANDBOX_ID
#   @CGROUP_PARENT@  /oci-rt-test/ID-p (teardown removes it)
#   @NETNS@          a network namespace made for the test (ip netns)
#   /proc/@HOST_PID@/exe as a hook path: a script that logs its args and
#                    stdin to HOOK_LOG; other /proc/@HOST_PID@/ SANDBOX_PID's
#   @DOCKER_2017_SECCOMP@  tests/unit/data/seccomp/docker-2017.json
# then the --set options.
foreign_bundle() {
    local name=$1 src root netns="" id=${CID:-$ID} opts=()
    shift
    src=$FOREIGN/$name.json
    FIXTURE=$name
    BUNDLE_SEQ=$((BUNDLE_SEQ + 1))
    BUNDLE=$BATS_TEST_TMPDIR/bundle$BUNDLE_SEQ
    ENGINE_DIR=$BATS_TEST_TMPDIR/engine
    HOOK_LOG=$BATS_TEST_TMPDIR/hook.log
    mkdir -p "$BUNDLE" "$ENGINE_DIR"
    if grep -q '@NETNS@' "$src"; then
        netns=i9f-$ID
        make_netns "$netns" || return 1
        netns=/run/netns/$netns
    fi
    printf '#!/bin/sh\n{ echo "args: $*"; cat; echo; } >>%s\n' "$HOOK_LOG" >"$BATS_TEST_TMPDIR/hook.sh"
    chmod 755 "$BATS_TEST_TMPDIR/hook.sh"
    note_cgroup "/oci-rt-test/$ID-p"
    [ -z "${SHARED_ROOTFS:-}" ] || opts=(--force-root "$SHARED_ROOTFS")
    root=$(python3 "$FOREIGN/instantiate.py" "$src" "$BUNDLE/config.json" --root rootfs "${opts[@]}" \
        --engine-dir "$ENGINE_DIR" --hook "$BATS_TEST_TMPDIR/hook.sh" --sub "ENGINE_DIR=$ENGINE_DIR" \
        --sub "ENGINE_FILE=$ENGINE_DIR" --sub "WORK=$ENGINE_DIR" --sub "ID=$id" \
        --sub "SANDBOX_ID=${SANDBOX_ID:-}" --sub "CGROUP_PARENT=/oci-rt-test/$ID-p" --sub "NETNS=$netns" \
        --sub "HOST_PID=${SANDBOX_PID:-}" \
        --json "DOCKER_2017_SECCOMP=$REPO/tests/unit/data/seccomp/docker-2017.json" "$@") || return 1
    [ -z "${SHARED_ROOTFS:-}" ] || return 0
    mkdir -p "$(dirname "$BUNDLE/$root")"
    # -x: not into a mount another user of the shared rootfs may have made
    cp -ax "$ROOTFS" "$BUNDLE/$root"
}

# The spec templates open a terminal and run sh: run the report instead.
NO_TTY=(--set process.terminal=false --set 'process.args=["ocitest", "report"]')

# cap_names HEX: the capability names of a mask, upper case, sorted.
cap_names() {
    capsh --decode="$1" | sed 's/.*=//' | tr ',' '\n' | tr a-z A-Z | grep . | LC_ALL=C sort -u
}

# assert_report_matches CONFIG: the report in $output shows what CONFIG
# asks for: ids, cwd, capabilities, no_new_privs, seccomp, rlimits, hostname.
assert_report_matches() {
    local cfg=$1 key want got rc=0
    # key=value lines the report must have ("caps.SET=NAME NAME...")
    while IFS='=' read -r key want; do
        case $key in
        caps.*)
            got=$(cap_names "$(kv "$key")" | paste -sd' ')
            [ "$want" = "$got" ] || {
                echo "$key: want [$want], got [$got]" >&2
                rc=1
            }
            ;;
        *) assert_kv "$key" "$want" || rc=1 ;;
        esac
    done < <(jq -r '
        def caps($s; $k): "caps.\($k)=" + ([.process.capabilities[$s] // [] | .[]] | unique | join(" "));
        "uid=\(.process.user.uid)", "gid=\(.process.user.gid)", "cwd=\(.process.cwd)",
        "no_new_privs=\(if .process.noNewPrivileges then 1 else 0 end)",
        "seccomp=\(if .linux.seccomp then 2 else 0 end)",
        caps("bounding"; "bnd"), caps("effective"; "eff"), caps("permitted"; "prm"),
        (.process.rlimits // [] | .[] | "rlimit.\(.type | ltrimstr("RLIMIT_") | ascii_downcase)=\(.soft):\(.hard)"),
        (select((.hostname // "") != "" and
                ([.linux.namespaces[]? | select(.type == "uts" and (.path // "") == "")] | length > 0))
         | "hostname=\(.hostname)")' "$cfg")
    return "$rc"
}

# run_foreign [CID]: create + start the bundle, wait for the container to
# exit, check the report against the config, delete, check nothing is left.
run_foreign() {
    local id=${1:-$ID} cg
    start_ok "$id"
    wait_for_status "$id" stopped 10
    output=$(container_out "$id")
    if ! grep -q '^env.count=' <<<"$output"; then
        echo "the container printed no report: $output" >&2
        cat "$OUT_DIR/$id.err" >&2
        return 1
    fi
    assert_report_matches "$BUNDLE/config.json"
    printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/report.${FIXTURE:-none}"
    oci delete "$id"
    cg=$(jq -r '.linux.cgroupsPath // empty' "$BUNDLE/config.json")
    assert_clean "$id" ${cg:+"$cg"}
}

@test "foreign: runc spec (terminal off, report as args)" {
    foreign_bundle runc-spec "${NO_TTY[@]}"
    run_foreign
}

@test "foreign: runc spec --rootless (a user namespace mapping only root)" {
    foreign_bundle runc-spec-rootless "${NO_TTY[@]}"
    run_foreign
    assert_kv uid_map "$(jq -r '.linux.uidMappings[0] | "\(.containerID) \(.hostID) \(.size)"' "$BUNDLE/config.json")"
}

@test "foreign: crun spec (terminal off, report as args)" {
    foreign_bundle crun-spec "${NO_TTY[@]}"
    run_foreign
}

@test "foreign: crun spec --rootless" {
    foreign_bundle crun-spec-rootless "${NO_TTY[@]}"
    run_foreign
}

@test "foreign: what Docker 20.10 passes for docker run (its seccomp profile, libnetwork's prestart hook, cpu shares 0)" {
    foreign_bundle docker-run
    run_foreign
    # the prestart hook ran with its args (argv[0] libnetwork-setkey is the
    # script's name) and the state on stdin
    grep -qF "args: -exec-root=$ENGINE_DIR/docker/exec $ID " "$HOOK_LOG"
    [ "$(sed -n 2p "$HOOK_LOG" | jq -r .id)" = "$ID" ]
}

@test "foreign: what Podman 4.3 passes for podman run (default network: a netns by path, ping_group_range)" {
    foreign_bundle podman-run
    run_foreign
    # the container is in the namespace it was given, with the sysctl set in it
    assert_kv ns.net "$(stat -L -c %i "/run/netns/i9f-$ID")"
    [ "$(ip netns exec "i9f-$ID" cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')" = "0 0" ]
}

@test "foreign: what containerd 1.6 passes for ctr run (no seccomp)" {
    foreign_bundle ctr-run
    run_foreign
}

@test "foreign: what containerd 1.6 passes for ctr run --seccomp (containerd's profile)" {
    foreign_bundle ctr-run-seccomp
    run_foreign
}

@test "foreign: what containerd 1.6 passes through the CRI: the pod sandbox, then a container joining its namespaces by /proc path" {
    local sandbox=$ID-sb
    CID=$sandbox foreign_bundle cri-sandbox
    start_ok "$sandbox"
    SANDBOX_ID=$sandbox
    SANDBOX_PID=$(container_pid "$sandbox")
    [ "$(oci state "$sandbox" | jq -r .status)" = running ]
    SANDBOX_ID=$sandbox SANDBOX_PID=$SANDBOX_PID foreign_bundle cri-container
    run_foreign
    # pid, ipc and uts are the sandbox's; the network is the host's
    local ns
    for ns in pid ipc uts net; do
        assert_kv "ns.$ns" "$(stat -L -c %i "/proc/$SANDBOX_PID/ns/$ns")"
    done
    oci kill "$sandbox" KILL
    wait_for_status "$sandbox" stopped 5
    oci delete "$sandbox"
    assert_clean "$sandbox" "/oci-rt-test/$ID-p/pod/$sandbox"
}

@test "foreign: a Docker 17-era config (Docker's 2017 seccomp profile, inheritable caps, swappiness 2^64-1, zero cpu/pids/blkio values, mknod wildcards)" {
    foreign_bundle docker-17-era
    run_foreign
    grep -qF "args: $ID " "$HOOK_LOG"
}

@test "foreign: odd but valid fields (unknown keys, empty arrays and strings, other platforms' sections, annotations)" {
    foreign_bundle odd-valid
    run_foreign
    # no capabilities at all, and the host's hostname in a new uts namespace
    assert_kv caps.bnd 0000000000000000
    assert_kv hostname "$(hostname)"
    # env [] and no HOME: HOME from /etc/passwd, as runc adds it
    assert_kv env.count 1
}

@test "foreign: optional fields given as JSON null (as Go tools write nil slices and maps)" {
    foreign_bundle odd-nulls
    run_foreign
}

# ---------------------------------------------------------------- runc

# The report keys compared between oci-rt and runc: all but what names a
# particular namespace, cgroup or process.
same_keys() {
    grep -vE '^(ns\.[a-z]+|cgroup|pid|ppid)=' <<<"$1" | sort
}

# foreign_report RUNTIME NAME [instantiate options]: the report of fixture
# NAME run to completion (`RUNTIME run`) in a new bundle, on stdout.
foreign_report() {
    local rt=$1 name=$2 tag id
    shift 2
    tag=$(basename "$rt")
    id=$ID-$tag
    # runc puts a container without cgroupsPath under the caller's own
    # cgroups (here the machine supervisor's memory cgroup): give it ours
    if [ "$tag" = runc ] && [ -z "$(jq -r '.linux.cgroupsPath // empty' "$FOREIGN/$name.json")" ]; then
        set -- "$@" --set "linux.cgroupsPath=\"/oci-rt-test/$ID-p/$id\""
    fi
    CID=$id foreign_bundle "$name" "$@" || return 1
    "$rt" --root "$BATS_TEST_TMPDIR/$tag-state" run --bundle "$BUNDLE" "$id" </dev/null \
        2>"$BATS_TEST_TMPDIR/$tag.err" || {
        echo "$tag run $name failed: $(cat "$BATS_TEST_TMPDIR/$tag.err")" >&2
        return 1
    }
    "$rt" --root "$BATS_TEST_TMPDIR/$tag-state" delete -f "$id" >/dev/null 2>&1 || true
}

# cri_report RUNTIME: the CRI pair under RUNTIME: the sandbox detached,
# then the container in its namespaces; the container's report on stdout.
cri_report() {
    local rt=$1 tag sb st pid rc=0
    tag=$(basename "$rt")
    sb=$ID-sb-$tag
    st=$BATS_TEST_TMPDIR/$tag-state
    CID=$sb foreign_bundle cri-sandbox || return 1
    "$rt" --root "$st" run -d --bundle "$BUNDLE" "$sb" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/$tag-sb.err" || {
        echo "$tag run -d cri-sandbox failed: $(cat "$BATS_TEST_TMPDIR/$tag-sb.err")" >&2
        return 1
    }
    pid=$("$rt" --root "$st" state "$sb" | jq -r .pid)
    SANDBOX_ID=$sb SANDBOX_PID=$pid foreign_report "$rt" cri-container || rc=1
    "$rt" --root "$st" delete -f "$sb" >/dev/null 2>&1 || true
    return "$rc"
}

@test "foreign: runc 1.1 gives every fixture the same report as oci-rt (ids, caps, seccomp, rlimits, mounts, env, fds)" {
    command -v runc >/dev/null || skip "runc is not installed (apt-get install runc): nothing to compare with"
    local name a b n diffs="" opts
    # (foreign_bundle makes these too, but in the subshells below)
    note_cgroup "/oci-rt-test/$ID-p"
    defer "ip netns delete i9f-$ID"
    # one copy of the rootfs for all the runs here (root.path points to it)
    SHARED_ROOTFS=$BATS_TEST_TMPDIR/shared-rootfs
    cp -ax "$ROOTFS" "$SHARED_ROOTFS"
    # (not crun-spec-rootless: runc refuses a user namespace without
    # mappings, crun and oci-rt map the caller to root)
    for name in runc-spec runc-spec-rootless crun-spec docker-run podman-run ctr-run \
        ctr-run-seccomp cri-container docker-17-era odd-valid odd-nulls; do
        opts=()
        case $name in *-spec*) opts=("${NO_TTY[@]}") ;; esac
        [ "$name" != podman-run ] || ip netns delete "i9f-$ID" 2>/dev/null || true
        # the report of the fixture's own test above, else a run now
        if [ -s "$BATS_FILE_TMPDIR/report.$name" ]; then
            a=$(cat "$BATS_FILE_TMPDIR/report.$name")
        else
            a=$(if [ "$name" = cri-container ]; then cri_report "$OCI_RT"; else
                foreign_report "$OCI_RT" "$name" "${opts[@]}"; fi) || return 1
        fi
        # On this hybrid host oci-rt also mounts the unified cgroup2
        # hierarchy at /sys/fs/cgroup/unified in a cgroup mount; runc 1.1
        # leaves it out: one mount fewer to compare.
        if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] && [ -d /sys/fs/cgroup/unified ] &&
            jq -e '[.mounts[]? | select(.type == "cgroup")] | length > 0' "$FOREIGN/$name.json" >/dev/null; then
            n=$(kv mounts "$a")
            a=$(sed "s/^mounts=.*/mounts=$((n - 1))/" <<<"$a")
        fi
        [ "$name" != podman-run ] || ip netns delete "i9f-$ID" 2>/dev/null || true
        b=$(if [ "$name" = cri-container ]; then cri_report runc; else
            foreign_report runc "$name" "${opts[@]}"; fi) || return 1
        if [ "$(same_keys "$a")" != "$(same_keys "$b")" ]; then
            diffs+="$name (< oci-rt, > runc):"$'\n'$(diff <(same_keys "$a") <(same_keys "$b") | grep '^[<>]')$'\n'
        fi
    done
    [ -z "$diffs" ] || {
        echo "$diffs" >&2
        return 1
    }
}
