#!/bin/bash
# Fuzz the config.json parser (specs/) with libFuzzer.
#   tests/fuzz/run.sh [SECONDS]   (default 60)
# Builds tests/fuzz/fuzz_config with clang -fsanitize=fuzzer,address,undefined,
# runs it from the seed corpus for SECONDS, and fails on any crash, leak or
# sanitizer report. The corpus it grows is kept in build/fuzz-corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
command -v clang >/dev/null || {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq clang >/dev/null
}
mkdir -p build/fuzz-corpus
bin=build/fuzz_config
# The parser's sources by glob (json*, config_*), so a new file of theirs is
# not missed here.
# shellcheck disable=SC2046
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE \
    -I. specs/json*.c specs/config_*.c tests/fuzz/fuzz_config.c \
    $(pkg-config --cflags --libs yajl) -o "$bin"
dict=()
[ -f tests/fuzz/fuzz_config.dict ] && dict=(-dict=tests/fuzz/fuzz_config.dict)
log=build/fuzz.log
set +e
"$bin" "${dict[@]}" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
    -artifact_prefix=build/fuzz- build/fuzz-corpus tests/fuzz/seeds >"$log" 2>&1
rc=$?
set -e
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ *DONE' "$log" || true
if [ "$rc" -ne 0 ]; then
    tail -40 "$log"
    echo "fuzz: FAILED (rc=$rc), see $log and build/fuzz-*"
    exit 1
fi
echo "fuzz: no crash in ${secs}s"
