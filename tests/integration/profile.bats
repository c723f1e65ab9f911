#!/usr/bin/env bats
# oci-rt profile: the phase waterfall of oci-rt, runc and crun runs read from
# the kernel; each process's rows cover its life; nothing of the kernel's
# tracing is left changed (tracefs, BPF programs), also after Ctrl-C; two
# profiles at once; --exe with Podman.

load helpers

setup_file() {
    local need=()
    command -v runc >/dev/null || need+=(runc)
    command -v crun >/dev/null || need+=(crun)
    command -v bpftool >/dev/null || need+=(bpftool)
    command -v cc >/dev/null || need+=(gcc libc6-dev)
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
            >/dev/null 2>&1 || true
    fi
    # crun 1.8 needs a raise of RLIMIT_MEMLOCK to look done (root lacks
    # CAP_SYS_RESOURCE here): tests/lib/memlock_shim.c
    if command -v cc >/dev/null; then
        cc -shared -fPIC -O2 -o "$BATS_FILE_TMPDIR/memlock_shim.so" \
            "$REPO/tests/lib/memlock_shim.c" -ldl || return 1
    fi
    ensure_rootfs
}

# profile_json OUT COMMAND...: oci-rt profile --format json --out OUT --
# COMMAND...; sets status, output, stderr.
profile_json() {
    local out=$1
    shift
    run --separate-stderr "$OCI_RT" profile --format json --out "$out" -- "$@"
}

# demo_bundle [ociVersion]: a bundle that prints and exits 3, in a cgroup the
# teardown removes
demo_bundle() {
    sh_bundle 'echo hello from $(hostname); sleep 0.1; exit 3' \
        '.linux.cgroupsPath = $cg | .ociVersion = $v' \
        --arg cg "/oci-rt-test/$ID" --arg v "${1:-1.3.0}"
}

# assert_phases FILE PROC PHASE...: the profile has rows of each phase in a
# process named PROC ("runtime", "init", "runc:[2:INIT]", ...)
assert_phases() {
    local file=$1 proc=$2 p missing=() have
    shift 2
    have=$(jq -r --arg p "$proc" 'select(.proc == $p) | .name' "$file" | sort -u)
    for p in "$@"; do
        grep -qxF -- "$p" <<<"$have" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] || {
        echo "$proc: missing phases: ${missing[*]}" >&2
        echo "$proc has: $(tr '\n' ',' <<<"$have")" >&2
        false
    }
}

mono_ns() { python3 -c 'import time; print(time.monotonic_ns())'; }

