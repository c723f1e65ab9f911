#!/usr/bin/env bats
# Path races: no path the container can race is trusted (the 2025 escape
# classes CVE-2025-31133 masked paths, CVE-2025-52565 /dev/console,
# CVE-2025-52881 procfs writes, and the racing form of CVE-2019-19921).
#
# In each test a second container (the attacker, race_attack.c) shares a
# directory with the victim and flips a name in it, in a tight loop,
# between what the runtime expects and symlinks into /proc (to
# /proc/sys/kernel/core_pattern, and to /proc/sysrq-trigger, which kernels
# from 6.1x no longer let anyone mount from or onto); meanwhile the
# runtime creates the victim again and again (RACE_CREATES, default 200,
# within RACE_SECONDS, default 40). After every create the test checks, in
# the created container (its mountinfo and what it sees through
# /proc/PID/root), that no procfs file other than the intended one was
# mounted or written, and that a failed create said why in one line. The
# host's /proc/sys/kernel/core_pattern and /proc/sysrq-trigger are only
# ever read (and named in symlinks): the created containers never run.
#
# OCI_RT may name another runtime (e.g. OCI_RT=/usr/sbin/runc bats
# tests/security/race.bats) to see whether it withstands the same attacks.

load ../integration/helpers

RACE_CREATES=${RACE_CREATES:-200}
RACE_SECONDS=${RACE_SECONDS:-40}
BATS_TEST_TIMEOUT=$((RACE_SECONDS + 90))

eval "$(declare -f setup_file | sed '1s/^setup_file/_helpers_setup_file/')"

setup_file() {
    _helpers_setup_file || return 1
    gcc -static -O2 -o "$BATS_FILE_TMPDIR/race_attack" "$BATS_TEST_DIRNAME/race_attack.c"
}

eval "$(declare -f setup | sed '1s/^setup/_helpers_setup/')"

setup() {
    _helpers_setup
    CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern)
    OCIRT=0
    "$OCI_RT" --version 2>/dev/null | grep -q oci-rt && OCIRT=1
    RACE_LOG=$BATS_TEST_TMPDIR/race.log
    : >"$RACE_LOG"
}

# A directory shaped like /dev (the nodes the default set has, /dev/ptmx
# -> pts/ptmx, a file for the console), bind-mounted as the victim's /dev.
make_shared_dev() {
    SHARED=$BATS_TEST_TMPDIR/shared
    mkdir -p "$SHARED"/{pts,shm,mqueue}
    mknod -m 666 "$SHARED/null" c 1 3
    mknod -m 666 "$SHARED/zero" c 1 5
    mknod -m 666 "$SHARED/urandom" c 1 9
    ln -s pts/ptmx "$SHARED/ptmx"
    : >"$SHARED/console"
    chmod 755 "$SHARED"
}

# start_attacker DIR SCRIPT: the attacker container, DIR at /shared, the
# helper at /race; SCRIPT sets the names up and execs the helper.
start_attacker() {
    local dir=$1 script=$2 victim_bundle=$BUNDLE
    make_bundle '.mounts += [{"destination": "/shared", "type": "bind", "source": $d, "options": ["rbind", "rw"]},
                             {"destination": "/race", "type": "bind", "source": $r, "options": ["bind", "ro"]}]
        | .process.args = ["/bin/sh", "-c", $s]' \
        --arg d "$dir" --arg r "$BATS_FILE_TMPDIR/race_attack" --arg s "$script"
    start_ok "$ID-attacker"
    wait_for_line "$OUT_DIR/$ID-attacker.out" '^ready$' 10
    ATTACKER_PID=$(container_pid "$ID-attacker")
    ATTACKER_BUNDLE=$BUNDLE
    BUNDLE=$victim_bundle
}

