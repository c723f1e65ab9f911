#!/usr/bin/env bats
# Cgroups: linux.resources applied at create (each cgroup file read back, and
# its effect seen from inside), pause/resume, update, ps, events, kill --all,
# delete, --cgroup-manager disabled.
#
# One file for both environments:
#   - this hybrid host: v1 controllers under /sys/fs/cgroup/<ctrl>, cgroup2 at
#     /sys/fs/cgroup/unified (hugetlb only);
#   - a pure cgroup v2 host, e.g. the qemu guest (tests/vm/cgroups-in-guest.sh).
# A test skips, saying why, only when the environment lacks what it needs.
# Only cgroups this file's containers make are touched (every ID carries the
# run's tag; teardown removes only those).
# shellcheck disable=SC2016 # jq programs and container scripts: single quotes

load helpers

# ---------------------------------------------------------------- environment

# CG_V2=1 when /sys/fs/cgroup is cgroup2 alone (unified mode).
CG_V2=0
if [ "$(awk -v m="$CGROUP_FS" '$2 == m { t = $3 } END { print t }' /proc/mounts)" = cgroup2 ]; then
    CG_V2=1
fi

eval "_helpers_$(declare -f setup_file)"
setup_file() {
    _helpers_setup_file || return 1
    # One tag for every test of the file (setup_file's exports reach them).
    _run_tag >/dev/null
    export OCI_RT_TEST_TAG
    # The guest's root cgroup enables nothing (a systemd host has already).
    if [ "${OCI_RT_GUEST:-}" = 1 ] && [ "$CG_V2" = 1 ]; then
        local c
        for c in cpuset cpu io memory hugetlb pids; do
            if grep -qw "$c" "$CGROUP_FS/cgroup.controllers"; then
                echo "+$c" >"$CGROUP_FS/cgroup.subtree_control" || return 1
            fi
        done
    fi
    if [ "$CG_V2" = 1 ]; then
        echo "# cgroup v2: $CGROUP_FS, controllers: $(cat "$CGROUP_FS/cgroup.subtree_control")" >&3
    else
        echo "# cgroup v1/hybrid: $(cd "$CGROUP_FS" && echo */ | tr -d /)" \
            "(unified: $(cat "$CGROUP_FS/unified/cgroup.controllers" 2>/dev/null || echo none))" >&3
    fi
}

# cgdir CONTROLLER [CGPATH]: the directory of cgroup CGPATH (default the
# container's /oci-rt/$ID) for CONTROLLER; empty when there is no such
# controller.  On a hybrid host a controller missing from v1 may be in the
# unified hierarchy (hugetlb here).
cgdir() {
    local c=$1 p=${2:-/oci-rt/$ID}
    if [ "$CG_V2" = 1 ]; then
        if grep -qw "$c" "$CGROUP_FS/cgroup.controllers"; then echo "$CGROUP_FS$p"; fi
    elif [ -d "$CGROUP_FS/$c" ]; then
        echo "$CGROUP_FS/$c$p"
    elif grep -qw "$c" "$CGROUP_FS/unified/cgroup.controllers" 2>/dev/null; then
        echo "$CGROUP_FS/unified$p"
    fi
}

# is_v2 DIR: DIR is in a cgroup2 hierarchy.
is_v2() {
    [ "$CG_V2" = 1 ] || [[ "$1" == "$CGROUP_FS/unified"* ]]
}

# v1_blkio_weight_missing: on a v1 blkio hierarchy, whether a cgroup has no
# weight file (Linux 5.0 dropped CFQ's blkio.weight; BFQ's blkio.bfq.weight
# is there only with BFQ built or loaded). Looked up in a cgroup this test
# makes and removes: the hierarchy's root never shows BFQ's.
v1_blkio_weight_missing() {
    local h probe missing=0
    h=$(cgdir blkio "")
    [ -n "$h" ] && ! is_v2 "$h" || return 1
    probe="$h/oci-rt-probe-$ID"
    mkdir "$probe"
    [ -e "$probe/blkio.weight" ] || [ -e "$probe/blkio.bfq.weight" ] || missing=1
    rmdir "$probe"
    [ "$missing" = 1 ]
}

need_ctrl() {
    [ -n "$(cgdir "$1")" ] || skip "no $1 controller in this environment"
}

# cgf CONTROLLER V1-FILE V2-FILE: the container's file, by the hierarchy's kind.
cgf() {
    local d
    d=$(cgdir "$1")
    if is_v2 "$d"; then echo "$d/$3"; else echo "$d/$2"; fi
}

# assert_file PATH WANT: the file holds exactly WANT.
assert_file() {
    local got
    got=$(cat "$1" 2>&1) || {
        echo "cannot read $1: $got" >&2
        return 1
    }
    if [ "$got" != "$2" ]; then
        echo "$1: got '$got', want '$2'" >&2
        return 1
    fi
}

note() {
    echo "# $*" >&3
}

