package org.rramctl.calibration;

import java.io.IOException;
import org.rramctl.driver.Polarity;

/**
 * A group of devices that receive the same pulses together and are read together: a whole tile driven by
 * the parallel update, or one device driven by single-device calls. The symmetry-point search and the
 * pulse-response measurement are written once against this.
 */
interface Actuator {
  /** Number of devices in the group. */
  int size();

  /** One pulse of the given polarity on every device of the group. */
  void pulse(Polarity p) throws IOException;

  /** {@code count} pulses of the given polarity on every device. */
  void pulses(Polarity p, int count) throws IOException;

  /** Reads every device of the group into {@code out}, siemens. */
  void read(double[] out) throws IOException;

  /** One pulse, then a read; single-device instruments do it in one command. */
  default void pulseThenRead(Polarity p, double[] out) throws IOException {
    pulse(p);
    read(out);
  }
}
