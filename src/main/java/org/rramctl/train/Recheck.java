package org.rramctl.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.rramctl.calibration.CalibrationSettings;
import org.rramctl.calibration.Monitor;
import org.rramctl.calibration.ReferenceProgramming;
import org.rramctl.calibration.SearchStatus;
import org.rramctl.calibration.SymmetryPointSearch;
import org.rramctl.calibration.TileSearch;
import org.rramctl.driver.Cell;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.Tile;

/**
 * Re-zero-shifting during training ({@code train --zero-shift --recheck-every N}, issue 19 point 3): symmetry points
 * move as devices age with cycling, and a reference programmed before training then sits off its device's symmetry
 * point, so that SGD drags the weight toward the offset again. Every {@code everySamples} training samples (counted
 * over the whole run, so a resumed run re-checks where the uninterrupted one did), for each tile:
 *
 * <ol>
 *   <li>a random sample of {@code devicesPerTile} devices, or of {@code tileFraction} of the tile's devices (drawn from
 *       the run's seed and the re-check's number);
 *   <li>for each: read the active and the reference device (the weight {@code G - G_ref}), find the active device's
 *       symmetry point with the calibration's per-device search ({@link SymmetryPointSearch#perDevice} on its 1 x 1
 *       tile: the same pulses, sampling and stopping rule as {@code calibrate --mode per-device});
 *   <li>when the symmetry point is more than {@code toleranceFraction} of the conductance window away from the
 *       reference's read, write-verify the reference to it ({@link ReferenceProgramming#programCell});
 *   <li>write-verify the active device back to its weight over the (new) reference: the search left it at its
 *       symmetry point, and the network should lose nothing but the drift.
 * </ol>
 *
 * Each re-check is one line of {@value #FILE} in the run's folder (flushed per line), with every device checked, and a
 * line in the run's log. The search pulses age the checked devices too (a drifting device drifts with them): the
 * journal counts them. Single-threaded, on the training's driver.
 */
public final class Recheck implements Trainer.StepHook {
  /** The journal of re-checks in the run's folder, one JSON object per line. */
  public static final String FILE = "rechecks.jsonl";

  /**
   * @param everySamples re-check after every this many training samples (>= 1)
   * @param devicesPerTile devices sampled per tile (>= 1; capped at the tile's size); unused when {@code tileFraction > 0}
   * @param toleranceFraction a reference is re-programmed when its device's symmetry point moved more than this
   *     fraction of the conductance window (0 .. 0.5)
   * @param tileFraction when > 0: the part of each tile's devices sampled (at least one), instead of a count per tile,
   *     so that a small tile's devices are not re-checked (and aged by the re-check's pulses) more often than a large
   *     tile's; 0: {@code devicesPerTile}
   */
  public record Settings(int everySamples, int devicesPerTile, double toleranceFraction, Search search, double tileFraction) {
    /** The full calibration search ({@link Search#FULL}). */
    public Settings(int everySamples, int devicesPerTile, double toleranceFraction) {
      this(everySamples, devicesPerTile, toleranceFraction, Search.FULL);
    }

    /** A count of devices per tile. */
    public Settings(int everySamples, int devicesPerTile, double toleranceFraction, Search search) {
      this(everySamples, devicesPerTile, toleranceFraction, search, 0);
    }

    /** The devices sampled in a tile of {@code tileDevices} devices at each re-check. */
    public int devicesIn(int tileDevices) {
      if (tileFraction > 0) return (int) Math.min(tileDevices, Math.max(1, Math.round(tileFraction * tileDevices)));
      return Math.min(devicesPerTile, tileDevices);
    }

    /** "16 random devices per tile" or "5 % of each tile's devices, at random". */
    public String describeSample() {
      return tileFraction > 0 ? String.format(Locale.ROOT, "%s %% of each tile's devices, at random", new java.math.BigDecimal(100 * tileFraction).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString())
          : devicesPerTile + " random devices per tile";
    }

    public Settings {
      if (!(tileFraction >= 0 && tileFraction <= 1)) {
        throw new IllegalArgumentException("--recheck-devices: " + 100 * tileFraction + "% (expected: > 0 % and <= 100 % of each tile's devices)");
      }
      if (search == null) throw new IllegalArgumentException("--recheck-search: null (expected: one of " + java.util.Arrays.toString(Search.values()) + ")");
      if (everySamples < 1) throw new IllegalArgumentException("--recheck-every: " + everySamples + " (expected: >= 1 training samples)");
      if (devicesPerTile < 1) throw new IllegalArgumentException("--recheck-devices: " + devicesPerTile + " (expected: >= 1 per tile)");
      if (!(toleranceFraction > 0 && toleranceFraction <= 0.5)) {
        throw new IllegalArgumentException("--recheck-tolerance: " + toleranceFraction + " (expected: > 0 and <= 0.5, a fraction of the conductance window)");
      }
    }
  }

