package org.rramctl.sim;

import java.util.ArrayList;
import java.util.List;
import org.rramctl.driver.BoardUri;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverProvider;

/**
 * Opens the emulator for {@code sim:[PRESET][?arrays=N&rows=R&cols=C&seed=S&ratio=Q&forwardBound=B&adcBits=N&threads=T]} or
 * {@code sim:PRESET?geometry=785x256,257x128,129x10}. PRESET is a built-in name or a path to a preset
 * JSON file; {@code ratio} overrides the preset's nominal up/down step ratio; {@code threads} (default: 2 on
 * a machine with two or more cores) sets how many threads large vector reads and updates use, which changes
 * their speed, never their results; {@code drift=R} gives every device symmetry-point drift with cycling
 * ({@link DevicePreset.Drift#ofRate}: ln(up/down ratio) moves by R per million pulses on average, spread R/2 from
 * device to device, at most 1; 0 none); {@code referencePlane=false} gives arrays without a reference plane (a
 * single chip; {@code references=cols+N} then maps references onto the same array, see ReferenceLayout).
 */
public final class SimDriverProvider implements DriverProvider {
  /** Default geometry: three 785 x 256 arrays, enough for the 784-256-128-10 network. */
  public static final String DEFAULT_PRESET = "aihwkit-like";

  @Override
  public List<String> schemes() {
    return List.of("sim");
  }

  @Override
  public String usage() {
    return "sim:[PRESET][?arrays=N&rows=R&cols=C&geometry=RxC,...&seed=S&ratio=Q&forwardBound=B&adcBits=N&threads=T&referencePlane=false&state=FILE&drift=R] with PRESET one of "
        + String.join(", ", DevicePreset.BUILT_IN) + " or a preset file";
  }

  @Override
  public CrossbarDriver open(BoardUri uri) {
    for (String key : uri.params().keySet()) {
      if (!List.of("arrays", "rows", "cols", "geometry", "seed", "ratio", "forwardBound", "adcBits", "threads", "referencePlane", "state", "drift").contains(key)) {
        throw new IllegalArgumentException("board: '" + uri + "': unknown parameter '" + key
            + "' (expected: arrays, rows, cols, geometry, seed, ratio, forwardBound, adcBits, threads, referencePlane, state, drift)");
      }
    }
    String name = uri.path().isBlank() ? DEFAULT_PRESET : uri.path();
    DevicePreset preset = DevicePreset.resolve(name);
    String ratio = uri.params().get("ratio");
    if (ratio != null) {
      try {
        preset = preset.withRatio(Double.parseDouble(ratio));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("board: '" + uri + "': ratio=" + ratio + " (expected: a number > 0, the up/down step ratio)");
      }
    }
    String drift = uri.params().get("drift");
    if (drift != null) {
      double rate;
      try {
        rate = Double.parseDouble(drift.trim());
      } catch (NumberFormatException e) {
        rate = Double.NaN;
      }
      if (!(Math.abs(rate) <= 100)) {
        throw new IllegalArgumentException("board: '" + uri + "': drift=" + drift
            + " (expected: a number -100 .. 100, the change of ln(up/down ratio) per million pulses a device receives)");
      }
      preset = preset.withDrift(rate == 0 ? null : DevicePreset.Drift.ofRate(rate));
    }
    String bound = uri.params().get("forwardBound");
    double forwardBound = preset.forwardBound();
    if (bound != null) {
      try {
        forwardBound = Double.parseDouble(bound.trim());
      } catch (NumberFormatException e) {
        forwardBound = Double.NaN;
      }
      if (!(forwardBound > 0) || Double.isInfinite(forwardBound)) {
        throw new IllegalArgumentException("board: '" + uri + "': forwardBound=" + bound
            + " (expected: a number > 0, the vector reads' saturation in weight x input units; preset " + preset.name() + ": " + preset.forwardBound() + ")");
      }
    }
    int adcBits = uri.intParam("adcBits", preset.adcBits(), 4, 24);
    if (bound != null || uri.params().containsKey("adcBits")) preset = preset.withReadout(forwardBound, adcBits);
    List<int[]> geometry = new ArrayList<>();
    String geo = uri.params().get("geometry");
    if (geo != null) {
      if (uri.params().containsKey("rows") || uri.params().containsKey("cols") || uri.params().containsKey("arrays")) {
        throw new IllegalArgumentException("board: '" + uri + "': geometry= and arrays/rows/cols= (expected: one or the other)");
      }
      for (String part : geo.split(",", -1)) { // -1: a trailing comma leaves an empty part, refused below
        String[] rc = part.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
          int r = Integer.parseInt(rc[0].trim());
          int c = Integer.parseInt(rc[1].trim());
          if (rc.length != 2 || r < 1 || c < 1 || r > 65_535 || c > 65_535) throw new NumberFormatException();
          geometry.add(new int[] {r, c});
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("board: '" + uri + "': geometry part '" + part + "' (expected: ROWSxCOLS with 1..65535 each, comma-separated)");
        }
      }
    } else {
      int arrays = uri.intParam("arrays", 3, 1, 64);
      int rows = uri.intParam("rows", 785, 1, 65_535);
      int cols = uri.intParam("cols", 256, 1, 65_535);
      for (int i = 0; i < arrays; i++) geometry.add(new int[] {rows, cols});
    }
    long devices = 0;
    for (int[] g : geometry) devices += 2L * g[0] * g[1];
    if (devices > 50_000_000L) {
      throw new IllegalArgumentException("board: '" + uri + "': " + devices + " devices with references (expected: at most 50,000,000 in the emulator)");
    }
    int threads = uri.intParam("threads", defaultThreads(), 1, 64);
    String plane = uri.param("referencePlane", "true");
    if (!plane.equals("true") && !plane.equals("false")) {
      throw new IllegalArgumentException("board: '" + uri + "': referencePlane=" + plane + " (expected: true or false)");
    }
    EmulatorDriver d = EmulatorDriver.open(preset, geometry, EmulatorSettings.seed(uri.longParam("seed", 1)).withThreads(threads).withReferencePlanes(plane.equals("true")));
    String state = uri.params().get("state");
    if (state != null) {
      if (state.isBlank()) throw new IllegalArgumentException("board: '" + uri + "': state= (expected: a file for the emulated chip's state)");
      try {
        // The chip is the preset, its overrides, the geometry and the seed; threads change speed only.
        java.util.TreeMap<String, String> id = new java.util.TreeMap<>(uri.params());
        id.remove("state");
        id.remove("threads");
        d.persist(java.nio.file.Path.of(state), name + id);
      } catch (java.io.IOException | RuntimeException e) {
        d.close();
        throw new IllegalArgumentException("board: '" + uri + "': state=" + state + ": " + e.getMessage(), e);
      }
    }
    return d;
  }

  /** Two threads where there are two cores: a run of its own uses both (results do not depend on it). */
  static int defaultThreads() {
    return Math.min(2, Runtime.getRuntime().availableProcessors());
  }
}