# Every hierarchy's directory of cgroup CGPATH (all v1 ones and unified, or
# the single v2 one).
all_cgdirs() {
    local p=$1 h
    if [ "$CG_V2" = 1 ]; then
        echo "$CGROUP_FS$p"
    else
        for h in "$CGROUP_FS"/*/; do echo "${h%/}$p"; done
    fi
}

# The pids in the container's cgroup (sorted).
cg_pids() {
    local d
    d=$(cgdir pids "${1:-/oci-rt/$ID}")
    [ -n "$d" ] || d=$(all_cgdirs "${1:-/oci-rt/$ID}" | head -n1)
    sort -n "$d/cgroup.procs"
}

# wait_pids_gone PID...: every pid dead (zombies count as dead) within 5 s.
wait_pids_gone() {
    local i p left
    for ((i = 0; i < 100; i++)); do
        left=""
        for p in "$@"; do alive "$p" && left="$left $p"; done
        [ -z "$left" ] && return 0
        sleep 0.05
    done
    echo "still alive:$left" >&2
    return 1
}

# Seconds between two /proc/uptime readings A and B.
secs() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# ---------------------------------------------------------------- memory

@test "memory: limit 64M in memory.limit_in_bytes / memory.max; alloc 200 is OOM-killed; events prints an oom line" {
    need_ctrl memory
    make_bundle '.process.args = ["/bin/sh", "-c", "/usr/bin/ocitest alloc 200; echo rc=$?"]
        | .linux.resources.memory = {limit: 67108864, reservation: 33554432, swap: 134217728}'
    create_ok
    local d
    d=$(cgdir memory)
    if is_v2 "$d"; then
        assert_file "$d/memory.max" 67108864
        assert_file "$d/memory.low" 33554432
        if [ -e "$d/memory.swap.max" ]; then
            assert_file "$d/memory.swap.max" 67108864 # swap - limit
        else
            skip_part "no memory.swap.max (no swap accounting): swap not checked"
        fi
    else
        assert_file "$d/memory.limit_in_bytes" 67108864
        assert_file "$d/memory.soft_limit_in_bytes" 33554432
        if [ -e "$d/memory.memsw.limit_in_bytes" ]; then
            assert_file "$d/memory.memsw.limit_in_bytes" 134217728
        else
            skip_part "no memory.memsw.limit_in_bytes (swap accounting off): swap not checked"
        fi
    fi

    # events, before the allocation: its first stats line means it watches.
    oci events --interval 1s "$ID" >"$OUT_DIR/events" 2>"$OUT_DIR/events.err" 3>&- &
    local ev=$!
    defer "kill $ev"
    wait_for_line "$OUT_DIR/events" '"type":"stats"'
    oci start "$ID"
    wait_for_status "$ID" stopped 30
    output=$(container_out)
    echo "container: $output"
    # The shell saw ocitest die of SIGKILL (128 + 9), before 64 MiB.
    assert_kv rc 137
    not grep -qx 'done' <<<"$output"
    [ "$(sed -n 's/^allocated=//p' <<<"$output" | tail -n1)" -lt 64 ]
    # The kernel's counter.
    if is_v2 "$d"; then
        grep -E '^oom_kill [1-9]' "$d/memory.events"
    else
        grep -E '^oom_kill [1-9]' "$d/memory.oom_control"
    fi
    # events stops when the container does.
    for _ in $(seq 100); do kill -0 "$ev" 2>/dev/null || break; sleep 0.05; done
    echo "events: $(cut -c1-200 "$OUT_DIR/events")"
    echo "events stderr: $(cat "$OUT_DIR/events.err")"
    jq -e --arg id "$ID" 'select(.type == "oom") | .id == $id' "$OUT_DIR/events" >/dev/null
    oci delete "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- pids

@test "pids: limit 20 -> pids.max 20; forkbomb 100 stops below 20 with EAGAIN" {
    need_ctrl pids
    make_bundle '.process.args = ["/usr/bin/ocitest", "forkbomb", "100"] | .linux.resources.pids.limit = 20'
    create_ok
    assert_file "$(cgdir pids)/pids.max" 20
    oci start "$ID"
    wait_for_status "$ID" stopped 20
    output=$(container_out)
    echo "$output"
    [ "$(kv forked)" -lt 20 ]
    [ "$(kv forked)" -ge 10 ]
    assert_kv fork_error EAGAIN
    oci delete "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- devices

# runc appends its default device rules (null, zero, full, tty, random,
# urandom, pts, ptmx, tun) AFTER the config's (specconv.CreateCgroupConfig):
# a config rule cannot deny them.  So denying c 1:5 (/dev/zero) leaves it
# open, as with runc; a device outside the defaults (/dev/kmsg) is denied.
@test "devices: allow-all then deny c 1:11 rw (kmsg) and c 1:5 rwm (zero): kmsg EPERM; null opens; zero opens (runc's defaults come last)" {
    [ "$CG_V2" = 1 ] || need_ctrl devices
    make_bundle '.process.args = ["/bin/sh", "-c", "for d in kmsg null zero; do echo $d.$(/usr/bin/ocitest open /dev/$d r); done"]
        | .linux.devices += [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]
        | .linux.resources.devices = [{allow: true, access: "rwm"},
                                      {allow: false, type: "c", major: 1, minor: 11, access: "rw"},
                                      {allow: false, type: "c", major: 1, minor: 5, access: "rwm"}]'
    create_ok
    if [ "$CG_V2" = 1 ]; then
        note "v2: device rules are an eBPF program, no file to read"
    else
        # v1 lists only "a *:* rwm" while its default is allow.
        assert_file "$(cgdir devices)/devices.list" "a *:* rwm"
    fi
    oci start "$ID"
    wait_for_status "$ID" stopped
    output=$(container_out)
    echo "$output"
    [[ "$(kv kmsg.open)" == EPERM* ]]
    assert_kv null.open ok
    assert_kv zero.open ok
    oci delete "$ID"
    assert_clean "$ID"
}

# runc makes the linux.devices nodes (mknod) in the rootfs before it applies
# the cgroup's device rules (Set at procHooks/procReady, after
# prepareRootfs): a node whose rules deny "m" too is still made; only its use
# is denied.
@test "devices: a linux.devices node denied rwm by the rules after allow-all is still created; opening it is EPERM" {
    [ "$CG_V2" = 1 ] || need_ctrl devices
    make_bundle '.process.args = ["/bin/sh", "-c", "echo kmsg.$(/usr/bin/ocitest open /dev/kmsg r); echo null.$(/usr/bin/ocitest open /dev/null rw)"]
        | .linux.devices += [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]
        | .linux.resources.devices = [{allow: true, access: "rwm"},
                                      {allow: false, type: "c", major: 1, minor: 11, access: "rwm"}]'
    create_ok
    oci start "$ID"
    wait_for_status "$ID" stopped
    output=$(container_out)
    echo "$output"
    [[ "$(kv kmsg.open)" == EPERM* ]]
    assert_kv null.open ok
    oci delete "$ID"
    assert_clean "$ID"
}

@test "devices: the default deny-all config still opens /dev/null zero urandom random full tty ptmx; /dev/kmsg is EPERM" {
    [ "$CG_V2" = 1 ] || need_ctrl devices
    make_bundle '.process.args = ["/bin/sh", "-c", "for d in null zero urandom random full tty ptmx kmsg; do echo $d.$(/usr/bin/ocitest open /dev/$d rw); done"]
        | .linux.devices += [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]'
    [ "$(jq -c .linux.resources.devices "$BUNDLE/config.json")" = '[{"allow":false,"access":"rwm"}]' ]
    create_ok
    if [ "$CG_V2" = 1 ]; then
        note "v2: device rules are an eBPF program, no file to read"
    else
        local list r
        list=$(cat "$(cgdir devices)/devices.list")
        echo "devices.list: $list"
        # runc's default rules (libcontainer/specconv AllowedDevices).
        for r in "c *:* m" "b *:* m" "c 1:3 rwm" "c 1:5 rwm" "c 1:7 rwm" "c 1:8 rwm" "c 1:9 rwm" \
            "c 5:0 rwm" "c 5:2 rwm" "c 136:* rwm"; do
            grep -qxF "$r" <<<"$list"
        done
        not grep -qE '^(a |c 1:11 )' <<<"$list"
    fi
    oci start "$ID"
    wait_for_status "$ID" stopped
    output=$(container_out)
    echo "$output"
    local d
    for d in null zero urandom random full ptmx; do assert_kv "$d.open" ok; done
    # No controlling terminal: ENXIO from the tty driver, not the cgroup.
    [[ "$(kv tty.open)" != EPERM* ]]
    [[ "$(kv kmsg.open)" == EPERM* ]]
    oci delete "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- cpu

@test "cpu: shares 512 -> cpu.shares / cpu.weight; quota 20000/100000 -> cfs files / cpu.max; spin gets about 20%" {
    need_ctrl cpu
    make_bundle '.process.args = ["/usr/bin/ocitest", "spin", "2"]
        | .linux.resources.cpu = {shares: 512, quota: 20000, period: 100000}'
    create_ok
    local d
    d=$(cgdir cpu)
    if is_v2 "$d"; then
        assert_file "$d/cpu.weight" $((1 + ((512 - 2) * 9999) / 262142))
        assert_file "$d/cpu.max" "20000 100000"
    else
        assert_file "$d/cpu.shares" 512
        assert_file "$d/cpu.cfs_quota_us" 20000
        assert_file "$d/cpu.cfs_period_us" 100000
    fi
    oci start "$ID"
    wait_for_status "$ID" stopped 20
    output=$(container_out)
    local cpu pct
    cpu=$(kv cpu)
    pct=$(awk -v c="$cpu" 'BEGIN { printf "%d", c / 2 * 100 + 0.5 }')
    note "cpu share of 'ocitest spin 2' under quota 20000/100000: cpu=${cpu}s of 2s = ${pct}%"
    [ "$pct" -ge 10 ]
    [ "$pct" -le 35 ]
    oci delete "$ID"
    assert_clean "$ID"
}

@test "cpuset: cpus 0 -> cpuset.cpus 0 and the process's Cpus_allowed_list is 0" {
    need_ctrl cpuset
    make_bundle '.process.args = ["/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status"]
        | .linux.resources.cpu = {cpus: "0", mems: "0"}'
    create_ok
    assert_file "$(cgdir cpuset)/cpuset.cpus" 0
    assert_file "$(cgdir cpuset)/cpuset.mems" 0
    oci start "$ID"
    wait_for_status "$ID" stopped
    output=$(container_out)
    echo "$output"
    [[ "$output" =~ ^Cpus_allowed_list:[[:space:]]*0$ ]]
    oci delete "$ID"
    assert_clean "$ID"
}

@test "cpuset: four creates at once under a parent none of them found: every one joins (an empty cpuset parent is filled first)" {
    # A v1 cpuset directory starts empty and refuses tasks; the create
    # that makes the parent fills it, and the others must not copy it
    # before that (a CI run saw "join ...: no space left on device").
    need_ctrl cpuset
    if is_v2 "$(cgdir cpuset)"; then
        skip "cgroup v2: an empty cpuset.cpus takes the parent's effective cpus, it refuses no task"
    fi
    local r i pids fails=0 base=$BATS_TEST_TMPDIR/base.json
    make_bundle '.process.args = ["/bin/true"]'
    cp "$BUNDLE/config.json" "$base"
    # made by someone else and left empty (what a racing create looks like
    # for a moment): filled, the container joins
    local d
    d=$(cgdir cpuset "/$ID-p0")
    note_cgroup "/$ID-p0"
    mkdir "$d"
    [ -z "$(cat "$d/cpuset.cpus")" ]
    jq --arg cg "/$ID-p0/c" '.linux.cgroupsPath = $cg' "$base" >"$BUNDLE/config.json"
    create_ok
    [ "$(cat "$d/cpuset.cpus")" = "$(cat "${d%/*}/cpuset.cpus")" ]
    oci delete --force "$ID"
    # and the race itself
    for i in 1 2 3 4; do mkdir -p "$BATS_TEST_TMPDIR/b$i"; done
    for r in $(seq 1 12); do
        note_cgroup "/$ID-p$r"
        pids=()
        for i in 1 2 3 4; do
            jq --arg cg "/$ID-p$r/c$i" '.linux.cgroupsPath = $cg' "$base" >"$BATS_TEST_TMPDIR/b$i/config.json"
        done
        for i in 1 2 3 4; do
            oci create --bundle "$BATS_TEST_TMPDIR/b$i" "$ID-$r-$i" \
                </dev/null >"$BATS_TEST_TMPDIR/$r-$i.out" 2>"$BATS_TEST_TMPDIR/$r-$i.err" &
            pids+=($!)
        done
        for i in 1 2 3 4; do
            if ! wait "${pids[i - 1]}"; then
                fails=$((fails + 1))
                cat "$BATS_TEST_TMPDIR/$r-$i.err" >&2
            fi
        done
        for i in 1 2 3 4; do
            if [ -s "$BATS_TEST_TMPDIR/$r-$i.err" ]; then
                :
            elif [ -z "$(cat "$(cgdir cpuset "/$ID-p$r/c$i")/cpuset.cpus")" ]; then
                echo "round $r: /$ID-p$r/c$i has no cpus" >&2
                fails=$((fails + 1))
            fi
            oci delete --force "$ID-$r-$i" >/dev/null 2>&1 || true
        done
        _rm_cgroup "/$ID-p$r"
    done
    note "48 creates in 12 rounds of 4 at once, $fails failed"
    [ "$fails" -eq 0 ]
}

# ---------------------------------------------------------------- block I/O

# The whole disk (major:minor) holding PATH, from /proc/self/mountinfo; empty
# when it is not on a block device (tmpfs).
disk_of() {
    local mm
    mm=$(awk -v p="$1" '
        { mp = $5; gsub(/\\040/, " ", mp)
          if ((p == mp || index(p, mp == "/" ? "/" : mp "/") == 1) && length(mp) >= best) { best = length(mp); d = $3 } }
        END { print d }' /proc/self/mountinfo)
    [ -e "/sys/dev/block/$mm" ] || return 0
    if [ -e "/sys/dev/block/$mm/partition" ]; then
        mm=$(cat "/sys/dev/block/$mm/../dev")
    fi
    echo "$mm"
}

@test "blkio: weight 300 -> blkio(.bfq).weight / io(.bfq).weight" {
    local d f
    d=$(cgdir blkio)
    [ "$CG_V2" = 0 ] || d=$(cgdir io)
    [ -n "$d" ] || skip "no blkio/io controller in this environment"
    if [ "$CG_V2" = 0 ] && v1_blkio_weight_missing; then
        # then oci-rt refuses the config, as runc and crun fail on the write
        make_bundle '.linux.resources.blockIO.weight = 300'
        run --separate-stderr "$OCI_RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
        assert_error_line 'blockIO.weight' 'not supported by this kernel'
        assert_clean "$ID"
        skip "v1 blkio has neither blkio.weight nor blkio.bfq.weight (no CFQ/BFQ in this kernel): the refusal was checked"
    fi
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"] | .linux.resources.blockIO.weight = 300'
    create_ok
    if is_v2 "$d"; then
        if [ -e "$d/io.bfq.weight" ]; then
            assert_file "$d/io.bfq.weight" "default 300"
        else
            assert_file "$d/io.weight" "default $((1 + (300 - 10) * 9999 / 990))"
        fi
    else
        f=""
        if [ -e "$d/blkio.weight" ]; then f=blkio.weight; elif [ -e "$d/blkio.bfq.weight" ]; then f=blkio.bfq.weight; fi
        [ -n "$f" ] || skip "v1 blkio has neither blkio.weight nor blkio.bfq.weight (no CFQ/BFQ)"
        note "v1 weight file: $f"
        local got
        got=$(cat "$d/$f")
        [ "${got#default }" = 300 ] || {
            echo "$d/$f: '$got', want 300" >&2
            false
        }
    fi
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "blkio: throttle read 1 MiB/s on a disk (the rootfs's, else a RAM disk) -> the throttle file / io.max; O_DIRECT reads slow down" {
    local d mm src dev_rule='.' target
    d=$(cgdir blkio)
    [ "$CG_V2" = 0 ] || d=$(cgdir io)
    [ -n "$d" ] || skip "no blkio/io controller in this environment"
    mm=$(disk_of "$ROOTFS")
    if [ -n "$mm" ]; then
        # Read a ~1.9 MB file of the rootfs, bypassing the page cache.
        src=/bin/busybox
        note "throttled disk: $mm (holds the rootfs $ROOTFS)"
    else
        # The rootfs is on no disk (the guest's tmpfs): any disk, e.g. brd's
        # /dev/ram0 (run-guest.sh --module brd), read as a device node.
        for target in /sys/block/*; do
            [ "$(cat "$target/size" 2>/dev/null || echo 0)" -ge 8192 ] || continue
            mm=$(cat "$target/dev")
            break
        done
        [ -n "$mm" ] || skip "the rootfs is on no block device and there is no other disk (load brd)"
        src=/dev/tblk
        dev_rule='.linux.devices += [{path: "/dev/tblk", type: "b", major: $ma, minor: $mi}]
            | .linux.resources.devices += [{allow: true, type: "b", major: $ma, minor: $mi, access: "r"}]'
        note "rootfs not on a disk: throttled disk $mm ($target) read as /dev/tblk"
    fi
    make_bundle '.process.args = ["/bin/sh", "-c", "read a _ </proc/uptime; dd if=\($src) of=/dev/null bs=64k count=32 iflag=direct 2>&1 | sed -n \"s/^\\([0-9]*\\)+\\([0-9]*\\) records in$/records=\\1+\\2/p\"; read b _ </proc/uptime; echo time=$a:$b"]
        | .linux.resources.blockIO.throttleReadBpsDevice = [{major: $ma, minor: $mi, rate: 1048576}]
        | '"$dev_rule" --argjson ma "${mm%:*}" --argjson mi "${mm#*:}" --arg src "$src"
    create_ok
    if is_v2 "$d"; then
        grep -x "$mm rbps=1048576 wbps=max riops=max wiops=max" "$d/io.max" || {
            echo "io.max: $(cat "$d/io.max")" >&2
            false
        }
    else
        assert_file "$d/blkio.throttle.read_bps_device" "$mm 1048576"
    fi
    oci start "$ID"
    wait_for_status "$ID" stopped 30
    output=$(container_out)
    echo "$output"
    local t rec
    t=$(kv time)
    t=$(secs "${t%:*}" "${t#*:}")
    rec=$(kv records)
    note "read ${rec} records of 64 KiB with O_DIRECT at 1 MiB/s in ${t}s"
    [ "${rec%+*}" -ge 24 ]
    awk -v t="$t" 'BEGIN { exit !(t >= 1.2) }'
    oci delete "$ID"
    assert_clean "$ID"
}

# The cgroup2 hierarchy's root (hybrid: .../unified).
v2_root() {
    if [ "$CG_V2" = 1 ]; then echo "$CGROUP_FS"; else echo "$CGROUP_FS/unified"; fi
}

# fresh_v2_root CTRL: take CTRL out of the cgroup2 root's subtree_control,
# as a freshly booted machine has it, when no cgroup below uses it (no
# limit set in any of them; the kernel itself refuses while one enables it
# further down). Says what it did; returns 1 (saying why) when it cannot.
fresh_v2_root() {
    local c=$1 root f
    root=$(v2_root)
    grep -qw "$c" "$root/cgroup.subtree_control" || {
        note "$c was not enabled in $root/cgroup.subtree_control (a fresh machine's state)"
        return 0
    }
    for f in "$root"/*/"$c".*.max; do
        [ -e "$f" ] || continue
        [ "$(cat "$f")" = max ] || {
            note "cannot start from a fresh $root: $f is set, so $c stays enabled"
            return 1
        }
    done
    echo "-$c" >"$root/cgroup.subtree_control" 2>/dev/null || {
        note "cannot start from a fresh $root: a cgroup below enables $c"
        return 1
    }
    note "took $c out of $root/cgroup.subtree_control first (a fresh machine's state)"
}

