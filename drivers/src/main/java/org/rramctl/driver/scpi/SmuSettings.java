package org.rramctl.driver.scpi;

/**
 * How {@link SmuDriver#open} sets up a source-measure unit. Start from {@link #defaults()} and change by
 * name ({@code SmuSettings.defaults().withModel("2600").withComplianceAmps(1e-4)}).
 *
 * @param model {@code "auto"} (from *IDN?), {@code "2400"} or {@code "2600"}
 * @param complianceAmps current compliance for every operation, amperes
 * @param gMinSiemens lower end of the devices' conductance window (for calibration's plausibility checks)
 * @param gMaxSiemens upper end of that window
 */
public record SmuSettings(String model, double complianceAmps, double gMinSiemens, double gMaxSiemens) {
  public SmuSettings {
    if (!"auto".equals(model) && !"2400".equals(model) && !"2600".equals(model)) {
      throw new IllegalArgumentException("model: '" + model + "' (expected: auto, 2400 or 2600)");
    }
    if (!(complianceAmps > 0) || Double.isInfinite(complianceAmps)) {
      throw new IllegalArgumentException("compliance: " + complianceAmps + " A (expected: finite and > 0)");
    }
    if (!(gMinSiemens > 0) || !(gMaxSiemens > gMinSiemens) || Double.isInfinite(gMaxSiemens)) {
      throw new IllegalArgumentException("conductance window: " + gMinSiemens + ".." + gMaxSiemens + " S (expected: 0 < gmin < gmax, finite)");
    }
  }

  /** Model from *IDN?, 1 mA compliance, devices between 1 uS and 100 uS. */
  public static SmuSettings defaults() {
    return new SmuSettings("auto", 1e-3, 1e-6, 1e-4);
  }

  public SmuSettings withModel(String m) {
    return new SmuSettings(m, complianceAmps, gMinSiemens, gMaxSiemens);
  }

  public SmuSettings withComplianceAmps(double amps) {
    return new SmuSettings(model, amps, gMinSiemens, gMaxSiemens);
  }

  public SmuSettings withConductanceWindowSiemens(double min, double max) {
    return new SmuSettings(model, complianceAmps, min, max);
  }
}
