package org.rramctl.sim;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Parameters of the soft-bound device model (DESIGN.md section 2), named as in IBM aihwkit's
 * {@code SoftBoundsDevice} so that presets translate one to one, plus the electrical view the emulated
 * board exposes (conductance window, nominal pulse, switching threshold, read-out).
 *
 * <p>Weight-unit parameters: {@code dwMin} mean step, {@code dwMinDtod} its device-to-device spread,
 * {@code dwMinStd} cycle-to-cycle spread (relative, per pulse), {@code upDown} one-sided up/down
 * imbalance, {@code upDownDtod} its device-to-device spread, {@code wMax}/{@code wMin} the bounds and
 * their relative spreads, {@code readNoiseStd} additive read noise. {@code forwardNoiseStd} and
 * {@code forwardBound} are the vector-read output noise and saturation, in weight x input units.
 *
 * <p>Electrical: conductance window {@code gMinSiemens..gMaxSiemens}; a pulse of the nominal
 * amplitude and width moves the device by one step; a pulse scales the step by
 * {@code max(0, (V - Vth) / (Vnom - Vth)) * width / nominalWidth}, so pulses below the threshold do
 * nothing (a simple, documented stand-in for a real switching threshold).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DevicePreset(
    String name,
    String source,
    List<String> assumptions,
    double dwMin,
    double dwMinDtod,
    double dwMinStd,
    double upDown,
    double upDownDtod,
    double wMax,
    double wMin,
    double wMaxDtod,
    double wMinDtod,
    double w0Std,
    double readNoiseStd,
    double forwardNoiseStd,
    double forwardBound,
    int adcBits,
    double gMinSiemens,
    double gMaxSiemens,
    double pulseVolts,
    long pulseWidthNanos,
    double thresholdVolts,
    Switching switching,
    Drift drift) {

  /** Built-in preset names, each a JSON resource under /presets/. */
  public static final List<String> BUILT_IN = List.of("ideal", "aihwkit-like", "rram-imbalanced", "hfox-pristine");

  public DevicePreset {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("name: '" + name + "' (expected: non-blank)");
    if (source == null || source.isBlank()) throw new IllegalArgumentException("preset " + name + ": source: missing (expected: where the numbers come from)");
    assumptions = assumptions == null ? List.of() : List.copyOf(assumptions);
    positive(name, "dwMin", dwMin);
    nonNegative(name, "dwMinDtod", dwMinDtod);
    nonNegative(name, "dwMinStd", dwMinStd);
    if (!(upDown > -1 && upDown < 1)) throw new IllegalArgumentException("preset " + name + ": upDown: " + upDown + " (expected: -1 < upDown < 1)");
    nonNegative(name, "upDownDtod", upDownDtod);
    positive(name, "wMax", wMax);
    if (!(wMin < 0)) throw new IllegalArgumentException("preset " + name + ": wMin: " + wMin + " (expected: < 0)");
    nonNegative(name, "wMaxDtod", wMaxDtod);
    nonNegative(name, "wMinDtod", wMinDtod);
    nonNegative(name, "w0Std", w0Std);
    nonNegative(name, "readNoiseStd", readNoiseStd);
    nonNegative(name, "forwardNoiseStd", forwardNoiseStd);
    positive(name, "forwardBound", forwardBound);
    if (adcBits < 4 || adcBits > 24) throw new IllegalArgumentException("preset " + name + ": adcBits: " + adcBits + " (expected: 4..24)");
    nonNegative(name, "gMinSiemens", gMinSiemens);
    if (!(gMaxSiemens > gMinSiemens)) throw new IllegalArgumentException("preset " + name + ": gMaxSiemens: " + gMaxSiemens + " (expected: > gMinSiemens " + gMinSiemens + ")");
    positive(name, "pulseVolts", pulseVolts);
    if (pulseWidthNanos < 1) throw new IllegalArgumentException("preset " + name + ": pulseWidthNanos: " + pulseWidthNanos + " (expected: >= 1)");
    double range = wMax - wMin;
    // One pulse must be a step, not a jump across the range; read noise beyond the whole range is no device.
    if (!(dwMin < range)) throw new IllegalArgumentException("preset " + name + ": dwMin: " + dwMin + " (expected: < wMax - wMin = " + range + ")");
    if (!(readNoiseStd <= range)) {
      throw new IllegalArgumentException("preset " + name + ": readNoiseStd: " + readNoiseStd + " (expected: <= wMax - wMin = " + range + ")");
    }
    if (!(pulseVolts <= EmulatorDriver.HARDWARE_LIMITS.maxPulseVolts())) {
      throw new IllegalArgumentException("preset " + name + ": pulseVolts: " + pulseVolts + " (expected: <= " + EmulatorDriver.HARDWARE_LIMITS.maxPulseVolts()
          + " V, the emulated board's pulse limit)");
    }
    if (!(thresholdVolts >= 0 && thresholdVolts < pulseVolts)) {
      throw new IllegalArgumentException("preset " + name + ": thresholdVolts: " + thresholdVolts + " (expected: 0 <= Vth < pulseVolts " + pulseVolts + ")");
    }
    if (switching != null) switching.check(name, pulseVolts, gMinSiemens);
    if (drift != null) drift.check(name);
  }

  /** A preset without symmetry-point drift (every preset file without a {@code drift} block). */
  public DevicePreset(String name, String source, List<String> assumptions, double dwMin, double dwMinDtod, double dwMinStd, double upDown,
      double upDownDtod, double wMax, double wMin, double wMaxDtod, double wMinDtod, double w0Std, double readNoiseStd, double forwardNoiseStd,
      double forwardBound, int adcBits, double gMinSiemens, double gMaxSiemens, double pulseVolts, long pulseWidthNanos, double thresholdVolts,
      Switching switching) {
    this(name, source, assumptions, dwMin, dwMinDtod, dwMinStd, upDown, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std, readNoiseStd,
        forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, null);
  }

  /**
   * Optional symmetry-point drift with cycling (issue 19): each device's up/down step ratio walks with the number of
   * programming pulses it has received. A preset without it (the key absent or null) behaves exactly as before.
   *
   * <p>Model: device d draws a rate {@code k_d = logRatioPerMegapulse + logRatioPerMegapulseDtod * xi} once (from a
   * generator of its own, so the device's other draws are those of the same preset without drift). After n pulses
   * (any polarity, amplitude or width; counted per device) its relative steps are
   * <pre>
   *   s_up(n)   = s_up(0)   * exp(+h / 2),   s_down(n) = s_down(0) * exp(-h / 2),
   *   h = clip(k_d * n / 1e6, -logRatioLimit, +logRatioLimit)
   * </pre>
   * so ln(s_up / s_down), the up/down ratio in the conductance view, moves by h while the geometric mean of the two
   * steps stays. The symmetry point follows: {@code G* = G_min + (G_max - G_min) q / (1 + q)} with {@code q = s_up / s_down},
   * i.e. a shift of {@code p (1 - p) h} of the window for a device whose symmetry point sits at fraction p. Each pulse
   * uses the steps of the count before it, so n pulses in one call equal n calls of one pulse.
   *
   * @param logRatioPerMegapulse mean change of ln(up/down ratio) per million pulses a device receives (positive: the
   *     symmetry point moves up)
   * @param logRatioPerMegapulseDtod device-to-device standard deviation of that rate, same unit
   * @param logRatioLimit largest |change| of ln(up/down ratio), reached and then kept (> 0)
   */
  public record Drift(double logRatioPerMegapulse, double logRatioPerMegapulseDtod, double logRatioLimit) {
    void check(String preset) {
      if (!(Math.abs(logRatioPerMegapulse) <= 100)) {
        throw new IllegalArgumentException("preset " + preset + ": drift.logRatioPerMegapulse: " + logRatioPerMegapulse + " (expected: -100 .. 100)");
      }
      if (!(logRatioPerMegapulseDtod >= 0 && logRatioPerMegapulseDtod <= 100)) {
        throw new IllegalArgumentException("preset " + preset + ": drift.logRatioPerMegapulseDtod: " + logRatioPerMegapulseDtod + " (expected: 0 .. 100)");
      }
      if (!(logRatioLimit > 0 && logRatioLimit <= 3)) {
        throw new IllegalArgumentException("preset " + preset + ": drift.logRatioLimit: " + logRatioLimit + " (expected: > 0 and <= 3)");
      }
    }

    /**
     * The drift of {@code sim:...?drift=RATE}: mean rate RATE, device-to-device spread half of |RATE|, limit 1 (the ratio
     * moves by at most a factor e).
     */
    public static Drift ofRate(double rate) {
      return new Drift(rate, Math.abs(rate) / 2, 1.0);
    }
  }

  /**
   * Optional switching physics beyond the soft-bound steps (issue 18): a pristine state that needs forming, bipolar
   * thresholds with VTEAM's power-law rate, a compliance-limited low-resistance state, a sinh-shaped I-V and
   * cycle-to-cycle variation of the thresholds and of the compliance-limited state. A preset without it (the key
   * absent or null) behaves exactly as before: pulses, reads and updates are bit for bit unchanged.
   *
   * <p>Rate (VTEAM, Kvatinsky, Ramadan, Friedman, Kolodny, IEEE TCAS-II 62(8):786-790, 2015:
   * {@code dw/dt = k (v/v_th - 1)^alpha f(w)} above the threshold, zero below): a pulse of amplitude V and width t
   * scales the soft-bound step by {@code ((V - Vth) / (Vnom - Vth))^alpha * t / t_nom}; the window f(w) is the
   * soft bound itself. At the nominal pulse the factor is exactly 1 for any threshold and exponent, so nominal
   * pulses keep the preset's soft-bound steps. I-V: {@code I = G * V0 sinh(V / V0)}, normalised so that the read
   * at 0.2 V returns G (the Stanford-PKU model's sinh law, Guan, Yu, Wong, IEEE EDL 33(10):1405-1407, 2012,
   * applied to the conductance state; {@code sinhVolts} 0 keeps it ohmic).
   *
   * @param formingVolts mean forming voltage of a pristine device, V; 0 for devices formed at birth
   * @param formingVoltsDtod relative device-to-device spread of the forming voltage
   * @param formingVoltsPerDecade how much lower the forming voltage is per decade of pulse width above the reference width, V
   * @param formingReferenceWidthNanos the width at which a device forms at its drawn voltage, ns
   * @param pristineSiemens conductance of an unformed device, S
   * @param resetThresholdVolts magnitude of the RESET (DOWN) threshold, V (the SET threshold is {@code thresholdVolts})
   * @param alphaSet VTEAM exponent of the SET rate (1 = the linear scaling of presets without this block)
   * @param alphaReset VTEAM exponent of the RESET rate
   * @param thresholdC2c relative cycle-to-cycle spread of both thresholds, drawn once per operation
   * @param sinhVolts V0 of the sinh I-V, V; 0 for ohmic
   * @param lrsC2c relative cycle-to-cycle spread of the compliance-limited low-resistance state
   */
  public record Switching(double formingVolts, double formingVoltsDtod, double formingVoltsPerDecade, long formingReferenceWidthNanos,
      double pristineSiemens, double resetThresholdVolts, double alphaSet, double alphaReset, double thresholdC2c, double sinhVolts, double lrsC2c) {
    void check(String preset, double pulseVolts, double gMin) {
      nonNegative(preset, "switching.formingVolts", formingVolts);
      nonNegative(preset, "switching.formingVoltsDtod", formingVoltsDtod);
      nonNegative(preset, "switching.formingVoltsPerDecade", formingVoltsPerDecade);
      if (formingReferenceWidthNanos < 1) throw new IllegalArgumentException("preset " + preset + ": switching.formingReferenceWidthNanos: " + formingReferenceWidthNanos + " (expected: >= 1)");
      positive(preset, "switching.pristineSiemens", pristineSiemens);
      if (formingVolts > 0 && !(pristineSiemens < gMin)) {
        throw new IllegalArgumentException("preset " + preset + ": switching.pristineSiemens: " + pristineSiemens + " (expected: below gMinSiemens " + gMin + ")");
      }
      if (!(resetThresholdVolts >= 0 && resetThresholdVolts < pulseVolts)) {
        throw new IllegalArgumentException("preset " + preset + ": switching.resetThresholdVolts: " + resetThresholdVolts + " (expected: 0 <= V < pulseVolts " + pulseVolts + ")");
      }
      positive(preset, "switching.alphaSet", alphaSet);
      positive(preset, "switching.alphaReset", alphaReset);
      if (!(thresholdC2c >= 0 && thresholdC2c < 0.3)) throw new IllegalArgumentException("preset " + preset + ": switching.thresholdC2c: " + thresholdC2c + " (expected: 0 .. 0.3)");
      nonNegative(preset, "switching.sinhVolts", sinhVolts);
      if (!(lrsC2c >= 0 && lrsC2c < 0.5)) throw new IllegalArgumentException("preset " + preset + ": switching.lrsC2c: " + lrsC2c + " (expected: 0 .. 0.5)");
    }

    /** What a preset without the block does under source-measure operations: formed, one threshold, linear rate, ohmic. */
    static Switching plain(double thresholdVolts) {
      return new Switching(0, 0, 0, 1, 1e-9, thresholdVolts, 1, 1, 0, 0, 0);
    }
  }

  private static void positive(String preset, String key, double v) {
    if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("preset " + preset + ": " + key + ": " + v + " (expected: finite and > 0)");
  }

  private static void nonNegative(String preset, String key, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("preset " + preset + ": " + key + ": " + v + " (expected: finite and >= 0)");
  }

  private static ObjectMapper mapper() {
    return com.fasterxml.jackson.databind.json.JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        // adcBits 12.5 is refused, not truncated; "0.001" (a string) is not a number
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .build();
  }

  /** The optional {@code switching} block may be left out of a preset file (it then reads as null). */
  private static DevicePreset read(com.fasterxml.jackson.databind.JsonNode tree) throws IOException {
    if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o && !o.has("switching")) o.putNull("switching");
    if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o && !o.has("drift")) o.putNull("drift");
    return mapper().treeToValue(tree, DevicePreset.class);
  }

  /** The switching physics in force: the preset's block, or {@link Switching#plain} for a preset without one. */
  public Switching physics() {
    return switching != null ? switching : Switching.plain(thresholdVolts);
  }

  /** A built-in preset by name. */
  public static DevicePreset named(String name) {
    if (!BUILT_IN.contains(name)) {
      throw new IllegalArgumentException("preset: '" + name + "' (expected: one of " + String.join(", ", BUILT_IN) + ", or a path to a preset JSON file)");
    }
    try (InputStream in = DevicePreset.class.getResourceAsStream("/presets/" + name + ".json")) {
      return read(mapper().readTree(in));
    } catch (IOException e) {
      throw new IllegalStateException("built-in preset " + name + " is unreadable", e);
    }
  }

  /** A built-in preset name, or a path to a JSON file holding a preset. */
  public static DevicePreset resolve(String nameOrPath) {
    if (BUILT_IN.contains(nameOrPath)) return named(nameOrPath);
    Path p = Path.of(nameOrPath);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("preset: '" + nameOrPath + "' (expected: one of " + String.join(", ", BUILT_IN) + ", or a path to a preset JSON file)");
    }
    try {
      return read(mapper().readTree(p.toFile()));
    } catch (IOException e) {
      throw new IllegalArgumentException("preset file " + p + ": not a device preset (" + why(e) + ")", e);
    }
  }

  /**
   * What is wrong with a preset file, without the JSON library's wording: a value the preset refuses names the
   * field and what is allowed; a value of the wrong type names the field and the type wanted; bad JSON gives the
   * parser's first line with its position.
   */
  private static String why(IOException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException v && v.getCause() instanceof IllegalArgumentException bad) {
      return bad.getMessage();
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && !m.getPath().isEmpty()) {
      String field = m.getPath().get(m.getPath().size() - 1).getFieldName();
      Class<?> t = m.getTargetType();
      String wanted = t == double.class || t == Double.class ? "a number" : t == int.class || t == Integer.class || t == long.class ? "a whole number"
          : t == String.class ? "a string" : t == null ? "another type" : "a " + t.getSimpleName();
      return field + ": wrong type (expected: " + wanted + ")";
    }
    String first = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    return e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
        ? first.replaceAll(" at \\[Source:.*$", "") + " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr()
        : first;
  }

  /**
   * The one-sided {@code upDown} that gives a nominal up/down step ratio {@code q = a_up / a_down}
   * (DESIGN.md section 2: upDown > 0 shrinks the down step, upDown < 0 the up step).
   */
  public static double upDownForRatio(double q) {
    if (!(q > 0) || Double.isInfinite(q)) throw new IllegalArgumentException("ratio: " + q + " (expected: finite and > 0)");
    return q >= 1 ? 1 - 1 / q : q - 1;
  }

  /** The nominal up/down step ratio of this preset. */
  public double nominalRatio() {
    return upDown >= 0 ? 1 / (1 - upDown) : 1 + upDown;
  }

  public DevicePreset withRatio(double q) {
    return withUpDown(upDownForRatio(q));
  }

  /** The vector reads' saturation (weight x input units) and ADC resolution replaced; validated like a preset file. */
  public DevicePreset withReadout(double newForwardBound, int newAdcBits) {
    return new DevicePreset(name, source, assumptions, dwMin, dwMinDtod, dwMinStd, upDown, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std,
        readNoiseStd, forwardNoiseStd, newForwardBound, newAdcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, drift);
  }

  public DevicePreset withUpDown(double v) {
    return new DevicePreset(name, source, assumptions, dwMin, dwMinDtod, dwMinStd, v, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std,
        readNoiseStd, forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, drift);
  }

  public DevicePreset withBounds(double newWMin, double newWMax) {
    return new DevicePreset(name, source, assumptions, dwMin, dwMinDtod, dwMinStd, upDown, upDownDtod, newWMax, newWMin, wMaxDtod, wMinDtod, w0Std,
        readNoiseStd, forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, drift);
  }

  public DevicePreset withNoise(double newDwMinStd, double newReadNoiseStd, double newForwardNoiseStd) {
    return new DevicePreset(name, source, assumptions, dwMin, dwMinDtod, newDwMinStd, upDown, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std,
        newReadNoiseStd, newForwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, drift);
  }

  public DevicePreset withVariation(double newDwMinDtod, double newUpDownDtod, double newBoundDtod) {
    return new DevicePreset(name, source, assumptions, dwMin, newDwMinDtod, dwMinStd, upDown, newUpDownDtod, wMax, wMin, newBoundDtod, newBoundDtod, w0Std,
        readNoiseStd, forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, drift);
  }

  /** The same device driven by a different nominal pulse (e.g. an SMU's millisecond pulses). */
  public DevicePreset withNominalPulse(double volts, long widthNanos, double threshold) {
    return new DevicePreset(name, source, assumptions, dwMin, dwMinDtod, dwMinStd, upDown, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std,
        readNoiseStd, forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, volts, widthNanos, threshold, switching, drift);
  }

  public DevicePreset withDwMin(double v) {
    return new DevicePreset(name, source, assumptions, v, dwMinDtod, dwMinStd, upDown, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std,
        readNoiseStd, forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, drift);
  }

  /** The same preset with symmetry-point drift (null: none). */
  public DevicePreset withDrift(Drift d) {
    return new DevicePreset(name, source, assumptions, dwMin, dwMinDtod, dwMinStd, upDown, upDownDtod, wMax, wMin, wMaxDtod, wMinDtod, w0Std,
        readNoiseStd, forwardNoiseStd, forwardBound, adcBits, gMinSiemens, gMaxSiemens, pulseVolts, pulseWidthNanos, thresholdVolts, switching, d);
  }
}