# ---------------------------------------------------------------- hugetlb

@test "hugetlb: hugepageLimits 2MB 4 MiB -> hugetlb.2MB.limit_in_bytes / hugetlb.2MB.max" {
    need_ctrl hugetlb
    [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages on this kernel"
    local f fresh=0 d
    d=$(cgdir hugetlb)
    ! is_v2 "$d" || ! fresh_v2_root hugetlb || fresh=1
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]
        | .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
    create_ok
    # on cgroup2, oci-rt enabled hugetlb from the root down
    ! is_v2 "$d" || grep -qw hugetlb "$(v2_root)/cgroup.subtree_control"
    [ "$fresh" = 0 ] || note "oci-rt enabled hugetlb in $(v2_root)/cgroup.subtree_control"
    f=$(cgf hugetlb hugetlb.2MB.limit_in_bytes hugetlb.2MB.max)
    note "hugetlb file: $f"
    assert_file "$f" 4194304
    oci delete --force "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- unified

@test "unified: a v2 key is written (memory.high, or hugetlb.2MB.max on a hybrid host); an unknown key fails clearly, nothing left" {
    local key val d
    if [ "$CG_V2" = 1 ]; then
        need_ctrl memory
        key=memory.high val=104857600 d=$(cgdir memory)
    elif grep -qw hugetlb "$CGROUP_FS/unified/cgroup.controllers" 2>/dev/null &&
        [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
        key=hugetlb.2MB.max val=2097152 d=$(cgdir hugetlb)
        fresh_v2_root hugetlb || true
    else
        skip "hybrid host whose cgroup2 has no controller (unified needs cgroup v2)"
    fi
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"] | .linux.resources.unified = {($k): $v}' \
        --arg k "$key" --arg v "$val"
    create_ok
    note "unified $key: $d/$key"
    assert_file "$d/$key" "$val"
    oci delete --force "$ID"
    assert_clean "$ID"

    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"] | .linux.resources.unified = {"memory.bogus": "1"}'
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line 'memory\.bogus'
    assert_clean "$ID"
}

@test "cgroup2: a controller that cannot be enabled above the container is a clear error naming both, nothing left" {
    local root parent pid
    root=$(v2_root)
    grep -qw hugetlb "$root/cgroup.controllers" && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] ||
        skip "no hugetlb controller in the cgroup2 hierarchy"
    # a parent this test makes, with a process in it: the kernel refuses to
    # enable a controller for the children of a cgroup that has members
    parent=/oci-rt-test/busy-$ID
    CGROUPS_CREATED+=("$parent")
    mkdir -p "$root$parent"
    sleep 60 &
    pid=$!
    defer "kill -9 $pid; wait $pid"
    echo "$pid" >"$root$parent/cgroup.procs"
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]
        | .linux.cgroupsPath = $p
        | .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]' --arg p "$parent/$ID"
    oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "cgroup $root$parent: cannot enable the hugetlb controller" "busy"
    [ ! -d "$root$parent/$ID" ]
    assert_clean "$ID" "$parent/$ID"
}