  /** How a re-check measures a device's symmetry point. */
  public enum Search {
    /** The calibration's per-device search with the run's calibration settings: about 11,000 pulses a device. */
    FULL,
    /**
     * A short search for a device that sits near its old symmetry point (its weight away from it): no same-sign block,
     * 128 approach pairs (8 times wider), a sample every 16 pairs, checks from 512 pairs with a standard error of half the
     * re-check tolerance, at most 4,096 pulses, no noise samples ({@link #quick}). The pulses age the device it measures,
     * so they are kept few.
     */
    QUICK
  }

  /** The search settings of {@link Search#QUICK} for a run calibrated with {@code calibration}, in siemens. */
  static CalibrationSettings quick(CalibrationSettings calibration, double toleranceSiemens) {
    return calibration.withSampling(16, 128, 512).withBlockBudget(0).withApproach(128, 8).withBudget(4096).withTolerance(toleranceSiemens / 2);
  }

  /**
   * One device's re-check; conductances in siemens, shifts as fractions of the window.
   *
   * @param status how the search ended ({@link SearchStatus} name)
   * @param shiftFraction (symmetry point - reference read) / window; NaN when the search gave no estimate
   * @param weightErrorFraction (G - G_ref after - weight before) / window, what putting the weight back missed by
   */
  public record Device(int array, int row, int col, double refBeforeSiemens, double symmetryPointSiemens, String status, double shiftFraction,
      boolean reprogrammed, double refAfterSiemens, double weightErrorFraction) {}

  /**
   * One re-check: a line of {@value #FILE}.
   *
   * @param index the re-check's number in the run, 1-based
   * @param sample the training samples done in the run when it ran
   * @param moved devices whose symmetry point moved beyond the tolerance (their references were re-programmed)
   * @param meanShiftFraction mean signed shift over the devices with an estimate, fraction of the window
   * @param pulses every pulse the re-check applied (searches and write-verifies)
   */
  public record Event(int index, int epoch, long sample, int checked, int moved, double meanShiftFraction, double rmsShiftFraction,
      double maxShiftFraction, double rmsWeightErrorFraction, long pulses, double seconds, List<Device> devices) {}

  private final CrossbarDriver driver;
  private final List<Tile> tiles;
  private final CalibrationSettings calibration;
  private final double typicalStepSiemens;
  private final Settings settings;
  private final long seed;
  private final Path journal;
  private final PrintWriter log;
  private final List<Event> events = new ArrayList<>();

  /**
   * @param calibration the settings of the run's calibration (pulse, sampling, stopping rule, write-verify)
   * @param typicalStepSiemens a typical single-pulse step, for the first write-verify move
   * @param seed the run's seed (the samples are drawn from it and the re-check's number)
   * @param outDir the run's folder, or null for no journal
   */
  public Recheck(CrossbarDriver driver, List<Tile> tiles, CalibrationSettings calibration, double typicalStepSiemens, Settings settings, long seed,
      Path outDir, PrintWriter log) {
    this.driver = driver;
    this.tiles = List.copyOf(tiles);
    this.calibration = calibration;
    this.typicalStepSiemens = typicalStepSiemens;
    this.settings = settings;
    this.seed = seed;
    this.journal = outDir == null ? null : outDir.resolve(FILE);
    this.log = log;
  }

