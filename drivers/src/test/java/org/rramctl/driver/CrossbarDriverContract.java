package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link CrossbarDriver} implementation must meet (okio's AbstractFileSystemTest
 * pattern): the emulator, the serial driver over a virtual board, the remote driver, and hardware (tagged,
 * enabled by an environment variable) extend it and supply a factory and a few board facts.
 *
 * <p>Statistical checks use the board's own noise: every tolerance below is stated relative to the
 * conductance window or to the board's measured step, and the implementations under test are seeded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class CrossbarDriverContract {
  protected CrossbarDriver driver;
  protected BoardInfo info;

  /** A fresh driver for one test; the test closes it. */
  protected abstract CrossbarDriver openDriver() throws IOException;

  /** The pulse (UP polarity) and the read voltage a board is specified for. */
  public record Specified(Pulse nominalUp, double readVolts) {
    /** What the emulator presets and the virtual crossbar board are specified for: 1.0 V / 100 ns pulses, 0.2 V reads. */
    public static final Specified EMULATOR = new Specified(Pulse.up(1.0, Duration.ofNanos(100)), 0.2);
  }

  /** The pulse and read voltage this board is specified for: each board states its own. */
  protected abstract Specified specified();

  protected final Pulse nominalUp() {
    return specified().nominalUp();
  }

  protected final double readVolts() {
    return specified().readVolts();
  }

  /** Pulses that take a device from mid-range most of the way (> 90 %) to a bound. */
  protected int pulsesToSaturate() {
    return 4000;
  }

  /** Alternating pulse pairs after which a device sits at its symmetry point (4-5 time constants). */
  protected int pairsToSettle() {
    return 3000;
  }

  /** Whether the board has at least a 2 x 2 array (single-device instruments do not). */
  protected boolean hasArrays() {
    return true;
  }

  /**
   * True when every device is identical and noise-free (the emulator's "ideal" preset, behind any driver):
   * pulse counts are then visible exactly in the conductance, and the contract checks them.
   */
  protected boolean idealDevices() {
    return false;
  }

  protected Pulse nominalDown() {
    return nominalUp().withPolarity(Polarity.DOWN);
  }

  @BeforeEach
  void openIt() throws IOException {
    driver = openDriver();
    info = driver.info();
  }

  @AfterEach
  void closeIt() {
    if (driver != null) driver.close();
  }

  private double window() {
    return info.gMaxSiemens() - info.gMinSiemens();
  }

  private Cell cell00() {
    return Cell.active(0, 0, 0);
  }

  /** Applies n pulses in commands no larger than the board allows. */
  protected void pulseMany(Cell c, Pulse p, int n) throws IOException {
    int max = info.hardwareLimits().maxPulsesPerCommand();
    for (int left = n; left > 0; left -= max) driver.pulse(c, p, Math.min(left, max));
  }

  private double meanRead(Cell c, int n) throws IOException {
    double s = 0;
    for (int i = 0; i < n; i++) s += driver.read(c, readVolts());
    return s / n;
  }

  @Test
  void infoDescribesABoard() {
    assertTrue(!info.arrays().isEmpty(), "at least one array");
    assertTrue(info.gMaxSiemens() > info.gMinSiemens());
    assertTrue(readVolts() <= info.hardwareLimits().maxReadVolts());
    assertTrue(nominalUp().amplitudeVolts() <= info.hardwareLimits().maxPulseVolts());
    assertTrue(info.supportsNatively(Capability.READ) || info.supportsNatively(Capability.PULSE) || info.nativeOps().isEmpty());
  }

  @Test
  void upPulsesRaiseAndDownPulsesLowerTheConductance() throws IOException {
    Cell c = cell00();
    double g0 = meanRead(c, 8);
    driver.pulse(c, nominalUp(), 200);
    double g1 = meanRead(c, 8);
    driver.pulse(c, nominalDown(), 400);
    double g2 = meanRead(c, 8);
    assertTrue(g1 > g0, "200 up pulses raise G: " + g0 + " -> " + g1);
    assertTrue(g2 < g1, "400 down pulses lower G: " + g1 + " -> " + g2);
  }

  @Test
  void stepsShrinkNearTheBounds() throws IOException {
    Cell c = cell00();
    double g0 = meanRead(c, 16);
    driver.pulse(c, nominalUp(), 100);
    double early = meanRead(c, 16) - g0;
    pulseMany(c, nominalUp(), pulsesToSaturate());
    double gs = meanRead(c, 16);
    driver.pulse(c, nominalUp(), 100);
    double late = meanRead(c, 16) - gs;
    assertTrue(early > 0, "early steps move the device: " + early);
    assertTrue(late < 0.25 * early, "near the upper bound 100 pulses move G less than a quarter as much: early " + early + " S, late " + late + " S");
    assertTrue(gs <= info.gMaxSiemens() * 1.01, "saturated below G_max: " + gs);
  }

  @Test
  void alternatingPulsesSettleAtTheSameConductanceFromBothSides() throws IOException {
    Cell c = cell00();
    pulseMany(c, nominalUp(), pulsesToSaturate());
    double fromAbove = settle(c);
    pulseMany(c, nominalDown(), pulsesToSaturate());
    double fromBelow = settle(c);
    assertEquals(fromAbove, fromBelow, 0.03 * window(), "alternating pulses settle at one point (the symmetry point) from either side");
  }

  private double settle(Cell c) throws IOException {
    for (int i = 0; i < pairsToSettle(); i++) {
      driver.pulse(c, nominalUp(), 1);
      driver.pulse(c, nominalDown(), 1);
    }
    double s = 0;
    for (int i = 0; i < 100; i++) {
      s += driver.pulseThenRead(c, nominalUp(), 1, readVolts());
      s += driver.pulseThenRead(c, nominalDown(), 1, readVolts());
    }
    return s / 200;
  }

  @Test
  void repeatedReadsStayWithinTheNoiseModel() throws IOException {
    Cell c = cell00();
    int n = 200;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = driver.read(c, readVolts());
    double mean = 0;
    for (double v : x) mean += v / n;
    double var = 0;
    for (double v : x) var += (v - mean) * (v - mean) / (n - 1);
    assertTrue(Math.sqrt(var) < 0.01 * window(), "read noise below 1 % of the window: " + Math.sqrt(var));
    assertTrue(mean >= 0 && mean <= 1.3 * info.gMaxSiemens(), "reads inside the ADC range: " + mean);
  }

  @Test
  void readsDoNotDisturbTheDevice() throws IOException {
    Cell c = cell00();
    driver.pulse(c, nominalUp(), 300);
    double before = meanRead(c, 20);
    for (int i = 0; i < 500; i++) driver.read(c, readVolts());
    double after = meanRead(c, 20);
    assertEquals(before, after, 0.005 * window());
  }

  @Test
  void pulsesOutsideTheHardwareLimitsAreRefused() throws IOException {
    Limits hw = info.hardwareLimits();
    Cell c = cell00();
    double before = meanRead(c, 8);
    Pulse tooHigh = nominalUp().withAmplitudeVolts(hw.maxPulseVolts() * 1.5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> driver.pulse(c, tooHigh, 1));
    assertTrue(e.getMessage().contains("amplitude"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> driver.pulse(c, nominalUp(), hw.maxPulsesPerCommand() + 1));
    assertThrows(IllegalArgumentException.class, () -> driver.pulse(c, nominalUp(), 0));
    if (hw.minPulseWidthNanos() > 1) {
      assertThrows(IllegalArgumentException.class, () -> driver.pulse(c, nominalUp().withWidthNanos(hw.minPulseWidthNanos() - 1), 1));
    }
    assertThrows(IllegalArgumentException.class, () -> driver.read(c, hw.maxReadVolts() * 2));
    assertThrows(IllegalArgumentException.class, () -> driver.read(c, 0));
    assertEquals(before, meanRead(c, 8), 0.005 * window(), "refused requests leave the device as it was");
  }

  @Test
  void badAddressesAreRefusedWithClearMessages() {
    ArrayGeometry g = info.array(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> driver.read(Cell.active(0, g.rows(), 0), readVolts()));
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> driver.pulse(Cell.active(0, 0, g.cols()), nominalUp(), 1));
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> driver.read(Cell.active(info.arrays().size(), 0, 0), readVolts()));
    assertTrue(e.getMessage().contains("array"), e.getMessage());
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseIsAnIllegalState() {
    driver.close();
    driver.close();
    assertThrows(IllegalStateException.class, () -> driver.read(cell00(), readVolts()));
    assertThrows(IllegalStateException.class, () -> driver.pulse(cell00(), nominalUp(), 1));
  }

  @Test
  void abortFromAnotherThreadLeavesTheDriverUsable() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        // Until the board confirms: a remote board's abort waits one second for the server's acknowledgement, which
        // a loaded machine can miss; the unconfirmed ABORT may then land later and stop the pulse below.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!driver.abortAndConfirm()) {
          if (System.nanoTime() > deadline) throw new AssertionError("the board never confirmed the abort");
        }
      } catch (Throwable e) {
        failure.set(e);
      } finally {
        done.countDown();
      }
    });
    t.start();
    assertTrue(done.await(60, TimeUnit.SECONDS), "abort returns");
    assertEquals(null, failure.get());
    assertTrue(driver.status().outputsIdle(), "outputs idle after abort");
    driver.pulse(cell00(), nominalUp(), 1);
    driver.read(cell00(), readVolts());
  }

  @Test
  void referenceDevicesAreAddressedSeparately() throws IOException {
    assumeTrue(info.array(0).hasReference(), "needs a reference array");
    Cell active = cell00();
    Cell ref = Cell.reference(0, 0, 0);
    double a0 = meanRead(active, 8);
    double r0 = meanRead(ref, 8);
    driver.pulse(ref, nominalUp(), 500);
    assertTrue(meanRead(ref, 8) > r0 + 0.01 * window(), "the reference device moved");
    assertEquals(a0, meanRead(active, 8), 0.005 * window(), "the active device did not");
  }

  @Test
  void vectorReadsAgreeWithSingleDeviceReads() throws IOException {
    // Any array, even 1 x 1 (an SMU; the 2600's second channel is its reference): on boards without native
    // vector operations this is the single-device fallback the SMUs rely on.
    ArrayGeometry g = info.array(0);
    int rows = Math.min(g.rows(), 4);
    int cols = Math.min(g.cols(), 4);
    for (int r = 0; r < rows; r++) driver.pulse(Cell.active(0, r, r % cols), nominalUp(), 100 + 50 * r);
    double[] row0 = driver.readRow(0, Plane.ACTIVE, 0, readVolts());
    double[] col0 = driver.readColumn(0, Plane.ACTIVE, 0, readVolts());
    ConductanceMap map = driver.readArray(0, Plane.ACTIVE, readVolts());
    assertEquals(g.cols(), row0.length);
    assertEquals(g.rows(), col0.length);
    double tol = 0.01 * window();
    for (int c = 0; c < cols; c++) {
      assertEquals(meanRead(Cell.active(0, 0, c), 4), row0[c], tol);
      assertEquals(map.get(0, c), row0[c], tol);
    }
    for (int r = 0; r < rows; r++) assertEquals(map.get(r, 0), col0[r], tol);

    Tile t = new Tile(0, 0, 0, rows, cols);
    double[] v = new double[rows];
    for (int r = 0; r < rows; r++) v[r] = readVolts() * (r % 2 == 0 ? 1 : -0.5);
    double[] fwd = driver.forwardRead(t, ReadMode.ACTIVE, v);
    boolean withReference = g.hasReference();
    ConductanceMap ref = withReference ? driver.readArray(0, Plane.REFERENCE, readVolts()) : null;
    double[] diff = withReference ? driver.forwardRead(t, ReadMode.DIFFERENTIAL, v) : null;
    for (int c = 0; c < cols; c++) {
      double expect = 0;
      double expectDiff = 0;
      for (int r = 0; r < rows; r++) {
        expect += v[r] * map.get(r, c);
        if (withReference) expectDiff += v[r] * (map.get(r, c) - ref.get(r, c));
      }
      double currentTol = 0.05 * window() * readVolts() * rows;
      assertEquals(expect, fwd[c], currentTol, "forward read column " + c);
      if (withReference) assertEquals(expectDiff, diff[c], currentTol, "differential forward read column " + c);
    }
    double[] u = new double[cols];
    for (int c = 0; c < cols; c++) u[c] = readVolts() * (c % 2 == 0 ? 0.5 : -1);
    double[] back = driver.transposeRead(t, ReadMode.ACTIVE, u);
    for (int r = 0; r < rows; r++) {
      double expect = 0;
      for (int c = 0; c < cols; c++) expect += u[c] * map.get(r, c);
      assertEquals(expect, back[r], 0.05 * window() * readVolts() * cols, "transpose read row " + r);
    }
  }

  @Test
  void parallelUpdatePulsesExactlyTheCoincidences() throws IOException {
    assumeTrue(hasArrays(), "needs a 2 x 2 array");
    Tile t = new Tile(0, 0, 0, 2, 2);
    double[] before = new double[4];
    for (int k = 0; k < 4; k++) before[k] = meanRead(Cell.active(0, k / 2, k % 2), 8);
    // Row 0 fires in 60 slots, row 1 never; column 0 positive, column 1 negative.
    long sixty = (1L << 60) - 1;
    StochasticUpdate u = new StochasticUpdate(60, new long[] {sixty, 0}, new byte[] {1, 1}, new long[] {sixty, sixty}, new byte[] {1, -1},
        nominalUp(), nominalDown());
    assertEquals(60, u.signedPulses(0, 0));
    assertEquals(-60, u.signedPulses(0, 1));
    assertEquals(0, u.signedPulses(1, 0));
    for (int rep = 0; rep < 3; rep++) driver.parallelUpdate(t, Plane.ACTIVE, u);
    double[] after = new double[4];
    for (int k = 0; k < 4; k++) after[k] = meanRead(Cell.active(0, k / 2, k % 2), 8);
    double tol = 0.005 * window();
    assertTrue(after[0] > before[0] + tol, "device (0,0) got 180 UP pulses");
    assertTrue(after[1] < before[1] - tol, "device (0,1) got 180 DOWN pulses");
    assertEquals(before[2], after[2], tol, "device (1,0) got none");
    assertEquals(before[3], after[3], tol, "device (1,1) got none");
  }

  @Test
  void parallelUpdateAppliesExactlyTheCoincidenceCountToEachDevice() throws IOException {
    assumeTrue(hasArrays() && idealDevices(), "needs identical, noise-free devices in a 2 x 2 array");
    Tile t = new Tile(0, 0, 0, 2, 2);
    long pulsesBefore = driver.status().pulsesApplied();
    // Row 0 fires in 60 slots with column 0 positive and column 1 negative: 180 UP and 180 DOWN in three
    // programs. Row 1 never fires; its devices, identical to row 0's, then get the same counts one by one.
    long sixty = (1L << 60) - 1;
    StochasticUpdate u = new StochasticUpdate(60, new long[] {sixty, 0}, new byte[] {1, 1}, new long[] {sixty, sixty}, new byte[] {1, -1},
        nominalUp(), nominalDown());
    for (int rep = 0; rep < 3; rep++) driver.parallelUpdate(t, Plane.ACTIVE, u);
    assertEquals(pulsesBefore + 360, driver.status().pulsesApplied(), "the status counts each coincidence once");
    double parallelUp = driver.read(Cell.active(0, 0, 0), readVolts());
    double parallelDown = driver.read(Cell.active(0, 0, 1), readVolts());
    driver.pulse(Cell.active(0, 1, 0), nominalUp(), 180);
    driver.pulse(Cell.active(0, 1, 1), nominalDown(), 180);
    double singleUp = driver.read(Cell.active(0, 1, 0), readVolts());
    double singleDown = driver.read(Cell.active(0, 1, 1), readVolts());
    // One pulse more tells how far apart 180 and 181 pulses read: the counts must agree well within it.
    driver.pulse(Cell.active(0, 1, 0), nominalUp(), 1);
    driver.pulse(Cell.active(0, 1, 1), nominalDown(), 1);
    double upStep = driver.read(Cell.active(0, 1, 0), readVolts()) - singleUp;
    double downStep = singleDown - driver.read(Cell.active(0, 1, 1), readVolts());
    assertTrue(upStep > 0 && downStep > 0, "one pulse moves an ideal device: " + upStep + ", " + downStep);
    assertEquals(singleUp, parallelUp, 0.25 * upStep, "device (0,0) got exactly 180 UP pulses");
    assertEquals(singleDown, parallelDown, 0.25 * downStep, "device (0,1) got exactly 180 DOWN pulses");
  }

  @Test
  void vectorOperationsRejectMismatchedShapes() {
    assumeTrue(hasArrays(), "needs a 2 x 2 array");
    Tile t = new Tile(0, 0, 0, 2, 2);
    assertThrows(IllegalArgumentException.class, () -> driver.forwardRead(t, ReadMode.ACTIVE, new double[3]));
    assertThrows(IllegalArgumentException.class, () -> driver.transposeRead(t, ReadMode.ACTIVE, new double[1]));
    ArrayGeometry g = info.array(0);
    assertThrows(IllegalArgumentException.class, () -> driver.forwardRead(new Tile(0, 0, 0, g.rows() + 1, 1), ReadMode.ACTIVE, new double[g.rows() + 1]));
    double[] tooHigh = {info.hardwareLimits().maxReadVolts() * 2, 0};
    assertThrows(IllegalArgumentException.class, () -> driver.forwardRead(t, ReadMode.ACTIVE, tooHigh));
  }

  /** Statuses count pulses. */
  @Test
  void statusCountsAppliedPulses() throws IOException {
    long before = driver.status().pulsesApplied();
    driver.pulse(cell00(), nominalUp(), 7);
    assertEquals(before + 7, driver.status().pulsesApplied());
  }
}
