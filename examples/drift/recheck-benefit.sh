#!/usr/bin/env bash
# Re-zero-shifting during training on drifting devices (issue 19; src/EXPERIMENT-NOTES.md "Session 8"): the
# 49-16-10 network on 7 x 7 digits, 50 epochs, with and without re-checks, on seeds 1-10 by default.
# Usage: examples/drift/recheck-benefit.sh OUT_DIR [SEED...]   (from the repository's root; builds the jar first)
# Writes OUT_DIR/results.csv: case,seed,final test accuracy %,re-check pulses,wall seconds
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: $0 OUT_DIR [SEED...]}"; shift
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3 4 5 6 7 8 9 10)
jar="$root/src/target/rramctl-0.1.0-SNAPSHOT-all.jar"
(cd "$root" && mvn -B -q -DskipTests package)
mkdir -p "$out"
geo="geometry=50x16,17x10"
common=(--side 7 --layers 49-16-10 --zero-shift --epochs 50 --lr 0.05 --dw-min 0.004 --g-unit 1.2375e-5 --init-scale 3 --no-progress)
rc="--recheck-every 4000 --recheck-devices 5% --recheck-search quick"
cases=(
  "no-drift|sim:rram-imbalanced?$geo&seed=SEED|"
  "crossing|sim:$root/examples/drift/crossing.json?$geo&seed=SEED|"
  "crossing-rechecked|sim:$root/examples/drift/crossing.json?$geo&seed=SEED|$rc"
  "crossing-control|sim:$root/examples/drift/crossing.json?$geo&seed=SEED|$rc --recheck-tolerance 50%"
  "drift20|sim:rram-imbalanced?$geo&seed=SEED&drift=20|"
  "drift20-rechecked|sim:rram-imbalanced?$geo&seed=SEED&drift=20|$rc"
  "zero-mean|sim:$root/examples/drift/zero-mean.json?$geo&seed=SEED|"
  "zero-mean-rechecked|sim:$root/examples/drift/zero-mean.json?$geo&seed=SEED|$rc"
)
for seed in "${seeds[@]}"; do
  for c in "${cases[@]}"; do
    IFS='|' read -r name board extra <<< "$c"
    d="$out/$name-s$seed"; rm -rf "$d"
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086 # $extra is a list of options
    java -jar "$jar" train --board "${board//SEED/$seed}" "${common[@]}" --seed "$seed" $extra --out "$d" > "$d.log" 2>&1
    t1=$(date +%s.%N)
    acc=$(grep '^epoch  *50 ' "$d.log" | sed 's/.*test \([0-9.]*\) %.*/\1/')
    rp=$(grep -h '^recheck' "$d.log" | awk '{for (i = 1; i <= NF; i++) if ($i == "pulses,") s += $(i - 1)} END {print s + 0}')
    echo "$name,$seed,$acc,$rp,$(echo "$t1 - $t0" | bc)" | tee -a "$out/results.csv"
  done
done
