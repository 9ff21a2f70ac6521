#!/usr/bin/env bash
# Mutation testing with PIT (issue 20 point 1), one target at a time, outside the default build.
#
#   bench/mutation.sh                 # every target below
#   bench/mutation.sh session physics # only these
#   PIT_THREADS=2 bench/mutation.sh   # threads per PIT run (default 1: the machine's 2 cores are shared)
#
# Each target names the module that holds its tests, the classes PIT mutates (globs) and the tests that exercise
# them (targetTests: the whole suite would take hours here). Reports: <module>/target/pit-reports/<target>/
# (index.html, mutations.xml). The last lines print one row per target:
#   target  mutants  killed  survived  no-coverage  score%  seconds
# where score = detected (killed + timed out + memory error) / all mutants, PIT's "mutation score".
# QUALITY.md records the command, the scores and the equivalent mutants.
set -euo pipefail
cd "$(dirname "$0")/.."

threads="${PIT_THREADS:-1}"

# name | module with the tests | classes to mutate | tests to run
targets=(
  "frame-decoder|firmware-protocol|org.rramctl.protocol.FrameDecoder*|org.rramctl.protocol.*Test"
  "codec|firmware-protocol|org.rramctl.protocol.MessageCodec*,org.rramctl.protocol.Body*|org.rramctl.protocol.*Test"
  "envelope|drivers|org.rramctl.driver.SafetyEnvelope*,org.rramctl.driver.EnvelopedDriver*|org.rramctl.driver.Envelope*Test,org.rramctl.driver.EveryOperationIsEnvelopedTest,org.rramctl.driver.ValuesTest"
  "session|drivers|org.rramctl.driver.serial.BoardSession*|org.rramctl.driver.serial.BoardSessionTest"
  "virtual-board|simulator|org.rramctl.sim.board.*|org.rramctl.sim.board.CommandValidatorTest,org.rramctl.sim.board.CommandExecutorTest,org.rramctl.sim.board.ExecutionHistoryTest,org.rramctl.sim.board.VirtualBoardTest,org.rramctl.sim.board.VirtualBoardRealTimeTest,org.rramctl.sim.board.SourceMeasureOverSerialTest,org.rramctl.sim.board.SerialSessionTest,org.rramctl.sim.board.AbortWhileBusyTest,org.rramctl.sim.board.WatchdogTimingTest,org.rramctl.sim.board.SerialBoardDriverOverPipeContractTest"
  "physics|simulator|org.rramctl.sim.DevicePlane*|org.rramctl.sim.DevicePlaneTest,org.rramctl.sim.SoftBoundPhysicsTest,org.rramctl.sim.SwitchingPhysicsTest,org.rramctl.sim.SymmetryPointDriftTest,org.rramctl.sim.EmulatorDriverContractTest,org.rramctl.sim.IdealEmulatorContractTest,org.rramctl.sim.PersistentChipTest,org.rramctl.sim.EmulatorThreadsTest"
  "symmetry|calibration|org.rramctl.calibration.SymmetryPointSearch*|org.rramctl.calibration.SymmetryPointSearchTest,org.rramctl.calibration.CalibrationAccuracyTest,org.rramctl.calibration.CalibrationFailureModesTest,org.rramctl.calibration.SymmetryPointErrorsTest,org.rramctl.calibration.SymmetryPointGroupTest,org.rramctl.calibration.SymmetryPointPerDeviceTest,org.rramctl.calibration.TargetErrorStoppingTest"
  "journal|src|org.rramctl.journal.JournalWriter*|org.rramctl.journal.JournalTest,org.rramctl.journal.JournalWriterTest,org.rramctl.journal.JournalWriterDurabilityTest,org.rramctl.procedure.CrashTest"
)

wanted=("$@")
summary=()
for t in "${targets[@]}"; do
  IFS='|' read -r name module classes tests <<<"$t"
  if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  echo "== $name: mutating $classes with $tests ($threads thread(s))" >&2
  start=$(date +%s)
  # test-compile in the same invocation so the reactor hands PIT the upstream modules' target/classes (no install);
  # the upstream modules run PIT too but find none of the listed tests (cheap).
  mvn -B -q -Pmutation -pl "$module" -am test-compile org.pitest:pitest-maven:mutationCoverage \
      -Dpit.threads="$threads" -Dpit.report="$name" -DtargetClasses="$classes" -DtargetTests="$tests"
  seconds=$(( $(date +%s) - start ))
  xml="$module/target/pit-reports/$name/mutations.xml"
  summary+=("$(python3 - "$xml" "$name" "$seconds" <<'PY'
import sys, xml.etree.ElementTree as ET
path, name, seconds = sys.argv[1:]
ms = ET.parse(path).getroot().findall('mutation')
status = [m.get('status') for m in ms]
detected = sum(m.get('detected') == 'true' for m in ms)
score = 100.0 * detected / len(ms) if ms else 0.0
print(f"{name:14s} {len(ms):7d} {detected:7d} {status.count('SURVIVED'):8d} {status.count('NO_COVERAGE'):11d} {score:6.1f} {seconds:7s}")
PY
)")
done
echo "target         mutants  killed survived no-coverage score%  seconds"
printf '%s\n' "${summary[@]}"
