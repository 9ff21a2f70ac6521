package org.rramctl.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.rramctl.data.MnistDataset;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.journal.RunLock;
import org.rramctl.plot.Charts;
import org.rramctl.sim.DevicePreset;
import org.rramctl.train.AnalogLayer;
import org.rramctl.train.AnalogSettings;
import org.rramctl.train.EpochMetrics;
import org.rramctl.train.LearningRateSchedule;
import org.rramctl.train.Network;
import org.rramctl.train.ReferenceScheme;
import org.rramctl.train.TrainSettings;
import org.rramctl.train.Trainer;
import org.rramctl.train.TrainingRun;
import org.rramctl.train.TikiTakaLayer;
import org.rramctl.train.TikiTakaSettings;

/**
 * The zero-shifting experiment (issue 5; Kim et al. 2019, arXiv 1907.10228): for every up/down step ratio
 * and seed, the conventional and the zero-shifted training on an emulated board of their own, plus the
 * floating-point baseline per seed, run side by side on {@code jobs} threads; then {@code results.json},
 * {@code results.md} and PNG plots in the output folder, each written atomically (temporary file, then
 * rename). A cell that fails is reported in every output and does not stop the others.
 *
 * <p>Cell boards: {@code sim:PRESET?ratio=Q&geometry=...&seed=S}, the geometry exactly the network's layers
 * (one array per layer), so the two schemes of a ratio and seed train on the very same devices. Each cell
 * keeps its own folder {@code cells/ID} with the trainer's checkpoint, so {@code resume} continues a killed
 * experiment cell by cell.
 */
public final class ZeroShiftExperiment {
  /** Schema of results.json. */
  public static final String SCHEMA = "rramctl.experiment.zero-shift/1";
  /** The scheme name of the floating-point cells. */
  public static final String FLOAT = "floating point";
  /** The analog schemes, in table order: SGD with mid-range references, SGD zero-shifted, Tiki-Taka zero-shifted. */
  public static final String CONVENTIONAL = "conventional";
  public static final String ZERO_SHIFTED = "zero-shifted";
  public static final String TIKI_TAKA = "tiki-taka";
  public static final List<String> SCHEMES = List.of(CONVENTIONAL, ZERO_SHIFTED, TIKI_TAKA);

  /** "conventional,zero-shift,tiki-taka" (zero-shift or zero-shifted) to scheme names. */
  public static List<String> parseSchemes(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String x = part.trim().toLowerCase(Locale.ROOT);
      if (x.equals("zero-shift")) x = ZERO_SHIFTED;
      if (!SCHEMES.contains(x) || out.contains(x)) {
        throw new IllegalArgumentException("--schemes: '" + part.trim() + "' (expected: distinct names of conventional, zero-shift, tiki-taka, comma-separated)");
      }
      out.add(x);
    }
    return out;
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ZeroShiftExperiment() {}

