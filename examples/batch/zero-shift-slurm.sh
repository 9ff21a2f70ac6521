#!/bin/bash
# The zero-shifting sweep as a Slurm array job: one task per shard, each into its own folder, merged afterwards.
# Not run by rramctl's tests (no cluster here); `experiment zero-shift --shard I/N` and `experiment merge` are
# tested in src/test/java/org/rramctl/cli/ExperimentShardTest.java.
#
#   sbatch examples/batch/zero-shift-slurm.sh              # 6 array tasks
#   sbatch --dependency=afterok:JOBID --wrap "./rramctl experiment merge results/zs-shard-* --out results/zs"
#
# How long a task takes: on 2 cores (--jobs 2), a 30-epoch 784-256-128-10 cell on the vendored 8,000 digits took
# 39-44 s zero-shifted (calibration first), 17-20 s conventional and 9-10 s floating point
# (src/experiment-results/zero-shift/results.json, "seconds" per cell, two cells running at once). 4 ratios x
# 2 schemes x 3 seeds + 3 floating-point cells = 27 cells; 6 shards hold 4 or 5 cells each (dealt round-robin,
# so each gets a mix). A task's time is about the sum of its cells' times over --jobs (not measured on a cluster).
#SBATCH --job-name=rramctl-zero-shift
#SBATCH --array=1-6
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=00:30:00
#SBATCH --output=results/zs-shard-%a.log
set -euo pipefail
N=6
I=${SLURM_ARRAY_TASK_ID}
mkdir -p results
./rramctl experiment zero-shift --imbalance 1,1.5,2,3 --epochs 30 --seeds 3 --jobs "${SLURM_CPUS_PER_TASK}" \
  --shard "${I}/${N}" --out "results/zs-shard-${I}"