# Stops the attacker; fails unless it flipped the names while the creates
# ran (its progress lines: flips=N fails=M errno=E).
stop_attacker() {
    local out=$OUT_DIR/$ID-attacker.out first last
    first=$(sed -n 's/^flips=\([0-9]*\) .*/\1/p' "$out" | head -n1)
    last=$(grep '^flips=' "$out" | tail -n1)
    oci delete --force "$ID-attacker"
    BUNDLE=$ATTACKER_BUNDLE assert_clean "$ID-attacker"
    echo "# attacker: $last" >&3
    [ -n "$last" ] && [ "$(sed 's/^flips=\([0-9]*\) .*/\1/' <<<"$last")" -gt "${first:-0}" ] || {
        echo "the attacker did not flip the names while the creates ran (first flips=${first:-none}, last: ${last:-none}): the race did not run" >&2
        return 1
    }
}

# What is wrong in the created container PID: a mount point below /proc
# that is not a masked path, a procfs/sysfs mount where none belongs, a pty
# outside /dev (the attacker may rename the file the pty is bound on, so
# /dev/console.x is fine), a masked file that is not the null device.
# PROC_BIND_AT: where the config binds a procfs file of its own (a regex).
inspect() {
    local pid=$1 p files=()
    awk -v masks="|$(printf '%s|' $MASKS)" -v allow="${PROC_BIND_AT:-^$}" '
        {
            for (i = 7; $i != "-"; i++) {}
            mp = $5; fs = $(i + 1)
            if (mp == "/proc" || mp == "/sys") next
            if (fs == "proc" && (mp ~ /^\/proc\// || mp !~ allow)) { print "procfs mounted at " mp " (" $4 ")"; next }
            if (fs == "sysfs" && mp !~ /^\/sys\//) { print "sysfs mounted at " mp " (" $4 ")"; next }
            if (fs == "devpts" && mp !~ /^\/dev\//) { print "a pty mounted at " mp; next }
            if (mp ~ /^\/proc\// && index(masks, "|" mp "|") == 0) print "a mount at " mp " (" fs " " $4 ")"
        }' "/proc/$pid/mountinfo"
    for p in $MASKS; do
        [ -f "$p" ] && [ -e "/proc/$pid/root$p" ] && files+=("/proc/$pid/root$p")
    done
    [ ${#files[@]} -eq 0 ] || stat -L -c '%F %t:%T %n' "${files[@]}" | grep -v '^character special file 1:3 ' |
        sed "s|/proc/$pid/root||; s/^/masked file is not the null device: /"
}

# race_loop [create args...]: creates, inspects and deletes the victim
# (BUNDLE) until RACE_CREATES or RACE_SECONDS. CHECK (a function, if set)
# inspects each created container (its pid); POST (if set) runs after
# every create, made or not. What they print is an attack. Each create is
# counted once: SAFE (made, nothing found), REFUSED (failed, with an
# error, nothing found), ATTACKED, or UNVERIFIED (made, but its mount table
# could not be read). Sets RUNS too.
race_loop() {
    local pid bad made errf=$BATS_TEST_TMPDIR/create.err pidf=$BATS_TEST_TMPDIR/pid
    local end=$((SECONDS + RACE_SECONDS))
    SAFE=0 REFUSED=0 ATTACKED=0 UNVERIFIED=0 RUNS=0
    MASKS=$(jq -r '.linux.maskedPaths // [] | .[]' "$BUNDLE/config.json")
    while [ "$RUNS" -lt "$RACE_CREATES" ] && [ "$SECONDS" -lt "$end" ]; do
        RUNS=$((RUNS + 1))
        rm -f "$pidf"
        made=0 bad=""
        if "$OCI_RT" --root "$ROOT" create --bundle "$BUNDLE" --pid-file "$pidf" "$@" "$ID" \
            </dev/null >/dev/null 2>"$errf" 3>&-; then
            made=1
            pid=$(cat "$pidf")
            if [ -r "/proc/$pid/mountinfo" ] && head -c1 "/proc/$pid/mountinfo" >/dev/null 2>&1; then
                bad=$(inspect "$pid"; [ -z "${CHECK:-}" ] || "$CHECK" "$pid")
            else
                made=2
            fi
        else
            if [ "$OCIRT" = 1 ] && [ "$(grep -c . "$errf")" -ne 1 ]; then
                echo "create $RUNS failed without a one-line error:" >&2
                cat "$errf" >&2
                return 1
            fi
            [ -s "$errf" ] || { echo "create $RUNS failed silently" >&2; return 1; }
        fi
        "$OCI_RT" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
        bad+=$([ -z "${POST:-}" ] || "$POST")
        if [ -n "$bad" ]; then
            ATTACKED=$((ATTACKED + 1))
            printf 'create %d: %s\n' "$RUNS" "$bad" >>"$RACE_LOG"
        elif [ "$made" = 1 ]; then
            SAFE=$((SAFE + 1))
        elif [ "$made" = 2 ]; then
            UNVERIFIED=$((UNVERIFIED + 1))
        else
            REFUSED=$((REFUSED + 1))
            sed 's/^.*msg="//; s/[0-9][0-9]*/N/g' "$errf" | head -n1 >>"$BATS_TEST_TMPDIR/refusals"
        fi
        [ "$(</proc/sys/kernel/core_pattern)" = "$CORE_PATTERN" ] || {
            echo "create $RUNS: THE HOST'S core_pattern CHANGED" >&2
            return 1
        }
        kill -0 "$ATTACKER_PID" || { echo "the attacker died" >&2; return 1; }
    done
    echo "# $RUNS creates: $SAFE safe, $REFUSED refused, $ATTACKED attacked, $UNVERIFIED unverified" >&3
    [ ! -s "$BATS_TEST_TMPDIR/refusals" ] || sort "$BATS_TEST_TMPDIR/refusals" | uniq -c | sort -rn |
        head -n5 | sed 's/^/#   /' >&3
    [ ! -s "$RACE_LOG" ] || head -n3 "$RACE_LOG" | sed 's/^/#   ATTACK: /' >&3
}

assert_race_held() {
    [ "$RUNS" -ge 50 ] || { echo "only $RUNS creates ran: too few to show anything" >&2; return 1; }
    [ "$ATTACKED" -eq 0 ] || {
        echo "$ATTACKED of $RUNS creates were attacked:" >&2
        head -n5 "$RACE_LOG" >&2
        return 1
    }
    [ "$UNVERIFIED" -eq 0 ] || { echo "$UNVERIFIED created containers could not be inspected" >&2; return 1; }
    [ "$(cat /proc/sys/kernel/core_pattern)" = "$CORE_PATTERN" ]
}

VICTIM='.process.args = ["/bin/sleep", "30"] | .linux.readonlyPaths = []
    | .mounts |= map(if .destination == "/dev" then {"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind", "rw"]} else . end)'

# null (or console) takes in turn the device (file), a symlink to
# core_pattern and one to sysrq-trigger
ROTATE='ln -s /proc/sys/kernel/core_pattern "$1.x" && ln -s /proc/sysrq-trigger "$1.y" && exec /race swap /shared "$1" "$1.x" "$1" "$1.y"'

@test "race: /dev/null flipped with symlinks to core_pattern and sysrq-trigger while masks are made: never a procfs file in a mask" {
    make_shared_dev
    make_bundle "$VICTIM" --arg d "$SHARED"
    start_attacker "$SHARED" "cd /shared && set -- null && $ROTATE"
    race_loop
    stop_attacker
    assert_race_held
    [ "$SAFE" -gt 0 ] || [ "$OCIRT" = 0 ] || { echo "no create succeeded" >&2; false; }
    assert_clean "$ID"
}

@test "race: /dev/null flipped with a symlink to core_pattern while the caller's /dev/null stdio is replaced by the container's: never a procfs file as stdio" {
    make_shared_dev
    # no masks (they open /dev/null too): every create reaches the stdio
    make_bundle "$VICTIM"' | .linux.maskedPaths = []' --arg d "$SHARED"
    start_attacker "$SHARED" 'cd /shared && ln -s /proc/sys/kernel/core_pattern null.x && exec /race swap /shared null null.x'
    # race_loop gives the runtime the host's /dev/null as stdin and stdout
    stdio_is_null() {
        local fd t
        for fd in 0 1; do
            t=$(stat -L -c '%F %t:%T' "/proc/$1/fd/$fd") || continue
            [ "$t" = "character special file 1:3" ] || echo "stdio $fd is $(readlink "/proc/$1/fd/$fd") ($t)"
        done
    }
    CHECK=stdio_is_null race_loop
    stop_attacker
    assert_race_held
    [ "$SAFE" -gt 0 ] || [ "$OCIRT" = 0 ] || { echo "no create succeeded" >&2; false; }
    assert_clean "$ID"
}

@test "race: /dev/console flipped with symlinks to core_pattern and sysrq-trigger while the pty is bound: never a pty on procfs" {
    make_shared_dev
    SOCK=$(mktemp -u /tmp/i10-console.XXXXXX)
    "$BATS_FILE_TMPDIR/race_attack" console-sink "$SOCK" >"$BATS_TEST_TMPDIR/sink.out" 3>&- &
    sink=$!
    defer "kill $sink; rm -f '$SOCK'"
    wait_for_line "$BATS_TEST_TMPDIR/sink.out" '^ready$'
    make_bundle "$VICTIM"' | .process.terminal = true' --arg d "$SHARED"
    start_attacker "$SHARED" "cd /shared && set -- console && $ROTATE"
    console_is_pty() {
        local t
        t=$(awk '$5 == "/dev/console" { for (i = 7; $i != "-"; i++) {}; print $(i + 1) }' "/proc/$1/mountinfo")
        [ -z "$t" ] || [ "$t" = devpts ] || echo "/dev/console is a $t mount"
    }
    CHECK=console_is_pty race_loop --console-socket "$SOCK"
    stop_attacker
    assert_race_held
    [ "$SAFE" -gt 0 ] || [ "$OCIRT" = 0 ] || { echo "no create succeeded" >&2; false; }
    assert_clean "$ID"
}

@test "race: a bind destination flipped between a dir and a symlink to /proc/self/attr: never mounted in procfs" {
    VOL=$BATS_TEST_TMPDIR/vol
    BAIT=$BATS_TEST_TMPDIR/bait
    mkdir -p "$VOL" "$BAIT"
    echo bait >"$BAIT/canary"
    chmod 777 "$VOL"
    make_bundle '.process.args = ["/bin/sleep", "30"] | .linux.readonlyPaths = []
        | .mounts += [{"destination": "/mnt", "type": "bind", "source": $v, "options": ["rbind", "rw"]},
                      {"destination": "/mnt/x", "type": "bind", "source": $b, "options": ["rbind", "ro"]}]' \
        --arg v "$VOL" --arg b "$BAIT"
    start_attacker "$VOL" 'cd /shared && mkdir x && ln -s ../proc/self/attr x.alt && exec /race swap /shared x x.alt'
    race_loop
    stop_attacker
    assert_race_held
    [ "$(cat "$BAIT/canary")" = bait ]
    assert_clean "$ID"
}

@test "race: a mount placed over the sysctl file the runtime writes (ip_forward): the write never lands in another procfs file" {
    VOL=$BATS_TEST_TMPDIR/vol
    mkdir -p "$VOL"
    chmod 777 "$VOL"
    # the bait: a procfs file of a process of the test's own, whose value
    # shows any write (the runtime writes "1")
    sleep 1000 &
    victim=$!
    defer "kill $victim"
    echo 777 >"/proc/$victim/oom_score_adj"
    # placed by the config (a path that names /proc: the mount is made, the
    # sysctl still reaches the real one), then by a race (/mnt/y flipped to
    # a symlink onto ip_forward)
    make_bundle '.process.args = ["/bin/sleep", "30"] | .linux.readonlyPaths = []
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
        | .mounts += [{"destination": "/proc/sys/net/ipv4/ip_forward", "type": "bind", "source": $b, "options": ["bind"]}]' \
        --arg b "/proc/$victim/oom_score_adj"
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    if [ "$status" -eq 0 ]; then
        [ "$(nsenter -t "$(container_pid)" -n cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
        oci delete --force "$ID"
    else
        echo "# placed by the config: refused: $stderr" >&3
        [ -n "$stderr" ]
    fi
    [ "$(cat "/proc/$victim/oom_score_adj")" = 777 ] || { echo "the bait procfs file was written" >&2; false; }
    make_bundle '.process.args = ["/bin/sleep", "30"] | .linux.readonlyPaths = []
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
        | .mounts += [{"destination": "/mnt", "type": "bind", "source": $v, "options": ["rbind", "rw"]},
                      {"destination": "/mnt/y", "type": "bind", "source": $b, "options": ["bind"]}]' \
        --arg v "$VOL" --arg b "/proc/$victim/oom_score_adj"
    start_attacker "$VOL" ': >/shared/y && ln -s ../proc/sys/net/ipv4/ip_forward /shared/y.alt && exec /race swap /shared y y.alt'
    sysctl_applied() {
        [ "$(nsenter -t "$1" -n cat /proc/sys/net/ipv4/ip_forward)" = 1 ] ||
            echo "the sysctl did not reach the container's ip_forward"
    }
    bait_untouched() {
        local v
        v=$(cat "/proc/$victim/oom_score_adj")
        [ "$v" = 777 ] || {
            echo "the bait procfs file was written: $v"
            echo 777 >"/proc/$victim/oom_score_adj"
        }
    }
    PROC_BIND_AT='^/mnt/y' CHECK=sysctl_applied POST=bait_untouched race_loop
    stop_attacker
    assert_race_held
    [ "$(cat "/proc/$victim/oom_score_adj")" = 777 ]
    assert_clean "$ID"
}

@test "race: a linux.devices node in a shared /dev replaced by a symlink to a host file before its chmod: no host file changes" {
    make_shared_dev
    BAIT=$BATS_TEST_TMPDIR/bait
    echo bait >"$BAIT"
    chmod 600 "$BAIT"
    make_bundle "$VICTIM"' | .linux.devices = [{"path": "/dev/i10dev", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]' \
        --arg d "$SHARED"
    # the symlink is absolute: the runtime makes devices before the pivot,
    # where "/" is the host's
    start_attacker "$SHARED" "exec /race replace /shared i10dev '$BAIT'"
    bait_mode() {
        local m
        m=$(stat -c %a "$BAIT")
        [ "$m" = 600 ] || {
            echo "the host file $BAIT became mode $m"
            chmod 600 "$BAIT"
        }
    }
    POST=bait_mode race_loop
    stop_attacker
    assert_race_held
    assert_clean "$ID"
}

@test "passwd: an image whose /etc/passwd is a FIFO or a link to a procfs file: the privileged runtime neither blocks on it nor reads it" {
    image=$(copy_rootfs)
    rm -f "$image/etc/passwd"
    mkfifo "$image/etc/passwd"
    # HOME comes from /etc/passwd when the config has none: looked up on
    # every create, before the capabilities are dropped
    make_bundle '.root.path = $img | .process.args = ["/bin/sh", "-c", "echo home=$HOME"]' --arg img "$image"
    run --separate-stderr timeout -k 5 20 "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 124 ] || { echo "the runtime blocked on the FIFO" >&2; false; }
    [ "$status" -eq 0 ] || { echo "run failed: $stderr" >&2; false; }
    assert_kv home /
    make_bundle '.root.path = $img | .process.user.username = "root"' --arg img "$image"
    run --separate-stderr timeout -k 5 20 "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -ne 124 ] || { echo "the runtime blocked on the FIFO" >&2; false; }
    assert_error_line "username" "root" "/etc/passwd"
    # a link into /proc (here the container's own hostname, which reads as a
    # passwd line): never taken as the user database
    rm -f "$image/etc/passwd"
    ln -s /proc/sys/kernel/hostname "$image/etc/passwd"
    make_bundle '.root.path = $img | .hostname = "u:x:0:0::/pwn:/bin/sh" | .process.user.username = "u"
        | .process.args = ["/bin/sh", "-c", "echo home=$HOME"]' --arg img "$image"
    run --separate-stderr timeout -k 5 20 "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$(kv home)" != /pwn ] || { echo "the procfs file was read as /etc/passwd" >&2; false; }
    assert_error_line "username" '"u"' "/etc/passwd"
    assert_clean "$ID"
}