  /**
   * What to run.
   *
   * @param ratios nominal up/down step ratios, each > 0
   * @param epochs epochs per cell, >= 1
   * @param seeds seeds 1..seeds per cell (training and board), >= 1
   * @param jobs cells run at once, >= 1
   * @param data the digits (already downsampled and limited)
   * @param sizes layer sizes, input to output
   * @param preset emulator preset name or file
   * @param schedule learning rate per epoch
   * @param analog how the network sits on the boards
   * @param floatInitScale initial weight scale of the floating-point baseline
   * @param out the output folder
   * @param envelope the envelope of every cell's board ({@code --envelope}), or null for the emulator's default
   * @param schemes the analog schemes to run, each of {@link #SCHEMES}, in that order
   * @param tikiTaka the Tiki-Taka parameters (used when {@code schemes} holds {@link #TIKI_TAKA})
   */
  public record Config(List<Double> ratios, int epochs, int seeds, int jobs, MnistDataset data, int[] sizes, String preset,
      LearningRateSchedule schedule, AnalogSettings analog, double floatInitScale, Path out, SafetyEnvelope envelope, List<String> schemes,
      TikiTakaSettings tikiTaka, org.rramctl.train.Recheck.Settings recheck) {
    public Config {
      if (schemes == null || schemes.isEmpty()) throw new IllegalArgumentException("--schemes: empty (expected: some of " + String.join(",", SCHEMES) + ")");
      for (String x : schemes) {
        if (!SCHEMES.contains(x)) throw new IllegalArgumentException("--schemes: '" + x + "' (expected: some of " + String.join(",", SCHEMES) + ")");
      }
      schemes = SCHEMES.stream().filter(schemes::contains).toList();
      if (tikiTaka == null) tikiTaka = TikiTakaSettings.defaults();
      if (ratios == null || ratios.isEmpty()) throw new IllegalArgumentException("--imbalance: empty (expected: ratios > 0, e.g. 1,1.5,2,3)");
      for (double q : ratios) {
        if (!(q > 0) || Double.isInfinite(q)) throw new IllegalArgumentException("--imbalance: " + fmt(q) + " (expected: ratios > 0, e.g. 1,1.5,2,3)");
      }
      ratios = List.copyOf(ratios);
      if (ratios.stream().distinct().count() != ratios.size()) {
        throw new IllegalArgumentException("--imbalance: " + ratios.stream().map(ZeroShiftExperiment::fmt).collect(Collectors.joining(",")) + " (expected: distinct ratios)");
      }
      if (epochs < 1) throw new IllegalArgumentException("--epochs: " + epochs + " (expected: >= 1)");
      if (seeds < 1) throw new IllegalArgumentException("--seeds: " + seeds + " (expected: >= 1)");
      if (jobs < 1) throw new IllegalArgumentException("--jobs: " + jobs + " (expected: >= 1)");
      Network.checkSizes(sizes);
      sizes = sizes.clone();
      if (data == null || sizes[0] != data.inputSize()) {
        throw new IllegalArgumentException("layers: " + Network.format(sizes) + " (expected: input size " + (data == null ? "?" : data.inputSize()) + ")");
      }
      if (out == null) throw new IllegalArgumentException("--out: missing (expected: a folder for results.json, results.md and the plots)");
    }

    /** A configuration on the emulator's default envelope. */
    public Config(List<Double> ratios, int epochs, int seeds, int jobs, MnistDataset data, int[] sizes, String preset,
        LearningRateSchedule schedule, AnalogSettings analog, double floatInitScale, Path out) {
      this(ratios, epochs, seeds, jobs, data, sizes, preset, schedule, analog, floatInitScale, out, null, List.of(CONVENTIONAL, ZERO_SHIFTED), null, null);
    }

    /** The zero-shifted cells re-check a sample of symmetry points during training ({@code train --recheck-every}); null: never. */
    public Config withRecheck(org.rramctl.train.Recheck.Settings r) {
      return new Config(ratios, epochs, seeds, jobs, data, sizes, preset, schedule, analog, floatInitScale, out, envelope, schemes, tikiTaka, r);
    }

    public Config withEnvelope(SafetyEnvelope e) {
      return new Config(ratios, epochs, seeds, jobs, data, sizes, preset, schedule, analog, floatInitScale, out, e, schemes, tikiTaka, recheck);
    }

    public Config withAnalog(AnalogSettings a) {
      return new Config(ratios, epochs, seeds, jobs, data, sizes, preset, schedule, a, floatInitScale, out, envelope, schemes, tikiTaka, recheck);
    }

    public Config withSchemes(List<String> s, TikiTakaSettings tt) {
      return new Config(ratios, epochs, seeds, jobs, data, sizes, preset, schedule, analog, floatInitScale, out, envelope, s, tt, recheck);
    }

    /** One array per layer, exactly its size with the bias row: "785x256,257x128,129x10". */
    public String geometry() {
      List<String> parts = new ArrayList<>();
      for (int k = 0; k + 1 < sizes.length; k++) parts.add((sizes[k] + 1) + "x" + sizes[k + 1]);
      return String.join(",", parts);
    }

    /**
     * The emulator of one cell. With several cells at once each emulator keeps to one thread (the cells already
     * fill the cores); a lone cell may use the emulator's default. Results are the same either way.
     */
    public String board(double ratio, long seed) {
      return "sim:" + preset + "?ratio=" + fmt(ratio) + "&geometry=" + geometry() + "&seed=" + seed + (jobs > 1 ? "&threads=1" : "");
    }

    /**
     * The emulator of one cell of {@code scheme}: Tiki-Taka's has the arrays twice (A's, then C's: the first half is
     * the same devices as the other schemes' board of that ratio and seed).
     */
    public String board(double ratio, long seed, String scheme) {
      if (!scheme.equals(TIKI_TAKA)) return board(ratio, seed);
      return "sim:" + preset + "?ratio=" + fmt(ratio) + "&geometry=" + TikiTakaLayer.geometry(sizes) + "&seed=" + seed + (jobs > 1 ? "&threads=1" : "");
    }
  }

  /** One training run of the experiment; {@code ratio} is NaN and {@code board} null for floating point. */
  public record Cell(String id, String scheme, double ratio, long seed, String board) {}

