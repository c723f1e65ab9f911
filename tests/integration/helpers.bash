# shellcheck shell=bash
# Helpers for the oci-rt integration tests (bats).  Load with `load helpers`.
#
# Environment:
#   OCI_RT             the binary under test (default: <repo>/oci-rt)
#   OCI_RT_TEST_CACHE  where the test rootfs is built once (default /var/tmp/oci-rt-test)
#
# Per test: ROOT (state root), ID (a unique container ID), BUNDLE (last made
# bundle), OUT_DIR (files for detached containers' stdio).

bats_require_minimum_version 1.5.0

# (bats loads this file again for every test: what takes a fork is worked
# out once, in the file's process, and exported to its tests)
if ! [ "${OCI_RT_INTEGRATION_DIR:-/nonexistent}/helpers.bash" -ef "${BASH_SOURCE[0]}" ]; then
    OCI_RT_INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    OCI_RT_REPO=$(cd "$OCI_RT_INTEGRATION_DIR/../.." && pwd)
    export OCI_RT_INTEGRATION_DIR OCI_RT_REPO
fi
# shellcheck disable=SC2034 # foreign.bats uses it
INTEGRATION_DIR=$OCI_RT_INTEGRATION_DIR
REPO=$OCI_RT_REPO
OCI_RT=${OCI_RT:-$REPO/oci-rt}
TEST_CACHE=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
ROOTFS=$TEST_CACHE/rootfs
CGROUP_FS=/sys/fs/cgroup

# ---------------------------------------------------------------- setup

# Builds the rootfs once per run (mkrootfs.sh is idempotent and fast when up
# to date; it takes a lock, so parallel callers are fine).
ensure_rootfs() {
    mkdir -p "$TEST_CACHE"
    bash "$REPO/tests/lib/mkrootfs.sh" "$ROOTFS" >/dev/null 2>"$TEST_CACHE/mkrootfs.log" || {
        cat "$TEST_CACHE/mkrootfs.log" >&2
        return 1
    }
}

# Default per-file setup.
setup_file() {
    local i
    # The binary may be being relinked by a concurrent make.
    for ((i = 0; i < 60; i++)); do
        [ -x "$OCI_RT" ] && break
        sleep 0.5
    done
    [ -x "$OCI_RT" ] || {
        echo "# $OCI_RT is missing: run make first" >&3
        return 1
    }
    ensure_rootfs
}

# A short tag for this run, so that IDs are unique across runs and tests.
_run_tag() {
    if [ -z "${OCI_RT_TEST_TAG:-}" ]; then
        printf -v OCI_RT_TEST_TAG 'it%05d%04x' "$((BATS_ROOT_PID % 100000))" "$((RANDOM % 65536))"
        export OCI_RT_TEST_TAG
    fi
    printf '%s' "$OCI_RT_TEST_TAG"
}

setup() {
    [ "$EUID" = 0 ] || skip "the integration tests need root"
    ROOT=$BATS_TEST_TMPDIR/state
    OUT_DIR=$BATS_TEST_TMPDIR/out
    mkdir -p "$OUT_DIR"
    _run_tag >/dev/null
    ID="$OCI_RT_TEST_TAG-${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}"
    BUNDLE=""
    BUNDLE_SEQ=0
    NETNS_CREATED=()
    CGROUPS_CREATED=()
    declare -gA CONTAINER_PIDS=()
    DEFERRED=()
    export ROOT ID
}

# defer CMD: a shell command (eval'd) that teardown runs first, the last
# deferred first; for host objects a test makes (links, users, mounts).
defer() {
    DEFERRED+=("$*")
}

