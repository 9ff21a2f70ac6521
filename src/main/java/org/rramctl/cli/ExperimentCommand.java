package org.rramctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rramctl.data.MnistDataset;
import org.rramctl.experiment.ZeroShiftExperiment;
import org.rramctl.train.AnalogSettings;
import org.rramctl.train.LearningRateSchedule;
import org.rramctl.train.Network;
import org.rramctl.train.TrainCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rramctl experiment}: the experiments that reproduce published claims on the emulator. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "Run an experiment on the emulator.",
    subcommands = {ExperimentCommand.ZeroShift.class, ExperimentCommand.Merge.class})
final class ExperimentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new IllegalArgumentException("experiment: missing (expected: zero-shift or merge)");
  }

  /**
   * {@code rramctl experiment zero-shift}: conventional versus zero-shifted training over up/down step ratios,
   * plus the floating-point baseline ({@link ZeroShiftExperiment}). Exit 0 when every cell finished, 1 when
   * any failed (the results still list it), 2 for bad input with nothing written.
   */
  @Command(name = "zero-shift", mixinStandardHelpOptions = true,
      description = {"Train with conventional (mid-range) and zero-shifted (symmetry-point) references for each up/down step ratio,",
          "plus the floating-point baseline; write DIR/results.json, DIR/results.md and PNG plots."})
  static final class ZeroShift implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--imbalance", defaultValue = "1,1.5,2,3", paramLabel = "RATIOS", description = "Nominal up/down step ratios, comma-separated. Default: ${DEFAULT-VALUE}.")
    String imbalance;

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs per run. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--seeds", defaultValue = "1", paramLabel = "K", description = "Seeds 1..K per ratio and scheme (board and training). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--jobs", paramLabel = "J", description = "Runs at once. Default: the available processors.")
    Integer jobs;

    @Option(names = "--train-limit", paramLabel = "N", description = "Train on the first N training digits only. Default: all.")
    Integer trainLimit;

    @Option(names = "--side", defaultValue = "28", description = "Input resolution: 28, 14 or 7. Default: ${DEFAULT-VALUE}.")
    int side;

    @Option(names = "--layers", paramLabel = "SIZES", description = "Layer sizes (default: INPUT-256-128-10).")
    String layers;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST IDX folder. Default: the vendored 10,000 digits.")
    Path data;

    @Option(names = "--preset", defaultValue = "rram-imbalanced", description = "Emulator device preset. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--lr", defaultValue = "0.01", description = "Initial learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--halve-every", defaultValue = "10", paramLabel = "EPOCHS", description = "Halve the learning rate every this many epochs. Default: ${DEFAULT-VALUE}.")
    int halveEvery;

    @Option(names = "--init-scale", defaultValue = "3", description = "Analog initial weights spread like U(+-s/sqrt(fan_in)). Default: ${DEFAULT-VALUE}.")
    double initScale;

    @Option(names = "--g-unit", paramLabel = "SIEMENS", description = "Conductance read as weight 1. Default: (gMax - gMin) / 2.")
    Double gUnit;

    @Option(names = "--schemes", defaultValue = "conventional,zero-shift,tiki-taka", paramLabel = "NAMES",
        description = {"Analog schemes, comma-separated: conventional (SGD, references at mid-range), zero-shift (SGD, references at the symmetry points),",
            "tiki-taka (Tiki-Taka on zero-shifted A and C arrays, twice the arrays). Default: ${DEFAULT-VALUE}."})
    String schemes;

    @picocli.CommandLine.Mixin org.rramctl.train.TikiTakaOptions tikiTaka = new org.rramctl.train.TikiTakaOptions();

    @Option(names = "--init", defaultValue = "write-verify", paramLabel = "METHOD",
        description = {"Analog initial weights: write-verify (the same W0 from the seed for every scheme, each device written against its own reference)",
            "or pulse-walk (a random walk of pulses from where the devices are). Default: ${DEFAULT-VALUE}."})
    String init;

    @Option(names = "--dw-min", defaultValue = "0.001", description = "Nominal weight step of one pulse. Default: ${DEFAULT-VALUE}.")
    double dwMin;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--envelope", paramLabel = "FILE",
        description = "Board profile JSON with the safety envelope of every cell's board (never wider than the emulator's limits). Default: the emulator's.")
    Path envelope;

    @picocli.CommandLine.Mixin org.rramctl.train.RecheckOptions recheck = new org.rramctl.train.RecheckOptions();

    @Option(names = "--resume", description = "Continue the cells of an earlier run in --out from their checkpoints.")
    boolean resume;

    @Option(names = "--shard", paramLabel = "I/N", description = {"Run only shard I of N of the cells (cell k belongs to shard k mod N + 1),",
        "for a batch engine's array of jobs; merge the shards' --out folders with 'experiment merge'."})
    String shard;

    @Override
    public Integer call() throws IOException {
      PrintWriter log = spec.commandLine().getOut();
      ZeroShiftExperiment.Shard sh = shard == null ? null : ZeroShiftExperiment.Shard.parse(shard);
      OutputPaths.folder("--out", out);
      ZeroShiftExperiment.Config c = config(parseRatios(imbalance), epochs, seeds, jobs, trainLimit, side, layers, data, preset, lr, halveEvery,
          initScale, gUnit, dwMin, out);
      c = c.withAnalog(c.analog().withInit(AnalogSettings.Init.parse(init))).withSchemes(ZeroShiftExperiment.parseSchemes(schemes), tikiTaka.settings());
      if (envelope != null) c = c.withEnvelope(org.rramctl.driver.SafetyEnvelope.load(envelope));
      if (recheck.given()) c = c.withRecheck(recheck.settings());
      ZeroShiftExperiment.Results r = ZeroShiftExperiment.run(c, sh, resume, log);
      long failed = r.cells().stream().filter(x -> !x.ok()).count();
      if (failed > 0) {
        spec.commandLine().getErr().println("rramctl: " + failed + " of " + r.cells().size() + " cells failed (listed in " + out.resolve("results.md") + ")");
        return Main.EXIT_FAILURE;
      }
      return 0;
    }
  }

  /**
   * {@code rramctl experiment merge DIR... --out DIR}: the results of the {@code --shard I/N} runs as one
   * experiment, exactly the table the unsharded run writes. Refuses shards of different settings, missing or
   * repeated shards, in one line with exit 2 and nothing written.
   */
  @Command(name = "merge", mixinStandardHelpOptions = true,
      description = "Merge the --out folders of 'experiment zero-shift --shard I/N' runs into one experiment (results.json, results.md, plots).")
  static final class Merge implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Parameters(arity = "1..*", paramLabel = "DIR", description = "The shards' --out folders.")
    List<Path> shards;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the merged results.")
    Path out;

    @Override
    public Integer call() throws IOException {
      OutputPaths.folder("--out", out);
      ZeroShiftExperiment.Results r = ZeroShiftExperiment.merge(shards, out, spec.commandLine().getOut());
      long failed = r.cells().stream().filter(x -> !x.ok()).count();
      if (failed > 0) {
        spec.commandLine().getErr().println("rramctl: " + failed + " of " + r.cells().size() + " cells failed (listed in " + out.resolve("results.md") + ")");
        return Main.EXIT_FAILURE;
      }
      return 0;
    }
  }

  /** Validates everything and builds the configuration; nothing is written. */
  static ZeroShiftExperiment.Config config(List<Double> ratios, int epochs, int seeds, Integer jobs, Integer trainLimit, int side, String layers, Path data,
      String preset, double lr, int halveEvery, double initScale, Double gUnit, double dwMin, Path out) throws IOException {
    if (epochs < 1) throw new IllegalArgumentException("--epochs: " + epochs + " (expected: >= 1)");
    if (seeds < 1) throw new IllegalArgumentException("--seeds: " + seeds + " (expected: >= 1)");
    if (jobs != null && jobs < 1) throw new IllegalArgumentException("--jobs: " + jobs + " (expected: >= 1)");
    if (side != 28 && side != 14 && side != 7) throw new IllegalArgumentException("--side: " + side + " (expected: 28, 14 or 7)");
    MnistDataset d = TrainCommand.limit((data == null ? MnistDataset.vendored() : MnistDataset.load(data)).withSide(side), trainLimit);
    int[] sizes = layers == null ? new int[] {d.inputSize(), 256, 128, 10} : Network.parseSizes(layers);
    AnalogSettings a = AnalogSettings.defaults().withInitScale(initScale).withDwMin(dwMin);
    if (gUnit != null) a = a.withGUnitSiemens(gUnit);
    org.rramctl.sim.DevicePreset.resolve(preset);
    return new ZeroShiftExperiment.Config(ratios, epochs, seeds, jobs == null ? Runtime.getRuntime().availableProcessors() : jobs, d, sizes, preset,
        new LearningRateSchedule(lr, halveEvery), a, 1.0, out);
  }

  /** "1,1.5,2,3" to ratios, each a finite number > 0. */
  static List<Double> parseRatios(String text) {
    List<Double> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      double q;
      try {
        q = Double.parseDouble(part.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--imbalance: '" + part.trim() + "' (expected: ratios > 0, comma-separated, e.g. 1,1.5,2,3)");
      }
      if (!(q > 0) || Double.isInfinite(q)) {
        throw new IllegalArgumentException("--imbalance: " + part.trim() + " (expected: ratios > 0, comma-separated, e.g. 1,1.5,2,3)");
      }
      out.add(q);
    }
    return out;
  }
}