  /**
   * A cell's outcome: the metrics of its epochs, or the error that stopped it, and per layer what write-verify
   * initialisation achieved (empty for floating point and the pulse walk).
   */
  public record CellResult(Cell cell, boolean ok, String error, List<EpochMetrics> epochs, double seconds, List<AnalogLayer.InitOutcome> init) {
    public CellResult {
      init = init == null ? List.of() : List.copyOf(init);
    }

    public double finalTestAccuracy() {
      return ok && !epochs.isEmpty() ? epochs.get(epochs.size() - 1).testAccuracy() : Double.NaN;
    }
  }

  /** Final test accuracy of one ratio and scheme over the seeds that finished. */
  public record Summary(String scheme, double ratio, int runs, int failed, double mean, double std, double min, double max) {}

  /**
   * Everything results.json holds. {@code shard} is "I/N" for the share of the cells one {@code --shard I/N} run
   * holds (its summary covers only those cells), null for a whole experiment (run whole, or merged).
   */
  public record Results(String schema, String regime, List<Double> ratios, int epochs, int seeds, String layers, String data, String shard,
      List<Summary> summary, List<CellResult> cells, List<String> schemes) {
    public Results {
      if (schemes == null) schemes = List.of(CONVENTIONAL, ZERO_SHIFTED); // results written before Tiki-Taka
    }
  }

  /**
   * A share of an experiment's cells for a batch engine (a Slurm array task, a Kubernetes indexed job): cell k of
   * {@link #cells} belongs to shard {@code k mod count + 1}. Every cell is seeded on its own, so a cell gives the
   * same result in any shard.
   */
  public record Shard(int index, int count) {
    public Shard {
      if (count < 1 || index < 1 || index > count) {
        throw new IllegalArgumentException("--shard: " + index + "/" + count + " (expected: I/N with 1 <= I <= N, e.g. 2/3)");
      }
    }

    /** "I/N", e.g. "2/3". */
    public static Shard parse(String text) {
      String[] p = text == null ? new String[0] : text.split("/", -1);
      if (p.length != 2 || !p[0].matches("[0-9]{1,6}") || !p[1].matches("[0-9]{1,6}")) {
        throw new IllegalArgumentException("--shard: '" + text + "' (expected: I/N with 1 <= I <= N, e.g. 2/3)");
      }
      return new Shard(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }

    public <T> List<T> of(List<T> all) {
      List<T> mine = new ArrayList<>();
      for (int k = 0; k < all.size(); k++) if (k % count == index - 1) mine.add(all.get(k));
      return mine;
    }

    @Override
    public String toString() {
      return index + "/" + count;
    }
  }

  /** The cells of a configuration: per ratio and seed both schemes, per seed one floating-point baseline. */
  public static List<Cell> cells(Config c) {
    List<Cell> cells = new ArrayList<>();
    // The calibrating schemes first: they take longest.
    for (String s : List.of(ZERO_SHIFTED, TIKI_TAKA, CONVENTIONAL)) {
      if (!c.schemes().contains(s)) continue;
      for (double q : c.ratios()) {
        for (long seed = 1; seed <= c.seeds(); seed++) {
          cells.add(new Cell("ratio" + fmt(q) + "-" + s + "-seed" + seed, s, q, seed, c.board(q, seed, s)));
        }
      }
    }
    for (long seed = 1; seed <= c.seeds(); seed++) cells.add(new Cell("float-seed" + seed, FLOAT, Double.NaN, seed, null));
    return cells;
  }

  /**
   * Runs every cell and writes the results; returns them.
   *
   * @param resume continue the cells of an earlier run in the same folder from their checkpoints
   * @param log one line per finished epoch of any cell, and the table at the end
   * @throws IllegalArgumentException when {@code out} holds an earlier experiment and {@code resume} is off
   * @throws RunLock.LockedException when another experiment (in any process) uses {@code out}
   */
  public static Results run(Config c, boolean resume, PrintWriter log) throws IOException {
    return run(c, null, resume, log);
  }

  /** {@link #run(Config, boolean, PrintWriter)} on the cells of {@code shard} only (all when null). */
  public static Results run(Config c, Shard shard, boolean resume, PrintWriter log) throws IOException {
    // One experiment per folder for its whole life; each cell's training run locks its own folder as well.
    try (RunLock lock = RunLock.acquire(c.out().resolve(TrainingRun.LOCK_FILE), "--out " + c.out())) {
      return runLocked(c, shard, resume, log);
    }
  }

