#!/usr/bin/env bats
# Leaked fds and the process's cwd (the CVE-2024-21626 class): no fd of the
# caller or of the runtime reaches the container, and no cwd or path of the
# container leads out of it (/proc/self/fd/N of a host directory).
#
# The caller of oci-rt holds, besides 0-2: fd 3 a host file, 5 the host's /,
# 7 /sys/fs/cgroup, 8 the state root, 9 the host's /run.

load ../integration/helpers

# with_host_fds CMD...: CMD with the host fds open.
with_host_fds() {
    mkdir -p "$ROOT"
    "$@" 3</etc/hostname 5</ 7</sys/fs/cgroup 8<"$ROOT" 9</run
}

@test "fds: the container sees only 0,1,2 (run, and create+start) when oci-rt has host fds open; --preserve-fds 1 adds exactly 3" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "fds"]'
    unflake run --separate-stderr with_host_fds "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^fd\.' <<<"$output")" -eq 3 ] || { echo "$output" >&2; false; }
    assert_clean "$ID"

    with_host_fds "$OCI_RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$OUT_DIR/$ID.out" 2>"$OUT_DIR/$ID.err"
    with_host_fds "$OCI_RT" --root "$ROOT" start "$ID"
    wait_for_status "$ID" stopped
    [ "$(grep -c '^fd\.' "$OUT_DIR/$ID.out")" -eq 3 ] || { cat "$OUT_DIR/$ID.out" >&2; false; }
    oci delete "$ID"
    assert_clean "$ID"

    unflake run --separate-stderr with_host_fds "$OCI_RT" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^fd\.' <<<"$output")" -eq 4 ]
    grep -q '^fd\.3=/etc/hostname$' <<<"$output"
    assert_clean "$ID"
}

@test "fds: a created container's init holds no fd of a host directory (the caller's nor the runtime's)" {
    make_bundle '.process.args = ["/usr/bin/ocitest", "sleep", "30"]'
    with_host_fds "$OCI_RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$OUT_DIR/$ID.out" 2>"$OUT_DIR/$ID.err"
    _record_pid "$ID"
    pid=$(container_pid)
    bad=()
    seen=0
    for fd in /proc/"$pid"/fd/*; do
        t=$(readlink "$fd") || continue
        seen=$((seen + 1))
        if [ -d "$fd" ]; then
            bad+=("${fd##*/} -> $t (a directory)")
        fi
        case $t in
        /etc/hostname | "$ROOT"* | /sys/fs/cgroup* | /run*) bad+=("${fd##*/} -> $t") ;;
        esac
    done
    oci delete --force "$ID"
    # (0, 1 and 2 at least: else the fds were not looked at)
    [ "$seen" -ge 3 ] || { echo "read only $seen fds of the init (pid '$pid')" >&2; false; }
    if [ ${#bad[@]} -gt 0 ]; then
        printf 'the created init (pid %s) holds: %s\n' "$pid" "${bad[*]}" >&2
        false
    fi
    assert_clean "$ID"
}

@test "fds: process.cwd /proc/self/fd/3 .. /proc/self/fd/10: refused clearly, or a cwd inside the container" {
    for n in 3 4 5 6 7 8 9 10; do
        make_bundle '.process.cwd = $c | .process.args = ["/bin/sh", "-c", "/usr/bin/ocitest report; echo cwdid=$(stat -c %d:%i .)"]' \
            --arg c "/proc/self/fd/$n"
        unflake run --separate-stderr with_host_fds "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
        if [ "$status" -eq 0 ]; then
            cwd=$(kv cwd)
            [ -n "$cwd" ] && [ -n "$(kv cwdid)" ] || { echo "fd $n: the probe did not run: $output" >&2; false; }
            [[ "$cwd" != "(unreachable)"* ]] || { echo "fd $n: cwd $cwd" >&2; false; }
            [[ "$cwd" != "$ROOT"* && "$cwd" != /sys/fs/cgroup* ]]
            # not one of the host's directories the caller had open
            for d in / /sys/fs/cgroup "$ROOT" /run; do
                [ "$(kv cwdid)" != "$(stat -c %d:%i "$d")" ] || { echo "fd $n: the cwd is the host's $d" >&2; false; }
            done
        else
            assert_error_line "process\.cwd" "/proc/self/fd/$n"
        fi
        assert_clean "$ID"
    done
}

@test "fds: process.args[0] through /proc/self/fd/N of a host directory does not run a host binary" {
    host_bin=$(command -v busybox || true)
    [ -n "$host_bin" ] || skip "no busybox on the host"
    host_bin=$(readlink -f "$host_bin")
    for n in 5 9; do
        case $n in
        5) path=/proc/self/fd/5$host_bin ;;
        9) path=/proc/self/fd/9/../$host_bin ;;
        esac
        make_bundle '.process.args = [$p, "sh", "-c", "echo RAN-A-HOST-BINARY"]' --arg p "$path"
        unflake run --separate-stderr with_host_fds "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
        not grep -q RAN-A-HOST-BINARY <<<"$output"
        [ "$status" -ne 0 ]
        # refused at the exec of that path (not before it was tried)
        grep -qF "$path" <<<"$stderr" || { echo "fd $n: the error does not name $path: $stderr" >&2; false; }
        assert_clean "$ID"
    done
}

@test "fds: nothing in the container's /proc leads to the host's /sys/fs/cgroup, /run or the state root" {
    probe='for l in /proc/[0-9]*/cwd /proc/[0-9]*/root /proc/[0-9]*/fd/*; do
            t=$(readlink "$l" 2>/dev/null) && echo "link $l $t"
        done
        for n in 3 4 5 6 7 8 9 10 11 12; do
            [ -d /proc/self/fd/$n/ ] && echo "dirfd $n $(ls /proc/self/fd/$n/ | head -n 3 | paste -sd,)"
        done
        echo done'
    make_bundle '.process.args = ["/bin/sh", "-c", $p]' --arg p "$probe"
    unflake run --separate-stderr with_host_fds "$OCI_RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    grep -qx done <<<"$output"
    not grep -q '(unreachable)' <<<"$output"
    not grep -q '^dirfd' <<<"$output"
    not grep -qE " ($ROOT|/run|/sys/fs/cgroup)" <<<"$output"
    assert_clean "$ID"
}
