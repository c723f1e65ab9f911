#!/usr/bin/env bats
# linux.netDevices: host network devices moved into the container's network
# namespace (a veth pair made per test; dummy devices are not available).

load helpers

eval "$(declare -f setup | sed '1s/^setup/_helpers_setup/')"

setup() {
    _helpers_setup
    command -v ip >/dev/null 2>&1 || skip "ip (iproute2) is not installed"
}

# make_veth: VETH (host end, 10.200.0.1/24) and PEER (10.200.0.2/24, up), removed in teardown.
make_veth() {
    local tag
    tag=$(printf '%04x' "$((RANDOM % 65536))")
    VETH=oci-t$tag
    PEER=oci-p$tag
    ip link add "$VETH" type veth peer name "$PEER" || skip "cannot make a veth pair here"
    defer "ip link del '$PEER'; ip link del '$VETH'"
    ip addr add 10.200.0.1/24 dev "$VETH"
    ip addr add 10.200.0.2/24 dev "$PEER"
    ip link set "$PEER" up
}

host_has() {
    ip link show "$1" >/dev/null 2>&1
}

@test "netDevices: the host's device is in the container as eth9, up, with its address" {
    make_veth
    make_bundle '.linux.netDevices = {($v): {"name": "eth9"}}
        | .process.args = ["/bin/sh", "-c", "ip link show eth9; ip addr show dev eth9; echo links=$(ls /sys/class/net | paste -sd,); echo ready; exec ocitest sleep 30"]' \
        --arg v "$VETH"
    start_ok
    wait_for_line "$OUT_DIR/$ID.out" '^ready$'
    out=$(container_out)
    grep -E '^[0-9]+: eth9[@:].*[<,]UP[,>]' <<<"$out"
    grep -E 'inet 10\.200\.0\.1/24 .*eth9' <<<"$out"
    assert_kv links eth9,lo "$out"
    # gone from the host while the container has it
    not host_has "$VETH"
    oci delete --force "$ID"
    assert_clean "$ID"
    # a veth goes with the network namespace: neither end is left
    for _ in $(seq 50); do
        host_has "$PEER" || break
        sleep 0.1
    done
    not host_has "$VETH"
    not host_has "$PEER"
}

@test "netDevices: the container talks to the host through the moved device" {
    make_veth
    make_bundle '.linux.netDevices = {($v): {"name": "eth9"}}
        | .process.capabilities |= with_entries(.value += ["CAP_NET_RAW"])
        | .process.args = ["/bin/sh", "-c", "ping -c 1 -W 5 10.200.0.2 >/dev/null; echo ping=$?"]' \
        --arg v "$VETH"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "run failed ($status): $stderr" >&2; false; }
    assert_kv ping 0
    assert_clean "$ID"
}

@test "netDevices: without a name the device keeps its host name" {
    make_veth
    make_bundle '.linux.netDevices = {($v): {}}
        | .process.args = ["/bin/sh", "-c", "echo links=$(ls /sys/class/net | paste -sd,)"]' --arg v "$VETH"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "run failed ($status): $stderr" >&2; false; }
    assert_kv links "lo,$VETH"
    assert_clean "$ID"
}

@test "netDevices: a device missing on the host fails clearly, leaving nothing" {
    make_bundle '.linux.netDevices = {"oci-nodev0": {"name": "eth9"}}'
    not host_has oci-nodev0
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "netDevices" "oci-nodev0"
    assert_clean "$ID"
}

@test "netDevices without a network namespace fail clearly; the device stays on the host" {
    make_veth
    make_bundle '.linux.namespaces |= map(select(.type != "network"))
        | .linux.netDevices = {($v): {"name": "eth9"}}' --arg v "$VETH"
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "netDevices" "network namespace"
    host_has "$VETH"
    ip -o addr show dev "$VETH" | grep -q '10\.200\.0\.1/24'
    assert_clean "$ID"
}

@test "netDevices: a name taken in the container (lo) fails clearly; the device stays on the host" {
    make_veth
    make_bundle '.linux.netDevices = {($v): {"name": "lo"}}' --arg v "$VETH"
    unflake oci_detached create --bundle "$BUNDLE" "$ID"
    assert_error_line "netDevices" "$VETH"
    assert_clean "$ID"
    host_has "$VETH" || { echo "the failed create lost the host's $VETH" >&2; false; }
}

@test "netDevices: two devices at once" {
    make_veth
    v1=$VETH
    make_veth
    v2=$VETH
    ip addr flush dev "$v2"
    ip addr add 10.201.0.1/24 dev "$v2"
    make_bundle '.linux.netDevices = {($a): {"name": "eth1"}, ($b): {"name": "eth2"}}
        | .process.args = ["/bin/sh", "-c", "ip addr"]' --arg a "$v1" --arg b "$v2"
    unflake run --separate-stderr oci run --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ] || { echo "run failed ($status): $stderr" >&2; false; }
    grep -E 'inet 10\.200\.0\.1/24 .*eth1' <<<"$output"
    grep -E 'inet 10\.201\.0\.1/24 .*eth2' <<<"$output"
    assert_clean "$ID"
}