  /** The re-checks done (or, after {@link #resume}, kept from the journal) so far. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  @Override
  public void afterStep(int epoch, long sample) throws IOException {
    if (sample % settings.everySamples() == 0) run(epoch, sample);
  }

  /** Runs one re-check now (the {@code index}-th of the run: its sample is drawn from the seed and this number). */
  Event run(int epoch, long sample) throws IOException {
    int index = (int) (sample / settings.everySamples());
    long t0 = System.nanoTime();
    long p0 = driver.status().pulsesApplied();
    double gMin = driver.info().gMinSiemens();
    double gMax = driver.info().gMaxSiemens();
    double window = gMax - gMin;
    double tol = settings.toleranceFraction() * window;
    Rng rng = Rng.seeded(seed * 0x9E3779B97F4A7C15L + index);
    List<Device> devices = new ArrayList<>();
    for (Tile t : tiles) {
      for (int k : sample(t, rng)) {
        int row = t.row0() + k / t.cols();
        int col = t.col0() + k % t.cols();
        Cell active = Cell.active(t.array(), row, col);
        Cell reference = Cell.reference(t.array(), row, col);
        double gAct = driver.read(active, calibration.readVolts());
        double gRef = driver.read(reference, calibration.readVolts());
        Tile one = new Tile(t.array(), row, col, 1, 1);
        TileSearch found;
        if (settings.search() == Search.QUICK) {
          // Start from the old symmetry point (the reference's conductance), not from the weight: the short approach
          // leaves about an eighth of the starting distance in the estimate, toward where the device started. From the
          // weight (up to tens of per cent of the window away) that biased every re-programmed reference toward its
          // weight's side, so that SGD dragged the weights back past zero; from the old point the distance is the drift.
          ReferenceProgramming.programCell(driver, active, gRef, typicalStepSiemens, calibration);
          found = SymmetryPointSearch.perDevice(driver, one, quick(calibration, tol), Monitor.NONE, false);
        } else {
          found = SymmetryPointSearch.perDevice(driver, one, calibration, Monitor.NONE);
        }
        double sp = found.estimateSiemens()[0];
        SearchStatus status = found.status()[0];
        boolean usable = (status == SearchStatus.CONVERGED || status == SearchStatus.BUDGET) && !Double.isNaN(sp);
        double shift = usable ? (sp - gRef) / window : Double.NaN;
        boolean moved = usable && Math.abs(sp - gRef) > tol;
        double refAfter = gRef;
        if (moved) {
          ReferenceProgramming.Result r = ReferenceProgramming.programCell(driver, reference, sp, typicalStepSiemens, calibration);
          refAfter = r.achievedSiemens()[0];
        }
        double target = Math.max(gMin, Math.min(gMax, refAfter + (gAct - gRef)));
        ReferenceProgramming.Result back = ReferenceProgramming.programCell(driver, active, target, typicalStepSiemens, calibration);
        double weightError = (back.achievedSiemens()[0] - refAfter - (gAct - gRef)) / window;
        devices.add(new Device(t.array(), row, col, gRef, sp, status.name(), shift, moved, refAfter, weightError));
      }
    }
    int moved = 0;
    int estimated = 0;
    double sum = 0;
    double sumSq = 0;
    double max = 0;
    double errSq = 0;
    for (Device d : devices) {
      if (d.reprogrammed()) moved++;
      errSq += d.weightErrorFraction() * d.weightErrorFraction();
      if (Double.isNaN(d.shiftFraction())) continue;
      estimated++;
      sum += d.shiftFraction();
      sumSq += d.shiftFraction() * d.shiftFraction();
      max = Math.max(max, Math.abs(d.shiftFraction()));
    }
    Event e = new Event(index, epoch, sample, devices.size(), moved, estimated == 0 ? Double.NaN : sum / estimated,
        estimated == 0 ? Double.NaN : Math.sqrt(sumSq / estimated), max, devices.isEmpty() ? 0 : Math.sqrt(errSq / devices.size()),
        driver.status().pulsesApplied() - p0, (System.nanoTime() - t0) / 1e9, devices);
    events.add(e);
    append(e);
    if (log != null) {
      log.printf(Locale.ROOT, "recheck %d (epoch %d, sample %d): %d devices, %d moved beyond %.2f %% and re-programmed (shift mean %+.3f %%, rms %.3f %%,"
          + " max %.3f %% of the window), weights put back within %.3f %% rms, %d pulses, %.1f s%n", index, epoch, sample, e.checked(), moved,
          100 * settings.toleranceFraction(), 100 * e.meanShiftFraction(), 100 * e.rmsShiftFraction(), 100 * max, 100 * e.rmsWeightErrorFraction(),
          e.pulses(), e.seconds());
      log.flush();
    }
    return e;
  }

  /** Distinct random device indices of a tile, row-major within it, in the order drawn. */
  private int[] sample(Tile t, Rng rng) {
    int n = settings.devicesIn(t.devices());
    int[] out = new int[n];
    if (n == t.devices()) {
      for (int k = 0; k < n; k++) out[k] = k;
      return out;
    }
    Set<Integer> seen = new HashSet<>();
    for (int k = 0; k < n;) {
      int d = rng.nextInt(t.devices());
      if (seen.add(d)) out[k++] = d;
    }
    return out;
  }

  private void append(Event e) throws IOException {
    if (journal == null) return;
    Files.createDirectories(journal.getParent());
    try (BufferedWriter w = Files.newBufferedWriter(journal, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE)) {
      w.write(Checkpoint.json().writeValueAsString(e));
      w.write('\n');
    }
  }

  /** A fresh run: a journal left by a run killed before its first checkpoint is removed. */
  public void fresh() throws IOException {
    events.clear();
    if (journal != null) Files.deleteIfExists(journal);
  }

  /**
   * A resumed run: keeps the journal's re-checks of the epochs the checkpoint holds (those after it run again, on the
   * devices as the checkpoint left them) and rewrites the journal with just those, atomically.
   */
  public void resume(int epochsDone) throws IOException {
    events.clear();
    if (journal == null || !Files.exists(journal)) return;
    StringBuilder kept = new StringBuilder();
    for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      Event e;
      try {
        e = Checkpoint.json().readValue(line, Event.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException bad) {
        break; // a torn last line of a killed run: everything after it is redone
      }
      if (e.epoch() > epochsDone) break;
      events.add(e);
      kept.append(line).append('\n');
    }
    Path tmp = journal.resolveSibling(FILE + ".tmp");
    Files.writeString(tmp, kept.toString(), StandardCharsets.UTF_8);
    Checkpoint.moveAtomically(tmp, journal);
  }
}
