#!/bin/bash
# Make a bundle in DIR: a busybox-static rootfs (tests/lib/mkrootfs.sh) and a
# config.json from `oci-rt spec`, set to run a short non-interactive demo.
#   contrib/mkbundle.sh DIR [OCI_RT]
set -euo pipefail
dir=${1:?usage: contrib/mkbundle.sh DIR [OCI_RT]}
ocirt=${2:-oci-rt}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
"$top/tests/lib/mkrootfs.sh" "$dir/rootfs" >/dev/null
rm -f "$dir/config.json"
"$ocirt" spec --bundle "$dir"
# no terminal; a command that shows where it runs
sed -i -e 's/"terminal": true/"terminal": false/' \
    -e 's|"args": \[ "sh" \]|"args": [ "sh", "-c", "echo hello from $(hostname), pid $$, as $(id -un); grep ^Cap /proc/self/status" ]|' \
    "$dir/config.json"
echo "bundle ready: $dir"
