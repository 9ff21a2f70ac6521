package org.rramctl.sim.arc1;

import java.io.IOException;
import java.time.Duration;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.CrossbarDriverContract;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.ReferenceLayout;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.arc1.Arc1Driver;
import org.rramctl.driver.arc1.Arc1Settings;
import org.rramctl.sim.DevicePreset;

/**
 * The whole driver contract, reference devices and differential reads included, on an ArC ONE whose right half
 * holds the references of its left half ({@code references=cols+16}), over the in-memory link (the pty path of
 * the same driver is {@link Arc1OverPtyContractTest}).
 */
class Arc1WithReferencesContractTest extends CrossbarDriverContract {
  @Override
  protected CrossbarDriver openDriver() throws IOException {
    VirtualArc1 board = new VirtualArc1(VirtualArc1.arcScale(DevicePreset.named("rram-imbalanced")), 32, 32, 11);
    Arc1Settings s = Arc1Settings.defaults().withResetWait(Duration.ZERO).withWriteDelay(Duration.ZERO);
    CrossbarDriver d = ReferenceLayout.parse("cols+16").apply(Arc1Driver.open(Arc1Link.to(board), s, 1e-6, 1e-4));
    return new EnvelopedDriver(d, SafetyEnvelope.of(d.info()));
  }

  @Override
  protected Specified specified() {
    return Arc1OverPtyContractTest.SPECIFIED;
  }

  @Override
  protected int pairsToSettle() {
    // In memory, pairs are cheap: enough for the slowest devices of the preset (seed 11's device 0,0 needs more than 3000).
    return 6000;
  }
}
