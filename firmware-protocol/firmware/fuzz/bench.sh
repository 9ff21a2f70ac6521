#!/usr/bin/env bash
# Runs the libFuzzer target over the frame parser and dispatcher for a bounded time and reports executions and
# coverage:   firmware-protocol/firmware/fuzz/bench.sh [SECONDS=300] [JOBS=1]
# Builds with clang (Debian: apt-get install clang). The corpus grows in build/fuzz-corpus (seeded from the golden
# vectors); a crash leaves its input in build/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
make --no-print-directory fuzz-corpus >/dev/null
log="build/fuzz-bench.log"
start=$(date +%s)
if ! build/fuzz_board -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix=build/ build/fuzz-corpus >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "fuzz bench: the target failed (see $log)" >&2
  exit 1
fi
end=$(date +%s)
execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -o 'cov: [0-9]*' | awk '{print $2}')
ft=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -o 'ft: [0-9]*' | awk '{print $2}')
corpus=$(ls build/fuzz-corpus | wc -l)
echo "fuzz bench: $((end - start)) s, $execs executions ($((execs / (end - start + 1))) /s), coverage $cov edges, $ft features, corpus $corpus inputs, no crash"