# assert_covers FILE BEFORE AFTER: every process's rows follow each other
# without a gap or an overlap, each longer than zero; the first process's
# rows lie between BEFORE and AFTER (CLOCK_MONOTONIC, taken outside) and
# every other process lives within the first one's rows or after its fork.
assert_covers() {
    python3 - "$@" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
before, after = int(sys.argv[2]), int(sys.argv[3])
bad, by = [], {}
for r in rows:
    by.setdefault(r["pid"], []).append(r)
for pid, rs in by.items():
    rs.sort(key=lambda r: r["mono"])
    for a, b in zip(rs, rs[1:]):
        if a["mono"] + a["dur"] != b["mono"]:
            bad.append(f"pid {pid}: {a['name']} ends at {a['mono'] + a['dur']}, "
                       f"{b['name']} starts at {b['mono']}")
    bad += [f"pid {pid}: {r['name']} lasts 0" for r in rs if r["dur"] <= 0]
root = [r for r in rows if r["proc"] == "runtime"]
if not root:
    bad.append("no runtime rows")
else:
    lo, hi = min(r["mono"] for r in root), max(r["mono"] + r["dur"] for r in root)
    if lo < before or hi > after:
        bad.append(f"runtime rows [{lo}, {hi}] outside the run [{before}, {after}]")
    for pid, rs in by.items():
        if rs[0]["mono"] < lo or rs[-1]["mono"] + rs[-1]["dur"] > after:
            bad.append(f"pid {pid} lives outside the run")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# tracefs_state: what a profile must not change: tracefs and debugfs mounts
# of this namespace, and tracefs's global settings (read from a private
# mount of it in a private mount namespace), with its oci-rt instances.
tracefs_state() {
    awk '$9 == "tracefs" || $9 == "debugfs" { print "mount " $5 }' /proc/self/mountinfo
    unshare -m --propagation private sh -c '
        d=$(mktemp -d) && mount -t tracefs nodev "$d" && cd "$d" || exit 1
        for f in tracing_on current_tracer trace_options set_event set_event_pid \
            set_event_notrace_pid set_ftrace_pid trace_clock buffer_size_kb dynamic_events \
            uprobe_events events/enable; do
            sed "s|^|$f: |" "$f" 2>/dev/null
        done
        ls instances | grep -iE "oci|profile" | sed "s/^/instance /"
        cd / && umount "$d" && rmdir "$d"'
}

# bpf_prog_ids PID: the ids of the BPF programs process PID holds
bpf_prog_ids() {
    grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u
}

@test "profile: root only, bad arguments, a missing command: one line each, nothing run" {
    run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$OCI_RT" profile -- /bin/true
    assert_error_line 'profile' 'needs root'
    run --separate-stderr "$OCI_RT" profile --format xml -- /bin/true
    assert_error_line 'format xml' 'table, json or chrome'
    run --separate-stderr "$OCI_RT" profile
    assert_error_line 'COMMAND' '--exe'
    run --separate-stderr "$OCI_RT" profile --duration 5s -- /bin/true
    assert_error_line 'duration' 'only with --exe'
    run --separate-stderr "$OCI_RT" profile --exe /bin/true -- /bin/true
    assert_error_line 'exclude'
    run --separate-stderr "$OCI_RT" profile --exe /no/such/runtime
    assert_error_line '/no/such/runtime' 'no such file'
    run --separate-stderr "$OCI_RT" profile --exe /bin/true --duration 1fortnight
    assert_error_line 'duration 1fortnight'
    run --separate-stderr "$OCI_RT" profile -- /no/such/command
    assert_error_line '/no/such/command' 'not found'
    run --separate-stderr "$OCI_RT" profile --out /no/such/dir/p.json -- /bin/true
    assert_error_line '/no/such/dir/p.json' 'no such file'
    run -0 "$OCI_RT" profile --rules
    [[ "$output" == *"pivot_root"* ]]
    [[ "$output" == *"config parse"* ]]
}

@test "profile oci-rt run: every phase, named as oci-rt names them; rows cover each process's life" {
    demo_bundle
    P=$BATS_TEST_TMPDIR/p.json
    t0=$(mono_ns)
    profile_json "$P" "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    t1=$(mono_ns)
    # the command's output and exit status pass through
    [ "$status" -eq 3 ]
    [[ "$output" == "hello from "* ]]
    assert_phases "$P" runtime "exec and dynamic loading" "config parse" "exec stub memfd" \
        "state directory and lock" "cgroup create" "sync channels" "clone init" \
        "cgroup devices" "state write" "wait for child (idle)" "cgroup remove" "state remove"
    assert_phases "$P" init "cgroup join (v1)" "rootfs prepare" "mount /proc" "mount /dev" \
        "mount /dev/pts" "mount /sys" "pivot_root" "readonly and masked paths" \
        "root read-only" "capabilities" "user and groups" "execve" "container process"
    [ "$(jq -r .id "$P" | sort -u)" = "$ID" ]
    [ "$(jq -r .op "$P" | sort -u)" = run ]
    run assert_covers "$P" "$t0" "$t1"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    # the same rows through oci-rt trace, as a waterfall and for Perfetto
    run -0 "$OCI_RT" trace "$P"
    [[ "$output" == *"run $ID"*"traced 100.0%"* ]]
    [[ "$output" == *"pivot_root"*"init "* ]]
    run -0 "$OCI_RT" trace --format chrome "$P"
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(e["name"] == "mount /proc" for e in d["traceEvents"])' <<<"$output"
    assert_clean "$ID"
}

@test "profile runc run: its stages by their names, every phase present" {
    command -v runc >/dev/null || skip "runc is not installed and apt-get could not install it"
    demo_bundle
    P=$BATS_TEST_TMPDIR/p.json
    t0=$(mono_ns)
    profile_json "$P" runc --root "$BATS_TEST_TMPDIR/runc" run -b "$BUNDLE" "$ID"
    t1=$(mono_ns)
    [ "$status" -eq 3 ]
    assert_phases "$P" runtime "exec and dynamic loading" "config parse" "cgroup create" \
        "cgroup join" "state directory and lock" "state write" "sync channels" "clone process" \
        "cgroup devices" "state remove"
    assert_phases "$P" "runc:[0:PARENT]" "runtime binary copy" "exec and dynamic loading" \
        "clone process"
    assert_phases "$P" "runc:[1:CHILD]" "unshare mnt,uts,ipc,pid,net" "clone process"
    assert_phases "$P" "runc:[2:INIT]" "rootfs prepare" "mount /proc" "mount /dev" \
        "mount /sys/fs/cgroup" "devices" "pivot_root" "readonly and masked paths" \
        "root read-only" "hostname" "capabilities" "user and groups" "execve" \
        "container process"
    [ "$(jq -r 'select(.proc == "runtime") | .id' "$P" | sort -u)" = "$ID" ]
    run assert_covers "$P" "$t0" "$t1"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    assert_clean "$ID"
}

@test "profile crun run (private cgroup2 view, memlock shim): every phase present" {
    command -v crun >/dev/null || skip "crun is not installed and apt-get could not install it"
    [ -f "$BATS_FILE_TMPDIR/memlock_shim.so" ] || skip "no C compiler for the memlock shim"
    demo_bundle 1.0.2 # crun 1.8 knows runtime-spec 1.0
    P=$BATS_TEST_TMPDIR/p.json
    t0=$(mono_ns)
    run --separate-stderr unshare -m --propagation private sh -c \
        'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh \
        "$OCI_RT" profile --format json --out "$P" -- \
        env LD_PRELOAD="$BATS_FILE_TMPDIR/memlock_shim.so" \
        crun --root "$BATS_TEST_TMPDIR/crun" run -b "$BUNDLE" "$ID"
    t1=$(mono_ns)
    [ "$status" -eq 3 ] || { echo "$stderr"; false; }
    assert_phases "$P" runtime "exec and dynamic loading" "runtime binary copy" "config parse" \
        "state directory and lock" "state write" "cgroup create" "sync channels" "clone init" \
        "cgroup devices" "kill" "cgroup remove" "state remove"
    assert_phases "$P" init "rootfs prepare" "mount /proc" "mount /dev" "mount /dev/pts" \
        "readonly and masked paths" "pivot_root" "hostname" "capabilities" "execve" \
        "container process"
    # env exec'd crun: the invocation is named by crun's command line
    [ "$(jq -r .op "$P" | sort -u)" = run ]
    run assert_covers "$P" "$t0" "$t1"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    assert_clean "$ID"
}

@test "profile: tracefs and BPF are left as they were; Ctrl-C stops it cleanly" {
    command -v bpftool >/dev/null || skip "bpftool is not installed (tests/run.sh installs it)"
    sh_bundle 'trap "exit 130" INT TERM; echo up; while :; do sleep 0.1; done' \
        '.linux.cgroupsPath = $cg' --arg cg "/oci-rt-test/$ID"
    P=$BATS_TEST_TMPDIR/p.json
    before=$(tracefs_state)
    setsid "$OCI_RT" profile --format json --out "$P" -- \
        "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
        >"$OUT_DIR/run.out" 2>"$OUT_DIR/run.err" </dev/null &
    prof=$!
    defer "kill -9 -- -$prof"
    wait_for_line "$OUT_DIR/run.out" '^up$' 10
    ids=$(bpf_prog_ids "$prof")
    [ "$(wc -w <<<"$ids")" -ge 5 ] || { echo "profile holds BPF programs: '$ids'" >&2; false; }
    # ^C: SIGINT to the whole process group, as a terminal sends it
    kill -INT -- "-$prof"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$prof" 2>/dev/null || break
        sleep 0.1
    done
    st=0
    wait "$prof" || st=$?
    [ "$st" -eq 130 ] || { cat "$OUT_DIR/run.err"; false; }
    # what was traced is written; the container is gone; no program is left
    assert_phases "$P" runtime "clone init" "wait for child (idle)"
    assert_phases "$P" init "pivot_root" "execve" "container process"
    # (the kernel frees a program when the last reference goes, soon after)
    for ((i = 0; i < 50; i++)); do
        left=$(for id in $ids; do
            if bpftool prog show id "$id" >/dev/null 2>&1; then echo "$id"; fi
        done)
        [ -z "$left" ] && break
        sleep 0.1
    done
    [ -z "$left" ] || { echo "BPF programs left: $left" >&2; false; }
    [ "$(tracefs_state)" = "$before" ]
    assert_clean "$ID"
}

@test "profile: SIGTERM to the profile alone is passed on to the command" {
    "$OCI_RT" profile --format json --out "$BATS_TEST_TMPDIR/p.json" -- sleep 30 \
        >/dev/null 2>"$OUT_DIR/p.err" &
    prof=$!
    defer "kill -9 $prof"
    for ((i = 0; i < 100; i++)); do
        pgrep -P "$prof" -x sleep >/dev/null && break
        sleep 0.05
    done
    kill -TERM "$prof"
    st=0
    wait "$prof" || st=$?
    [ "$st" -eq 143 ] || { cat "$OUT_DIR/p.err"; false; } # sleep died of SIGTERM
    [ "$(jq -r 'select(.proc == "runtime") | .op' "$BATS_TEST_TMPDIR/p.json" | sort -u)" = sleep ]
}

@test "profile: two at once, each sees its own command only" {
    sh_bundle 'sleep 0.3' '.linux.cgroupsPath = $cg' --arg cg "/oci-rt-test/$ID-a"
    A=$BUNDLE
    sh_bundle 'sleep 0.3' '.linux.cgroupsPath = $cg' --arg cg "/oci-rt-test/$ID-b"
    B=$BUNDLE
    note_cgroup "/oci-rt-test/$ID-a"
    note_cgroup "/oci-rt-test/$ID-b"
    "$OCI_RT" profile --format json --out "$BATS_TEST_TMPDIR/a.json" -- \
        "$OCI_RT" --root "$ROOT" run --bundle "$A" "$ID-a" >/dev/null 2>"$OUT_DIR/a.err" &
    pa=$!
    "$OCI_RT" profile --format json --out "$BATS_TEST_TMPDIR/b.json" -- \
        "$OCI_RT" --root "$ROOT" run --bundle "$B" "$ID-b" >/dev/null 2>"$OUT_DIR/b.err" &
    pb=$!
    wait "$pa" || { cat "$OUT_DIR/a.err"; false; }
    wait "$pb" || { cat "$OUT_DIR/b.err"; false; }
    for x in a b; do
        f=$BATS_TEST_TMPDIR/$x.json
        [ "$(jq -r .id "$f" | sort -u)" = "$ID-$x" ]
        assert_phases "$f" runtime "config parse" "clone init" "cgroup remove"
        assert_phases "$f" init "pivot_root" "execve" "container process"
    done
    # no pid in both
    [ -z "$(comm -12 <(jq -r .pid "$BATS_TEST_TMPDIR/a.json" | sort -u) \
        <(jq -r .pid "$BATS_TEST_TMPDIR/b.json" | sort -u))" ]
    assert_clean "$ID-a"
    assert_clean "$ID-b"
}

# pm ARGS...: podman with private storage (vfs), run root, tmp dir and
# config, running $OCI_RT, in the test's cgroup parent, without network
pm() {
    local P=$BATS_TEST_TMPDIR/pm
    CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf \
        podman --runtime "$OCI_RT" --root "$P/root" --runroot "$P/run" --tmpdir "$P/tmp" \
        --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
        --network-config-dir "$P/net" "$@"
}

pm_setup() {
    local P=$BATS_TEST_TMPDIR/pm
    mkdir -p "$P/root" "$P/run" "$P/tmp" "$P/net"
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n%s\n' \
        'netns = "none"' >"$P/containers.conf"
    printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n%s\n' \
        "events_logfile_path = \"$P/events.log\"" >>"$P/containers.conf"
    printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$P/root" "$P/run" \
        >"$P/storage.conf"
    # what podman makes outside its private dirs: removed when it is new
    local f
    for f in /var/lib/containers /etc/cni/net.d/cni.lock; do
        [ -e "$f" ] || defer "rm -rf -- $f"
    done
    defer "pm rm -af -t 0; pm rmi -af; _rm_cgroup /oci-rt-test/$ID/conmon"
    tar -C "$ROOTFS" -cf "$P/rootfs.tar" . && pm import "$P/rootfs.tar" localhost/ocitest:latest
}

@test "profile --exe: each oci-rt run by Podman is a waterfall of its own" {
    command -v podman >/dev/null || skip "podman is not installed (tests/clients/run.sh installs it)"
    pm_setup >/dev/null 2>"$OUT_DIR/pm.err" || { cat "$OUT_DIR/pm.err"; false; }
    P=$BATS_TEST_TMPDIR/p.json
    "$OCI_RT" profile --exe "$OCI_RT" --duration 60s --format json --out "$P" \
        >/dev/null 2>"$OUT_DIR/prof.err" &
    prof=$!
    defer "kill -9 $prof"
    wait_for_line "$OUT_DIR/prof.err" 'profiling every run of' 10
    run -0 pm run --rm --cgroup-parent "/oci-rt-test/$ID" --network none \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/ocitest:latest \
        /bin/echo hi from podman
    [[ "$output" == *"hi from podman"* ]]
    kill -INT "$prof"
    st=0
    wait "$prof" || st=$?
    [ "$st" -eq 0 ] || { cat "$OUT_DIR/prof.err"; false; }
    # create, start and delete (at least) are separate invocations of one
    # container, each with its own first process
    run -0 jq -r 'select(.proc == "runtime" and .name == "exec and dynamic loading") | .op' "$P"
    for op in create start delete; do
        grep -qx "$op" <<<"$output" || { echo "no $op invocation: $output" >&2; false; }
    done
    [ "$(jq -r 'select(.op == "create") | .id' "$P" | sort -u | wc -l)" -eq 1 ]
    cid=$(jq -r 'select(.op == "create") | .id' "$P" | head -n1)
    [ "$(jq -r 'select(.op == "delete") | .id' "$P" | sort -u)" = "$cid" ]
    jq -e -s --arg c "$cid" 'map(select(.op == "create" and .id == $c) | .cmd) | unique | length == 1' "$P"
    assert_phases "$P" init "mount /proc" "pivot_root" "execve" "container process"
}