  private static Results runLocked(Config c, Shard shard, boolean resume, PrintWriter log) throws IOException {
    Path cellsDir = c.out().resolve("cells");
    if (!resume && Files.isDirectory(cellsDir)) {
      try (var s = Files.list(cellsDir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--out: " + c.out() + " holds an earlier experiment (expected: --resume to continue it, or another --out)");
        }
      }
    }
    Files.createDirectories(cellsDir);
    List<Cell> all = cells(c);
    List<Cell> cells = shard == null ? all : shard.of(all);
    log.printf(Locale.ROOT, "zero-shift experiment: %d cells (%s x {%s} x %d seed(s) + floating point)%s, %d at a time -> %s%n",
        cells.size(), c.ratios().stream().map(ZeroShiftExperiment::fmt).collect(Collectors.joining(",", "ratios ", "")), String.join(", ", c.schemes()), c.seeds(),
        shard == null ? "" : ", shard " + shard + " of the " + all.size(), c.jobs(), c.out());
    log.flush();
    ExecutorService pool = Executors.newFixedThreadPool(c.jobs(), r -> {
      Thread t = new Thread(r, "zero-shift-cell");
      t.setDaemon(true);
      return t;
    });
    List<CellResult> results = new ArrayList<>();
    try {
      List<Future<CellResult>> futures = new ArrayList<>();
      // After an Error in one cell no other cell starts (the pool's thread would otherwise take the next one
      // before this thread sees the Error, and go on writing into --out while the Error propagates).
      java.util.concurrent.atomic.AtomicBoolean unfit = new java.util.concurrent.atomic.AtomicBoolean();
      for (Cell cell : cells) {
        futures.add(pool.submit(() -> {
          if (unfit.get()) return null;
          try {
            return runCell(c, cell, resume, log);
          } catch (Error e) {
            unfit.set(true);
            throw e;
          }
        }));
      }
      for (Future<CellResult> f : futures) {
        try {
          CellResult done = f.get();
          if (done != null) results.add(done);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("experiment interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
          // runCell records every Exception as a failed cell; an Error (out of memory, stack overflow, a failed
          // assertion) means this JVM is not fit to run the other cells: stop the experiment with it.
          if (e.getCause() instanceof Error err) throw err;
          throw new IllegalStateException("cell runner failed", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Results r = new Results(SCHEMA, regime(c), c.ratios(), c.epochs(), c.seeds(), Network.format(c.sizes()), c.data().train() + " / " + c.data().test(),
        shard == null ? null : shard.toString(), summarize(c.ratios(), c.schemes(), results), results, c.schemes());
    write(c.out(), r);
    log.println();
    log.print(markdown(r, false));
    log.flush();
    return r;
  }

  private static CellResult runCell(Config c, Cell cell, boolean resume, PrintWriter log) {
    long t0 = System.nanoTime();
    Path dir = c.out().resolve("cells").resolve(cell.id());
    TrainSettings ts = new TrainSettings(c.epochs(), c.schedule(), dir);
    boolean analog = cell.board() != null;
    boolean tt = cell.scheme().equals(TIKI_TAKA);
    TrainingRun run = new TrainingRun(c.sizes(), c.data(), ts, cell.seed(), cell.board(), analog ? c.analog() : null, c.floatInitScale(),
        analog ? (tt ? ReferenceScheme.ZERO_SHIFTED : ReferenceScheme.parse(cell.scheme())) : null, null, 0, analog ? c.envelope() : null,
        analog && cell.scheme().equals(ZERO_SHIFTED) ? c.recheck() : null, tt ? c.tikiTaka() : null);
    PrintWriter cellLog = new PrintWriter(new java.io.Writer() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public void write(char[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
          if (b[i] == '\n') {
            synchronized (log) {
              log.println("[" + cell.id() + "] " + line);
              log.flush();
            }
            line.setLength(0);
          } else {
            line.append(b[i]);
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    Trainer.Listener listener = new Trainer.Listener() {
      @Override
      public void epochFinished(EpochMetrics m) {
        cellLog.printf(Locale.ROOT, "epoch %d  loss %.4f  test %.2f %%  %.0f s%n", m.epoch(), m.trainLoss(), 100 * m.testAccuracy(), m.seconds());
      }
    };
    try {
      boolean again = resume && Files.exists(ts.checkpointFile());
      Trainer t = run.run(again, listener, cellLog);
      return new CellResult(cell, true, null, t.metrics(), (System.nanoTime() - t0) / 1e9, TrainingRun.readInit(dir));
    } catch (Exception e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      cellLog.printf(Locale.ROOT, "FAILED: %s%n", why);
      return new CellResult(cell, false, e.getClass().getSimpleName() + ": " + why, List.of(), (System.nanoTime() - t0) / 1e9, List.of());
    }
  }

  static List<Summary> summarize(List<Double> ratios, List<String> schemes, List<CellResult> results) {
    List<Summary> out = new ArrayList<>();
    for (double q : ratios) {
      for (String s : schemes) {
        out.add(summary(s, q, results.stream().filter(r -> r.cell().scheme().equals(s) && r.cell().ratio() == q).toList()));
      }
    }
    out.add(summary(FLOAT, Double.NaN, results.stream().filter(r -> r.cell().scheme().equals(FLOAT)).toList()));
    return out;
  }

  private static Summary summary(String scheme, double ratio, List<CellResult> rs) {
    double[] v = rs.stream().filter(CellResult::ok).mapToDouble(CellResult::finalTestAccuracy).toArray();
    int failed = rs.size() - v.length;
    if (v.length == 0) return new Summary(scheme, ratio, 0, failed, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    double mean = 0;
    for (double x : v) mean += x / v.length;
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    double std = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    return new Summary(scheme, ratio, v.length, failed, mean, std, min, max);
  }

  /** The regime, one paragraph: device range, init scale, BL, learning rate, epochs, data. */
  static String regime(Config c) {
    String range;
    try {
      DevicePreset p = DevicePreset.resolve(c.preset());
      range = String.format(Locale.ROOT, "device units w in [%s, %s] (+-%.0f %% device-to-device), step dw_min %s (+-%.0f %%), cycle-to-cycle %.0f %%, read noise %s, forward-read noise %s and bound +-%s (weight x input units at 0.2 V), %d-bit ADC",
          fmt(p.wMin()), fmt(p.wMax()), 100 * p.wMaxDtod(), fmt(p.dwMin()), 100 * p.dwMinDtod(), 100 * p.dwMinStd(), fmt(p.readNoiseStd()), fmt(p.forwardNoiseStd()),
          fmt(p.forwardBound()), p.adcBits());
    } catch (IllegalArgumentException e) {
      range = "preset " + c.preset() + " (unreadable: " + e.getMessage() + ")";
    }
    AnalogSettings a = c.analog();
    return String.format(Locale.ROOT,
        "Network %s (sigmoid hidden, softmax output, SGD batch 1); data %s, test %s. Emulator preset %s: %s; weights read as (G - G_ref) / gUnit with gUnit %s. "
            + "%s Stochastic pulse update BL %d, nominal step %s weight units per pulse, update management %s, update-BL management %s. "
            + "Learning rate %s, halved every %d epochs; %d epoch(s). Conventional: references write-verified to mid-range (G_min + G_max)/2. "
            + "Zero-shifted: array-parallel calibration first (symmetry-point search), references write-verified to the symmetry points.%s",
        Network.format(c.sizes()), c.data().train(), c.data().test(), c.preset(), range,
        Double.isNaN(a.gUnitSiemens()) ? "(G_max - G_min)/2" : String.format(Locale.ROOT, "%.4g S", a.gUnitSiemens()), initRegime(a, c.floatInitScale()), a.bitLength(), fmt(a.dwMin()),
        a.updateManagement() ? "on" : "off", a.updateBlManagement() ? "on" : "off", fmt(c.schedule().initial()), c.schedule().halveEvery(), c.epochs(),
        (c.schemes().contains(TIKI_TAKA) ? " " + c.tikiTaka().describe() + "; an A and a C array per layer (geometry " + TikiTakaLayer.geometry(c.sizes())
            + "), every reference of both at its symmetry point, A starting at its symmetry points (A = 0), C holding the initial weights." : "")
        + (c.recheck() == null ? "" : String.format(Locale.ROOT, " Zero-shifted re-checks during training: every %d samples, %s, references re-programmed beyond %s %% of the window%s.",
            c.recheck().everySamples(), c.recheck().describeSample(), fmt(100 * c.recheck().toleranceFraction()),
            c.recheck().search() == org.rramctl.train.Recheck.Search.QUICK ? ", quick search" : "")));
  }

  private static String initRegime(AnalogSettings a, double floatInitScale) {
    return a.init() == AnalogSettings.Init.WRITE_VERIFY
        ? String.format(Locale.ROOT, "Initial weights (init write-verify): W0 ~ U(+-%s/sqrt(fan_in)) drawn from the run's seed, the same for every scheme of a seed, "
            + "each active device write-verified to G_ref + W0 gUnit against its own reference (the calibration's reference tolerance); floating point U(+-%s/sqrt(fan_in)).",
            fmt(a.initScale()), fmt(floatInitScale))
        : String.format(Locale.ROOT, "Initial weights (init pulse-walk): analog spread of U(+-%s/sqrt(fan_in)) by a seeded random walk of pulses from where the devices are "
            + "(the schemes then start from different networks), floating point U(+-%s/sqrt(fan_in)).", fmt(a.initScale()), fmt(floatInitScale));
  }

  /**
   * Builds one experiment from the results of its {@code --shard I/N} runs (each folder's results.json) and writes
   * results.json, results.md and the plots into {@code out}, exactly as the unsharded run would have.
   *
   * @throws IllegalArgumentException in one line when a folder holds no shard results, the shards differ in their
   *     settings, a shard is missing or given twice, or {@code out} already holds results
   */
  public static Results merge(List<Path> shardDirs, Path out, PrintWriter log) throws IOException {
    if (shardDirs.isEmpty()) throw new IllegalArgumentException("merge: no folders (expected: the --out folders of the --shard runs)");
    if (Files.exists(out.resolve("results.json"))) {
      throw new IllegalArgumentException("--out: " + out + " holds results already (expected: a new folder for the merged experiment)");
    }
    List<Results> parts = new ArrayList<>();
    for (Path d : shardDirs) {
      Path f = d.resolve("results.json");
      if (!Files.isRegularFile(f)) throw new IllegalArgumentException("merge: " + d + ": no results.json (expected: the --out folder of a --shard run)");
      Results r;
      try {
        r = JSON.readValue(f.toFile(), Results.class);
      } catch (IOException e) {
        throw new IllegalArgumentException("merge: " + f + ": not experiment results (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
      }
      if (!SCHEMA.equals(r.schema()) || r.shard() == null) {
        throw new IllegalArgumentException("merge: " + f + ": " + (r.shard() == null ? "a whole experiment, not a shard" : "schema " + r.schema())
            + " (expected: results of a --shard I/N run, schema " + SCHEMA + ")");
      }
      parts.add(r);
    }
    Results first = parts.get(0);
    Shard s0 = Shard.parse(first.shard());
    java.util.Set<Integer> seen = new java.util.TreeSet<>();
    for (int k = 0; k < parts.size(); k++) {
      Results r = parts.get(k);
      String differs = !r.regime().equals(first.regime()) ? "regime" : !r.ratios().equals(first.ratios()) ? "ratios" : r.epochs() != first.epochs() ? "epochs"
          : r.seeds() != first.seeds() ? "seeds" : !r.layers().equals(first.layers()) ? "layers" : !r.data().equals(first.data()) ? "data"
          : !r.schemes().equals(first.schemes()) ? "schemes" : Shard.parse(r.shard()).count() != s0.count() ? "shard count" : null;
      if (differs != null) {
        throw new IllegalArgumentException("merge: " + shardDirs.get(k) + ": " + differs + " differ from " + shardDirs.get(0)
            + " (expected: shards of one experiment, run with the same settings)");
      }
      if (!seen.add(Shard.parse(r.shard()).index())) {
        throw new IllegalArgumentException("merge: " + shardDirs.get(k) + ": shard " + r.shard() + " given twice (expected: each shard once)");
      }
    }
    if (seen.size() != s0.count()) {
      List<Integer> missing = new ArrayList<>();
      for (int i = 1; i <= s0.count(); i++) if (!seen.contains(i)) missing.add(i);
      throw new IllegalArgumentException("merge: shards " + missing.stream().map(i -> i + "/" + s0.count()).collect(Collectors.joining(", "))
          + " missing (expected: all " + s0.count() + " shards)");
    }
    // Cells in the order of the unsharded run: round-robin over the shards, as Shard.of dealt them.
    List<List<CellResult>> byShard = new ArrayList<>();
    for (int i = 1; i <= s0.count(); i++) {
      for (Results r : parts) if (Shard.parse(r.shard()).index() == i) byShard.add(r.cells());
    }
    List<CellResult> cells = new ArrayList<>();
    for (int k = 0; ; k++) {
      List<CellResult> from = byShard.get(k % s0.count());
      int at = k / s0.count();
      if (at >= from.size()) break;
      cells.add(from.get(at));
    }
    int total = byShard.stream().mapToInt(List::size).sum();
    if (cells.size() != total) throw new IllegalArgumentException("merge: the shards hold " + total + " cells that do not interleave (expected: shards of one run)");
    Files.createDirectories(out);
    Results r = new Results(SCHEMA, first.regime(), first.ratios(), first.epochs(), first.seeds(), first.layers(), first.data(), null,
        summarize(first.ratios(), first.schemes(), cells), cells, first.schemes());
    write(out, r);
    log.printf(Locale.ROOT, "merged %d shards, %d cells -> %s%n%n", parts.size(), cells.size(), out);
    log.print(markdown(r, false));
    log.flush();
    return r;
  }

  /** The results table in Markdown, with the regime, any failed cells and the initialisation error per layer below it. */
  public static String markdown(Results r) {
    return markdown(r, true);
  }

  /**
   * {@link #markdown(Results)}; without {@code initTable} (the terminal's version, which ends in the short table and its
   * regime) the initialisation error is only named as being in results.md.
   */
  static String markdown(Results r, boolean initTable) {
    StringBuilder b = new StringBuilder();
    b.append("# Zero-shifting experiment\n\n");
    if (r.shard() != null) b.append("Shard ").append(r.shard()).append(" of the cells only: merge the shards with `rramctl experiment merge`.\n\n");
    b.append("Final test accuracy after ").append(r.epochs()).append(" epoch(s), mean over ").append(r.seeds()).append(" seed(s)")
        .append(r.seeds() > 1 ? " +- sample std (min .. max)" : "").append(". Chance is 10 %.\n\n");
    b.append("| up/down ratio |");
    for (String s : r.schemes()) b.append(' ').append(s).append(" |");
    b.append("\n|---|").append("---|".repeat(r.schemes().size())).append('\n');
    for (double q : r.ratios()) {
      b.append("| ").append(fmt(q)).append(" |");
      for (String s : r.schemes()) b.append(' ').append(cell(find(r, s, q))).append(" |");
      b.append('\n');
    }
    b.append("| floating point (no devices) | ").append(cell(find(r, FLOAT, Double.NaN))).append(" |").append(" |".repeat(r.schemes().size() - 1)).append("\n\n");
    b.append("Regime: ").append(r.regime()).append("\n");
    String init = initTable(r);
    if (initTable) b.append(init);
    else if (!init.isEmpty()) b.append("\nThe initial weights' achieved error per layer: results.md.\n");
    List<CellResult> failed = r.cells().stream().filter(c -> !c.ok()).toList();
    if (!failed.isEmpty()) {
      b.append("\nFailed cells:\n\n");
      for (CellResult f : failed) b.append("- ").append(f.cell().id()).append(": ").append(f.error()).append('\n');
    }
    return b.toString();
  }

  /**
   * The achieved initialisation error per scheme and layer over the cells that report one (write-verify), in weight
   * units: the drawn W0's std, the mean over cells of the RMS error of the last verify read, the largest error of any
   * device, the RMS error of a read of both planes afterwards, and the devices within tolerance. Empty when no cell
   * reports one (pulse walk, or floating point only).
   */
  static String initTable(Results r) {
    java.util.Map<String, java.util.Map<Integer, List<AnalogLayer.InitOutcome>>> by = new java.util.LinkedHashMap<>();
    for (CellResult c : r.cells()) {
      for (AnalogLayer.InitOutcome o : c.init()) {
        by.computeIfAbsent(c.cell().scheme(), k -> new java.util.TreeMap<>()).computeIfAbsent(o.layer(), k -> new ArrayList<>()).add(o);
      }
    }
    if (by.isEmpty()) return "";
    StringBuilder b = new StringBuilder("\nInitial weights, achieved error per layer (weight units; mean over the cells of each scheme, worst device of any cell):\n\n");
    b.append("| scheme | layer | cells | W0 std | tolerance | RMS error | max error | RMS error, read of both planes after | within tolerance | clipped |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (var e : by.entrySet()) {
      for (var l : e.getValue().entrySet()) {
        List<AnalogLayer.InitOutcome> os = l.getValue();
        double std = os.stream().mapToDouble(AnalogLayer.InitOutcome::targetStdW).average().orElse(Double.NaN);
        double tol = os.stream().mapToDouble(AnalogLayer.InitOutcome::toleranceW).average().orElse(Double.NaN);
        double rms = os.stream().mapToDouble(AnalogLayer.InitOutcome::rmsErrorW).average().orElse(Double.NaN);
        double max = os.stream().mapToDouble(AnalogLayer.InitOutcome::maxErrorW).max().orElse(Double.NaN);
        double check = os.stream().mapToDouble(AnalogLayer.InitOutcome::checkRmsErrorW).average().orElse(Double.NaN);
        long dev = os.stream().mapToLong(AnalogLayer.InitOutcome::devices).sum();
        long reached = os.stream().mapToLong(AnalogLayer.InitOutcome::reached).sum();
        long clipped = os.stream().mapToLong(AnalogLayer.InitOutcome::clipped).sum();
        b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.2f %% | %d |%n", e.getKey(), l.getKey() + 1, os.size(), std, tol, rms,
            max, check, 100.0 * reached / dev, clipped));
      }
    }
    return b.toString();
  }

  private static Summary find(Results r, String scheme, double ratio) {
    for (Summary s : r.summary()) {
      if (s.scheme().equals(scheme) && (Double.isNaN(ratio) ? Double.isNaN(s.ratio()) : s.ratio() == ratio)) return s;
    }
    return null;
  }

  private static String cell(Summary s) {
    if (s == null) return "-";
    StringBuilder b = new StringBuilder();
    if (s.runs() == 0) b.append("failed");
    else if (s.runs() == 1) b.append(String.format(Locale.ROOT, "%.2f %%", 100 * s.mean()));
    else b.append(String.format(Locale.ROOT, "%.2f +- %.2f %% (%.2f .. %.2f)", 100 * s.mean(), 100 * s.std(), 100 * s.min(), 100 * s.max()));
    if (s.failed() > 0) b.append(" (").append(s.failed()).append(" failed)");
    return b.toString();
  }

  private static void write(Path out, Results r) throws IOException {
    writeAtomically(out.resolve("results.json"), JSON.writeValueAsBytes(r));
    writeAtomically(out.resolve("results.md"), markdown(r).getBytes(StandardCharsets.UTF_8));
    // Accuracy versus epoch: one chart per scheme, one line per ratio (mean over seeds), the baseline in each.
    List<Charts.Series> floatSeries = curve(r, FLOAT, Double.NaN, "floating point");
    for (String scheme : r.schemes()) {
      List<Charts.Series> series = new ArrayList<>();
      for (double q : r.ratios()) series.addAll(curve(r, scheme, q, "ratio " + fmt(q)));
      series.addAll(floatSeries);
      if (!series.isEmpty()) {
        chartAtomically(out.resolve("accuracy-vs-epoch-" + scheme + ".png"),
            f -> Charts.lines(f, "Test accuracy, " + scheme + (scheme.equals(TIKI_TAKA) ? " (zero-shifted)" : " references"), "epoch", "test accuracy (%)", series));
      }
    }
    List<Charts.Series> finals = new ArrayList<>();
    for (String scheme : r.schemes()) {
      List<double[]> pts = new ArrayList<>();
      for (double q : r.ratios()) {
        Summary s = find(r, scheme, q);
        if (s != null && s.runs() > 0) pts.add(new double[] {q, 100 * s.mean()});
      }
      if (!pts.isEmpty()) finals.add(new Charts.Series(scheme, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()));
    }
    Summary fl = find(r, FLOAT, Double.NaN);
    if (fl != null && fl.runs() > 0 && !r.ratios().isEmpty()) {
      double lo = r.ratios().stream().min(Comparator.naturalOrder()).orElseThrow();
      double hi = r.ratios().stream().max(Comparator.naturalOrder()).orElseThrow();
      finals.add(new Charts.Series("floating point", new double[] {lo, hi}, new double[] {100 * fl.mean(), 100 * fl.mean()}));
    }
    if (!finals.isEmpty()) {
      chartAtomically(out.resolve("final-accuracy-vs-ratio.png"),
          f -> Charts.lines(f, "Final test accuracy after " + r.epochs() + " epoch(s)", "up/down step ratio", "test accuracy (%)", finals));
    }
  }

  /** The mean test accuracy per epoch over the finished seeds of one ratio and scheme (empty when none finished). */
  private static List<Charts.Series> curve(Results r, String scheme, double ratio, String name) {
    List<CellResult> rs = r.cells().stream().filter(c -> c.ok() && c.cell().scheme().equals(scheme)
        && (Double.isNaN(ratio) ? Double.isNaN(c.cell().ratio()) : c.cell().ratio() == ratio)).toList();
    if (rs.isEmpty()) return List.of();
    int n = rs.stream().mapToInt(c -> c.epochs().size()).min().orElse(0);
    if (n == 0) return List.of();
    double[] x = new double[n];
    double[] y = new double[n];
    for (int e = 0; e < n; e++) {
      x[e] = e + 1;
      for (CellResult c : rs) y[e] += 100 * c.epochs().get(e).testAccuracy() / rs.size();
    }
    return List.of(new Charts.Series(name, x, y));
  }

  private interface ChartWriter {
    void write(Path file) throws IOException;
  }

  private static void chartAtomically(Path target, ChartWriter w) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp.png");
    try {
      w.write(tmp);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.write(tmp, bytes);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A ratio as written in URIs, ids and tables: "1", "1.5". */
  public static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return String.valueOf(v);
  }
}