# ---------------------------------------------------------------- pause / resume

# A container counting into $HOSTDIR/count every 10 ms.
start_counter() {
    HOSTDIR=$BATS_TEST_TMPDIR/host
    mkdir -p "$HOSTDIR"
    make_bundle '.process.args = ["/usr/bin/ocitest", "counter", "/mnt/count"]
        | .mounts += [{destination: "/mnt", type: "bind", source: $h, options: ["rbind", "rw"]}]' --arg h "$HOSTDIR"
    start_ok
    wait_for_line "$HOSTDIR/count" '^[1-9]'
}

count() { cat "$HOSTDIR/count"; }

freezer_dir() {
    if [ "$CG_V2" = 1 ]; then echo "$CGROUP_FS/oci-rt/$ID"; else cgdir freezer; fi
}

# freezer_is DIR frozen|thawed: the freezer file says so.
freezer_is() {
    local d=$1
    if is_v2 "$d"; then
        if [ "$2" = frozen ]; then
            assert_file "$d/cgroup.freeze" 1
            grep -qx 'frozen 1' "$d/cgroup.events"
        else
            assert_file "$d/cgroup.freeze" 0
        fi
    else
        if [ "$2" = frozen ]; then assert_file "$d/freezer.state" FROZEN; else assert_file "$d/freezer.state" THAWED; fi
    fi
}