teardown() {
    local c pid p i
    # 0. The test's own deferred clean-ups.
    for ((i = ${#DEFERRED[@]} - 1; i >= 0; i--)); do
        eval "${DEFERRED[i]}" >/dev/null 2>&1 || true
    done
    DEFERRED=()
    # 1. Force-delete every container this test left under its own root.
    if [ -d "${ROOT:-}" ]; then
        for c in $("$OCI_RT" --root "$ROOT" list -q 2>/dev/null) $(ls -A "$ROOT" 2>/dev/null); do
            "$OCI_RT" --root "$ROOT" delete --force "$c" >/dev/null 2>&1 || true
        done
    fi
    # 2. Kill processes that still belong to this test's containers.
    for pid in $(_leftover_pids "${ID:-none}" "${CGROUPS_CREATED[@]}"); do
        kill -9 "$pid" 2>/dev/null || true
    done
    # 3. Cgroup directories the test (or its containers) made: only names
    #    carrying this run's unique ID.
    for p in "${CGROUPS_CREATED[@]}" "/oci-rt/$ID" "/oci-rt-test/$ID"; do
        _rm_cgroup "$p"
    done
    _rm_cgroup_parent_if_empty /oci-rt-test
    # 4. Network namespaces.
    for c in "${NETNS_CREATED[@]}"; do
        ip netns delete "$c" 2>/dev/null || true
    done
    # 5. Mounts left under the test's temp dir, then the dir itself.
    if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
        _mounts_under "$BATS_TEST_TMPDIR" | sort -r | while read -r p; do
            umount -l "$p" 2>/dev/null || true
        done
        rm -rf --one-file-system "$BATS_TEST_TMPDIR" 2>/dev/null || true
    fi
}

# The root of every cgroup hierarchy, one a line: /sys/fs/cgroup itself on
# a cgroup v2 host (its subdirectories are cgroups there), else each v1
# hierarchy and the unified one under it.
cg_hierarchies() {
    local h
    if [ -f "$CGROUP_FS/cgroup.controllers" ]; then # (the guest's stat is busybox's)
        echo "$CGROUP_FS"
        return
    fi
    for h in "$CGROUP_FS"/*/; do echo "${h%/}"; done
}

# rmdir a cgroup (relative path) in every hierarchy, children first.
_rm_cgroup() {
    local rel=$1 h d i
    [ -n "$rel" ] && [ "$rel" != / ] || return 0
    for h in $(cg_hierarchies); do
        d="$h$rel"
        # a process killed just before is still leaving it (EBUSY): a second
        for ((i = 0; i < 20; i++)); do
            [ -d "$d" ] || break
            find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.05
        done
    done
}

_rm_cgroup_parent_if_empty() {
    local h
    for h in $(cg_hierarchies); do
        if [ -d "$h$1" ]; then rmdir "$h$1" 2>/dev/null || true; fi
    done
}

# ---------------------------------------------------------------- running

oci() {
    "$OCI_RT" --root "$ROOT" "$@"
}

# The dynamically linked oci-rt, for what works only on a dynamic program
# (LD_PRELOAD, valgrind's malloc): oci-rt-dynamic beside a static oci-rt
# (libcontainer/dynload.h), else oci-rt itself.
oci_rt_dynamic() {
    local d
    d=$(dirname "$OCI_RT")/oci-rt-dynamic
    if [ -x "$d" ]; then echo "$d"; else echo "$OCI_RT"; fi
}

# make_bundle [jq-filter [jq args...]]
# Makes a new bundle directory (sets BUNDLE) whose config.json is `oci-rt
# spec` with terminal=false, root.path the cached rootfs, args ocitest report,
# then the filter applied.  Extra arguments go to jq (e.g. --arg x y).
make_bundle() {
    local filter=${1:-.}
    shift || true
    BUNDLE_SEQ=$((BUNDLE_SEQ + 1))
    BUNDLE=$BATS_TEST_TMPDIR/bundle$BUNDLE_SEQ
    mkdir -p "$BUNDLE"
    "$OCI_RT" spec --bundle "$BUNDLE" || return 1
    jq --arg rootfs "$ROOTFS" --arg id "$ID" --arg bundle "$BUNDLE" "$@" \
        '.process.terminal = false
         | .root.path = $rootfs
         | .process.args = ["/usr/bin/ocitest", "report"]
         | '"$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" || return 1
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# A private copy of the rootfs (for tests that write to it).
copy_rootfs() {
    local dst=$BATS_TEST_TMPDIR/rootfs-copy
    cp -a "$ROOTFS" "$dst"
    printf '%s' "$dst"
}

# Runs `oci-rt [global...] create|run -d ...` with stdio in files, since a
# detached container keeps its stdio open (bats' `run` would wait forever).
# oci_detached [global opts --] create|run ARGS...
# Sets status, output (its stdout) and stderr like `run --separate-stderr`;
# the container's later output goes to $OUT_DIR/<last arg>.{out,err}.
oci_detached() {
    local globals=() name
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do
            globals+=("$1")
            shift
        done
        shift
    fi
    name=${*: -1}
    name=${name//\//_}
    name=${name:-noid}
    status=0
    "$OCI_RT" --root "$ROOT" "${globals[@]}" "$@" \
        </dev/null >"$OUT_DIR/$name.out" 2>"$OUT_DIR/$name.err" 3>&- || status=$?
    output=$(cat "$OUT_DIR/$name.out")
    stderr=$(cat "$OUT_DIR/$name.err")
    [ "$status" -ne 0 ] || _record_pid "${*: -1}"
}

# unflake CMD...: runs CMD. (It used to retry the create/run errors the
# runtime lost as "sync socket: ..."; that bug is fixed and a retry would
# now hide a regression.)
unflake() {
    "$@"
}

# create ID from BUNDLE; fails the test when create fails.
create_ok() {
    local id=${1:-$ID}
    shift || true
    oci_detached create --bundle "$BUNDLE" "$@" "$id"
    if [ "$status" -ne 0 ]; then
        echo "create $id failed ($status): $stderr" >&2
        return 1
    fi
}

# create + start; the container's stdout goes to $OUT_DIR/ID.out.
start_ok() {
    local id=${1:-$ID}
    create_ok "$@" || return 1
    oci start "$id" || {
        echo "start $id failed" >&2
        return 1
    }
}

container_out() {
    cat "$OUT_DIR/${1:-$ID}.out"
}

container_pid() {
    oci state "${1:-$ID}" | jq -r .pid
}

# wait_for_status ID STATUS [timeout seconds]
wait_for_status() {
    local id=$1 want=$2 timeout=${3:-5} st="" i
    for ((i = 0; i < timeout * 20; i++)); do
        st=$(oci state "$id" 2>/dev/null | jq -r .status)
        [ "$st" = "$want" ] && return 0
        sleep 0.05
    done
    echo "container $id: status '$st', wanted '$want' within ${timeout}s" >&2
    return 1
}

# wait_for_file_line FILE REGEX [timeout]
wait_for_line() {
    local file=$1 re=$2 timeout=${3:-5} i
    for ((i = 0; i < timeout * 20; i++)); do
        grep -qE -- "$re" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "no line matching '$re' in $file within ${timeout}s; it has:" >&2
    cat "$file" >&2 2>/dev/null
    return 1
}

# ---------------------------------------------------------------- asserts

# The value of key in ocitest's key=value output (default: $output).
kv() {
    local key=$1 text=${2-$output}
    printf '%s\n' "$text" | sed -n "s/^${key//./\\.}=//p" | head -n1
}

assert_kv() {
    local key=$1 want=$2 got
    got=$(kv "$key" "${3-$output}")
    if [ "$got" != "$want" ]; then
        echo "$key: got '$got', want '$want'" >&2
        return 1
    fi
}

# Hex capability mask (16 digits) from capability numbers.
capmask() {
    local m=0 n
    for n in "$@"; do
        m=$((m | (1 << n)))
    done
    printf '%016x' "$m"
}

# assert_error_line REGEX... : failure status, exactly one non-empty line on
# stderr, and it matches every (case-insensitive, extended) regex.
assert_error_line() {
    local re lines
    [ -z "${OCI_RT_TEST_SHOW_ERRORS:-}" ] || echo "# stderr: $stderr" >&3
    if [ "$status" -eq 0 ]; then
        echo "expected failure, got status 0; stderr: $stderr" >&2
        return 1
    fi
    lines=$(printf '%s\n' "$stderr" | grep -c . || true)
    if [ "$lines" -ne 1 ]; then
        echo "expected one line on stderr, got $lines:" >&2
        printf '%s\n' "$stderr" >&2
        return 1
    fi
    for re in "$@"; do
        if ! printf '%s\n' "$stderr" | grep -qiE -- "$re"; then
            echo "stderr does not match '$re': $stderr" >&2
            return 1
        fi
    done
}

# Mount points (from our mountinfo) whose path contains $1.
_mounts_under() {
    awk -v d="$1" 'index($5, d) { print $5 }' /proc/self/mountinfo
}

# _proc_stat PID: the fields of /proc/PID/stat after the command name (which
# may hold spaces) in the array STAT: STAT[0] is field 3 (the state), STAT[1]
# the parent, STAT[19] the start time. Without a fork (every teardown reads a
# dozen); fails when PID is gone.
_proc_stat() {
    local line
    read -r line 2>/dev/null <"/proc/$1/stat" || return 1
    read -r -a STAT <<<"${line##*) }"
}

# The current shell and its ancestors (never a container's processes).
_ancestors() {
    local pid=$BASHPID
    while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
        echo "$pid"
        _proc_stat "$pid" || break
        pid=${STAT[1]}
    done
}

# Pids of processes that belong to container ID: cmdline mentions ID as a
# word, cwd/root is inside one of the test's bundles, it is in cgroup
# /oci-rt/ID (or one of the given cgroup paths), or it is a pid recorded for
# ID while the container existed (same start time).
_leftover_pids() {
    local id=$1 re self cgre p
    shift
    # "[i]d": the pattern does not match grep's own command line.
    re="[${id:0:1}]${id:1}"
    re=${re//./\\.}
    cgre="/oci-rt/$re"
    for p in "$@"; do
        cgre="$cgre|${p//./\\.}"
    done
    self=$(_ancestors | paste -sd'|')
    (
        cd / || exit 1
        {
            grep -lzE "^(.*[^A-Za-z0-9_.-])?${re}([^A-Za-z0-9_.-].*)?\$" /proc/[0-9]*/cmdline 2>/dev/null
            grep -lE ":(${cgre})\$" /proc/[0-9]*/cgroup 2>/dev/null
            find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 \
                -lname "$BATS_TEST_TMPDIR/bundle*" 2>/dev/null
            for p in ${CONTAINER_PIDS[$id]:-}; do
                if [ "$(_starttime "${p%:*}")" = "${p#*:}" ]; then echo "/proc/${p%:*}"; fi
            done
        } | cut -d/ -f3 | sort -u | grep -vxE "$self" | while read -r p; do
            # A zombie is dead; it waits for its parent (often the host's
            # init, for a container whose runtime process exited) to reap it.
            if alive "$p"; then echo "$p"; fi
        done
    )
}

# alive PID: the process exists and is not a zombie.
alive() {
    _proc_stat "$1" && [ "${STAT[0]}" != Z ] && [ "${STAT[0]}" != X ]
}

_starttime() {
    if _proc_stat "$1"; then echo "${STAT[19]}"; fi
}

# Remembers the pid of container ID (for assert_clean), if it has one.
_record_pid() {
    local id=$1 st pid
    st=$("$OCI_RT" --root "$ROOT" state "$id" 2>/dev/null) || return 0
    pid=$(jq -r '.pid // 0' <<<"$st")
    [ "$pid" -gt 0 ] 2>/dev/null || return 0
    CONTAINER_PIDS[$id]="${CONTAINER_PIDS[$id]:-} $pid:$(_starttime "$pid")"
}

# _empty_parent DIR: DIR stays the same empty directory for a second.
_empty_parent() {
    local d=$1 ino k
    ino=$(stat -c %i "$d" 2>/dev/null) || return 1
    for ((k = 0; k < 5; k++)); do
        [ -n "$(find "$d" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ] && return 1
        [ "$(stat -c %i "$d" 2>/dev/null)" = "$ino" ] || return 1
        sleep 0.2
    done
}

# assert_clean ID [cgroupsPath...]
# Fails when anything of container ID is left: its state dir, a cgroup
# named ID (or the given cgroupsPaths), a process, a mount in the bundles.
assert_clean() {
    local id=$1 h p pids i left=()
    shift
    [ ! -e "$ROOT/$id" ] || left+=("state dir $ROOT/$id")
    for h in $(cg_hierarchies); do
        for p in "/oci-rt/$id" "$@"; do
            [ ! -d "$h$p" ] || left+=("cgroup $h$p")
        done
        while read -r p; do
            [ -z "$p" ] || left+=("cgroup $p")
        done < <(find "$h" -maxdepth 4 -type d -name "$id" 2>/dev/null)
        # /oci-rt is removed when empty. Another user of the runtime may be
        # between its mkdirs or rmdirs right now: a leftover is the same
        # directory (inode), empty, in five looks over a second.
        _empty_parent "$h/oci-rt" && left+=("empty parent cgroup $h/oci-rt")
    done
    for ((i = 0; i < 20; i++)); do
        pids=$(_leftover_pids "$id" "$@")
        [ -z "$pids" ] && break
        sleep 0.05
    done
    for p in $pids; do
        left+=("process $p: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")")
    done
    while read -r p; do
        [ -z "$p" ] || left+=("mount $p")
    done < <(_mounts_under "$BATS_TEST_TMPDIR/bundle"; _mounts_under "$ROOT/$id")
    [ ${#left[@]} -eq 0 ] && return 0
    echo "container $id left behind:" >&2
    printf '%s\n' "${left[@]}" | sort -u | sed 's/^/  /' >&2
    return 1
}

# Records a cgroup path (relative to each hierarchy) for teardown.
note_cgroup() {
    CGROUPS_CREATED+=("$1")
}

# ip netns add NAME, removed in teardown.
make_netns() {
    command -v ip >/dev/null 2>&1 || {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q iproute2 >/dev/null 2>&1 || return 1
    }
    ip netns add "$1" || return 1
    NETNS_CREATED+=("$1")
}

# sh_bundle SCRIPT [jq-filter [jq args...]]: a bundle running /bin/sh -c SCRIPT.
sh_bundle() {
    local script=$1 filter=${2:-.}
    shift 2 || shift
    make_bundle '.process.args = ["/bin/sh", "-c", $script] | '"$filter" --arg script "$script" "$@"
}

# The mountinfo line (from $output) whose mount point is $1.
mountinfo_line() {
    printf '%s\n' "$output" | awk -v m="$1" '$5 == m' | tail -n1
}

# skip_part REASON: a part of the test's checks cannot run here and is left
# out (the rest runs and is judged); tests/run.sh lists these lines with
# the skips.
skip_part() {
    echo "# skip part: $*" >&3
}

# not CMD...: succeeds when CMD fails (a bare `!` does not fail a bats test).
not() {
    if "$@"; then
        echo "not expected to succeed: $*" >&2
        return 1
    fi
    return 0
}

# console_receiver SOCKET OUTFILE: in the background, listens on SOCKET for
# a terminal master fd (SCM_RIGHTS), then copies what it reads to OUTFILE
# until the terminal closes.  Sets CONSOLE_PID; waits until it listens.
console_receiver() {
    local i
    python3 - "$1" "$2" <<'PY' 3>&- &
import array, os, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(5)
open(path + ".ready", "w").close()
try:
    c, _ = s.accept()
except socket.timeout:
    sys.exit("console_receiver: nobody connected")
c.settimeout(5)
msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(16))
fds = array.array("i")
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - len(data) % 4])
if not fds:
    sys.exit("console_receiver: no fd received")
buf, end = b"", time.time() + 10
while time.time() < end:
    try:
        d = os.read(fds[0], 4096)
    except OSError:
        break
    if not d:
        break
    buf += d
open(out, "wb").write(buf)
PY
    # shellcheck disable=SC2034 # used by the tests
    CONSOLE_PID=$!
    for ((i = 0; i < 100; i++)); do
        [ -e "$1.ready" ] && return 0
        sleep 0.05
    done
    return 1
}