@test "pause/resume: the counter stops while paused (freezer file, state paused) and moves after resume" {
    [ "$CG_V2" = 1 ] || need_ctrl freezer
    local d c1 c2 c3
    d=$(freezer_dir)
    start_counter
    oci pause "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = paused ]
    freezer_is "$d" frozen
    c1=$(count)
    sleep 0.5
    c2=$(count)
    [ "$c1" = "$c2" ]
    oci resume "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = running ]
    freezer_is "$d" thawed
    sleep 0.3
    c3=$(count)
    note "counter: $c1 while paused, still $c2 0.5 s later, $c3 0.3 s after resume"
    [ "$c3" -gt "$c2" ]
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "pause: kill KILL of a paused container kills it (state stopped), then delete cleans up" {
    [ "$CG_V2" = 1 ] || need_ctrl freezer
    start_counter
    local pid
    pid=$(container_pid)
    oci pause "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = paused ]
    oci kill "$ID" KILL
    # runc thaws after a SIGKILL: a frozen process cannot die.
    wait_pids_gone "$pid"
    wait_for_status "$ID" stopped
    oci delete "$ID"
    assert_clean "$ID"
}

@test "pause: delete --force of a paused container kills it and removes its cgroup" {
    [ "$CG_V2" = 1 ] || need_ctrl freezer
    start_counter
    local pid
    pid=$(container_pid)
    oci pause "$ID"
    [ "$(oci state "$ID" | jq -r .status)" = paused ]
    oci delete --force "$ID"
    wait_pids_gone "$pid"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- update

@test "update: --memory/--memory-swap/--pids-limit/cpu flags change the files live; the lower limits bite (forkbomb, OOM)" {
    need_ctrl memory
    need_ctrl pids
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "100"]
        | .linux.resources.memory = {limit: 268435456} | .linux.resources.pids.limit = 50'
    start_ok
    local m p c
    m=$(cgdir memory) p=$(cgdir pids) c=$(cgdir cpu)
    oci update --memory 64m --memory-swap 128m --pids-limit 10 "$ID"
    assert_file "$p/pids.max" 10
    if is_v2 "$m"; then
        assert_file "$m/memory.max" 67108864
        if [ -e "$m/memory.swap.max" ]; then assert_file "$m/memory.swap.max" 67108864; else
            skip_part "no memory.swap.max (no swap accounting): --memory-swap not checked"
        fi
    else
        assert_file "$m/memory.limit_in_bytes" 67108864
        if [ -e "$m/memory.memsw.limit_in_bytes" ]; then
            assert_file "$m/memory.memsw.limit_in_bytes" 134217728
        else
            skip_part "no memory.memsw.limit_in_bytes (swap accounting off): --memory-swap not checked"
        fi
    fi
    # Effect: the container's init + the exec'd forkbomb + children <= 10.
    run --separate-stderr oci exec "$ID" /usr/bin/ocitest forkbomb 100 3>&-
    echo "$output"
    [ "$(kv forked)" -lt 10 ]
    assert_kv fork_error EAGAIN
    run --separate-stderr oci exec "$ID" /usr/bin/ocitest alloc 150 3>&-
    echo "exec alloc: status $status, $output"
    [ "$status" -eq 137 ]
    not grep -qx 'done' <<<"$output"

    # Raising memory above the old memsw needs memsw first on v1.
    oci update --memory 512m --memory-swap 1g "$ID"
    if is_v2 "$m"; then
        assert_file "$m/memory.max" 536870912
    else
        assert_file "$m/memory.limit_in_bytes" 536870912
        # (without memsw the skip_part above said so)
        [ ! -e "$m/memory.memsw.limit_in_bytes" ] || assert_file "$m/memory.memsw.limit_in_bytes" 1073741824
    fi

    if [ -n "$c" ]; then
        oci update --cpu-shares 256 --cpu-quota 30000 --cpu-period 100000 "$ID"
        if is_v2 "$c"; then
            assert_file "$c/cpu.weight" $((1 + ((256 - 2) * 9999) / 262142))
            assert_file "$c/cpu.max" "30000 100000"
        else
            assert_file "$c/cpu.shares" 256
            assert_file "$c/cpu.cfs_quota_us" 30000
            assert_file "$c/cpu.cfs_period_us" 100000
        fi
        oci update --cpu-share 128 "$ID" # runc's spelling
        if is_v2 "$c"; then assert_file "$c/cpu.weight" $((1 + ((128 - 2) * 9999) / 262142)); else
            assert_file "$c/cpu.shares" 128
        fi
    else
        skip_part "no cpu controller in this environment: the cpu flags not checked"
    fi
    if [ -n "$(cgdir cpuset)" ]; then
        oci update --cpuset-cpus 0 --cpuset-mems 0 "$ID"
        assert_file "$(cgdir cpuset)/cpuset.cpus" 0
        assert_file "$(cgdir cpuset)/cpuset.mems" 0
    else
        skip_part "no cpuset controller in this environment: --cpuset-* not checked"
    fi
    local b
    b=$(cgdir blkio)
    [ "$CG_V2" = 0 ] || b=$(cgdir io)
    if [ -n "$b" ] && [ "$CG_V2" = 0 ] && v1_blkio_weight_missing; then
        skip_part "v1 blkio has neither blkio.weight nor blkio.bfq.weight (no CFQ/BFQ in this kernel): --blkio-weight not checked"
    elif [ -n "$b" ]; then
        oci update --blkio-weight 200 "$ID"
        if is_v2 "$b"; then
            if [ -e "$b/io.bfq.weight" ]; then assert_file "$b/io.bfq.weight" "default 200"; else
                assert_file "$b/io.weight" "default $((1 + (200 - 10) * 9999 / 990))"
            fi
        elif [ -e "$b/blkio.weight" ]; then
            assert_file "$b/blkio.weight" 200
        elif [ -e "$b/blkio.bfq.weight" ]; then
            assert_file "$b/blkio.bfq.weight" 200
        else
            skip_part "v1 blkio has neither blkio.weight nor blkio.bfq.weight (no CFQ/BFQ): --blkio-weight not checked"
        fi
    else
        skip_part "no blkio/io controller in this environment: --blkio-weight not checked"
    fi
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "update --resources - (JSON on stdin) and --resources FILE" {
    need_ctrl memory
    need_ctrl pids
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "100"]'
    start_ok
    local m p
    m=$(cgdir memory) p=$(cgdir pids)
    echo '{"memory": {"limit": 100663296}, "pids": {"limit": 30}}' | oci update --resources - "$ID"
    assert_file "$p/pids.max" 30
    assert_file "$(cgf memory memory.limit_in_bytes memory.max)" 100663296
    echo '{"pids": {"limit": 40}}' >"$BATS_TEST_TMPDIR/r.json"
    oci update --resources "$BATS_TEST_TMPDIR/r.json" "$ID"
    assert_file "$p/pids.max" 40
    assert_file "$(cgf memory memory.limit_in_bytes memory.max)" 100663296 # untouched
    # Effect of the JSON limit: forkbomb stops below 40.
    run --separate-stderr oci exec "$ID" /usr/bin/ocitest forkbomb 100 3>&-
    echo "$output"
    [ "$(kv forked)" -lt 40 ]
    assert_kv fork_error EAGAIN
    oci delete --force "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- ps / events

@test "ps: --format json lists the container's pids (those of its cgroup); the table shows them" {
    make_bundle '.process.args = ["/bin/sh", "-c", "/usr/bin/ocitest sleep 100 & /usr/bin/ocitest sleep 100 & wait"]'
    start_ok
    for _ in $(seq 100); do [ "$(cg_pids | wc -l)" -ge 3 ] && break; sleep 0.05; done
    local want
    want=$(cg_pids | paste -sd,)
    [ "$(tr ',' '\n' <<<"$want" | wc -l)" -eq 3 ]
    run --separate-stderr oci ps --format json "$ID"
    [ "$status" -eq 0 ]
    echo "json: $output; cgroup.procs: $want"
    [ "$(jq -r 'sort | map(tostring) | join(",")' <<<"$output")" = "$want" ]
    grep -qw "$(container_pid)" <<<"$want"
    run --separate-stderr oci ps "$ID"
    [ "$status" -eq 0 ]
    echo "$output"
    [[ "$(head -n1 <<<"$output")" == *PID* ]]
    local col p
    col=$(head -n1 <<<"$output" | awk '{ for (i = 1; i <= NF; i++) if ($i == "PID") print i }')
    for p in ${want//,/ }; do
        awk -v c="$col" -v p="$p" 'NR > 1 && $c == p { f = 1 } END { exit !f }' <<<"$output"
    done
    [ "$(($(wc -l <<<"$output") - 1))" -eq 3 ]
    oci delete --force "$ID"
    assert_clean "$ID"
}

@test "events --stats: one JSON line with pids.current >= 1 and memory usage > 0" {
    make_bundle '.process.args = ["/bin/sh", "-c", "/usr/bin/ocitest sleep 100 & wait"]'
    start_ok
    run --separate-stderr oci events --stats "$ID"
    [ "$status" -eq 0 ]
    echo "${output:0:600}"
    [ "$(wc -l <<<"$output")" -eq 1 ]
    jq -e --arg id "$ID" '.type == "stats" and .id == $id
        and .data.pids.current >= 1 and .data.memory.usage.usage > 0' <<<"$output"
    note "events --stats: pids.current=$(jq .data.pids.current <<<"$output")" \
        "memory.usage=$(jq .data.memory.usage.usage <<<"$output")"
    oci delete --force "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- kill / delete

# start_nopidns [jq-filter [jq args]]: a container sharing the host's pid
# namespace: sh and three sleeps; their pids in PIDS.
start_nopidns() {
    make_bundle '.process.args = ["/bin/sh", "-c", "for i in 1 2 3; do /usr/bin/ocitest sleep 100 & done; wait"]
        | .linux.namespaces |= map(select(.type != "pid")) | '"${1:-.}" "${@:2}"
    start_ok
    for _ in $(seq 100); do [ "$(cg_pids "${CGPATH:-}" | wc -l)" -ge 4 ] && break; sleep 0.05; done
    PIDS=$(cg_pids "${CGPATH:-}")
    [ "$(wc -l <<<"$PIDS")" -eq 4 ]
}

@test "kill --all ID KILL kills every process (no pid namespace)" {
    start_nopidns
    oci kill --all "$ID" KILL
    # shellcheck disable=SC2086
    wait_pids_gone $PIDS
    wait_for_status "$ID" stopped
    oci delete "$ID"
    assert_clean "$ID"
}

@test "delete: a stopped container whose children live on (no pid namespace): they are killed, the cgroup goes in every hierarchy" {
    make_bundle '.process.args = ["/bin/sh", "-c", "/usr/bin/ocitest sleep 100 & /usr/bin/ocitest sleep 100 & exit 0"]
        | .linux.namespaces |= map(select(.type != "pid"))'
    create_ok
    local init
    init=$(container_pid)
    oci start "$ID"
    wait_for_status "$ID" stopped
    local kids
    kids=$(cg_pids | grep -vx "$init")
    [ "$(wc -l <<<"$kids")" -eq 2 ]
    oci delete "$ID"
    # shellcheck disable=SC2086
    wait_pids_gone $kids
    local d
    for d in $(all_cgdirs "/oci-rt/$ID"); do [ ! -d "$d" ]; done
    assert_clean "$ID"
}

@test "delete --force: a running container with children, absolute cgroupsPath: all killed, cgroup gone everywhere" {
    CGPATH=/oci-rt-test/$ID
    note_cgroup "$CGPATH"
    start_nopidns '.linux.cgroupsPath = $cg' --arg cg "$CGPATH"
    local d
    for d in $(all_cgdirs "$CGPATH"); do [ -d "$d" ]; done
    oci delete --force "$ID"
    # shellcheck disable=SC2086
    wait_pids_gone $PIDS
    for d in $(all_cgdirs "$CGPATH"); do [ ! -d "$d" ]; done
    assert_clean "$ID" "$CGPATH"
}

@test "cgroupsPath relative: under /oci-rt/, removed with delete (and /oci-rt when empty)" {
    local rel=$ID-rel/sub
    note_cgroup "/oci-rt/$ID-rel"
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"] | .linux.cgroupsPath = $cg' --arg cg "$rel"
    start_ok
    local pid d
    pid=$(container_pid)
    grep -qE ":/oci-rt/$ID-rel/sub\$" "/proc/$pid/cgroup"
    for d in $(all_cgdirs "/oci-rt/$rel"); do grep -qx "$pid" "$d/cgroup.procs"; done
    oci delete --force "$ID"
    for d in $(all_cgdirs "/oci-rt/$rel"); do [ ! -d "$d" ]; done
    assert_clean "$ID" "/oci-rt/$rel"
}

@test "--cgroup-manager disabled: no cgroup made even with linux.resources; the process stays in the caller's cgroups" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]
        | .linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 20'
    oci_detached --cgroup-manager disabled -- create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    local pid d
    pid=$(container_pid)
    diff <(sed 's/^[0-9]*://' /proc/self/cgroup) <(sed 's/^[0-9]*://' "/proc/$pid/cgroup")
    for d in $(all_cgdirs "/oci-rt/$ID"); do [ ! -d "$d" ]; done
    [ -z "$(find "$CGROUP_FS"/ -maxdepth 4 -type d -name "$ID" 2>/dev/null)" ]
    oci --cgroup-manager disabled start "$ID"
    oci --cgroup-manager disabled delete --force "$ID"
    assert_clean "$ID"
}

# ---------------------------------------------------------------- at the end

@test "after this file no cgroup made by its tests remains" {
    local tag left
    tag=$(_run_tag)
    left=$(find "$CGROUP_FS"/ -maxdepth 5 -type d -name "$tag*" 2>/dev/null)
    if [ -n "$left" ]; then
        echo "left behind: $left" >&2
        false
    fi
    if [ "${OCI_RT_GUEST:-}" = 1 ]; then
        # Nobody else uses the guest: no /oci-rt* at all (not even empty).
        left=$(find "$CGROUP_FS"/ -maxdepth 2 -type d -name 'oci-rt*' 2>/dev/null)
        if [ -n "$left" ]; then
            echo "left behind: $left" >&2
            false
        fi
    fi
    note "no cgroup named $tag* under $CGROUP_FS"
}

@test "delete --force of a container whose process someone else froze in a v1 freezer cgroup of theirs: done within seconds" {
    [ "$CG_V2" = 0 ] && [ -d "$CGROUP_FS/freezer" ] || skip "no v1 freezer hierarchy (a v2 kill takes frozen tasks)"
    local frz=/oci-rt-test/frozen-$ID pid t0
    note_cgroup "$frz"
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "60"]'
    start_ok
    pid=$(container_pid)
    # someone else's freezer cgroup: the container's process moved there, frozen
    mkdir -p "$CGROUP_FS/freezer$frz"
    echo "$pid" >"$CGROUP_FS/freezer$frz/cgroup.procs"
    echo FROZEN >"$CGROUP_FS/freezer$frz/freezer.state"
    defer "echo THAWED >$CGROUP_FS/freezer$frz/freezer.state"
    for _ in $(seq 50); do
        [ "$(cat "$CGROUP_FS/freezer$frz/freezer.state")" = FROZEN ] && break
        sleep 0.05
    done
    t0=$SECONDS
    run --separate-stderr timeout 20 "$OCI_RT" --root "$ROOT" delete --force "$ID"
    [ "$status" -eq 0 ] || {
        echo "delete --force: status $status: $stderr" >&2
        false
    }
    [ $((SECONDS - t0)) -le 3 ]
    not alive "$pid"
    # that cgroup stays as it was: frozen, now empty
    [ "$(cat "$CGROUP_FS/freezer$frz/freezer.state")" = FROZEN ]
    [ -z "$(cat "$CGROUP_FS/freezer$frz/cgroup.procs")" ]
    run oci state "$ID"
    [ "$status" -ne 0 ]
    assert_clean "$ID"
}

@test "delete --force of a container that made cgroups inside its own: the whole tree goes, deepest first, its processes killed" {
    local h pid d
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "60"] | del(.linux.namespaces[] | select(.type == "pid"))'
    start_ok
    # what a container with its cgroup mounted writable (or exec --cgroup)
    # does: sub-cgroups, with processes in them, in every hierarchy
    PF=$BATS_TEST_TMPDIR/x.pid
    oci exec -d --pid-file "$PF" "$ID" /usr/bin/ocitest sleep 60 </dev/null >/dev/null 2>&1
    pid=$(cat "$PF")
    for h in $(all_cgdirs "/oci-rt/$ID"); do
        mkdir -p "$h/sub/deeper"
        for f in cpuset.cpus cpuset.mems; do # a v1 cpuset starts empty
            [ ! -e "$h/$f" ] || { cat "$h/$f" >"$h/sub/$f" && cat "$h/$f" >"$h/sub/deeper/$f"; }
        done
        [ ! -e "$h/sub/deeper/cgroup.procs" ] || echo "$pid" >"$h/sub/deeper/cgroup.procs"
    done
    grep -q "/oci-rt/$ID/sub/deeper" "/proc/$pid/cgroup"
    run -0 --separate-stderr oci delete --force "$ID"
    not alive "$pid"
    for h in $(all_cgdirs "/oci-rt/$ID"); do
        [ ! -d "$h" ] || {
            echo "left: $h" >&2
            false
        }
    done
    assert_clean "$ID"
}
