package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Walks every operation of {@link CrossbarDriver} by reflection (so that a new operation cannot skip
 * the envelope unnoticed): each voltage, pulse, pulse count and update it takes is refused by
 * {@link EnvelopedDriver} when it lies outside the envelope but inside the hardware limits, and the driver
 * behind it is never called; the same call with every argument inside reaches it once.
 */
class EveryOperationIsEnvelopedTest {
  private static final Limits ENVELOPE = EnvelopeGuardPropertyTest.ENVELOPE;
  private static final BoardInfo INFO = EnvelopeGuardPropertyTest.INFO;
  /**
   * Operations that take no argument at all, so nothing the envelope limits. {@code sourceMeasure()} returns a
   * role object whose own operations (source, sweep) this test does not walk yet: they are checked by their
   * drivers (SmuDriver's limits.checkSource / checkSweep), not by EnvelopedDriver's reflection walk here.
   */
  private static final Set<String> NOTHING_TO_CHECK = Set.of("info", "status", "defaultEnvelope", "sourceMeasure", "abort", "abortAndConfirm", "close", "inProcess");

  private static final double READ_OK = 0.2;
  private static final double READ_OVER = 0.4; // over the envelope's 0.3 V, under the hardware's 0.5 V
  private static final Pulse PULSE_OK = Pulse.up(1.0, Duration.ofNanos(1000));
  private static final Pulse PULSE_OVER = Pulse.up(2.0, Duration.ofNanos(1000)); // envelope 1.5 V, hardware 3 V
  private static final int COUNT_OK = 3;
  private static final int COUNT_OVER = 2000; // envelope 1000, hardware 100 000

  private final List<String> reached = new ArrayList<>();

  private CrossbarDriver recordingInner() {
    return (CrossbarDriver) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CrossbarDriver.class}, (p, m, args) -> {
      if (m.getName().equals("info")) return INFO;
      reached.add(m.getName());
      Class<?> r = m.getReturnType();
      if (r == double.class) return 1e-5;
      if (r == double[].class) return new double[8];
      if (r == boolean.class) return false;
      return null;
    });
  }

  /** One argument slot of an operation: how to fill it inside the envelope, and outside when it is checked. */
  private record Slot(Object inside, Object outside) {}

  private static List<Slot> slots(Method m) {
    List<Slot> out = new ArrayList<>();
    Class<?>[] types = m.getParameterTypes();
    boolean voltsSeen = false;
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == Cell.class) {
        out.add(new Slot(Cell.active(0, 1, 1), null));
      } else if (t == Pulse.class) {
        out.add(new Slot(PULSE_OK, PULSE_OVER));
      } else if (t == int.class && i > 0 && types[i - 1] == Pulse.class) {
        out.add(new Slot(COUNT_OK, COUNT_OVER)); // a pulse count
      } else if (t == int.class) {
        out.add(new Slot(0, null)); // an array, row or column index
      } else if (t == double.class) {
        out.add(new Slot(READ_OK, READ_OVER)); // every scalar double of the interface is a read voltage
      } else if (t == Plane.class) {
        out.add(new Slot(Plane.ACTIVE, null));
      } else if (t == ReadMode.class) {
        out.add(new Slot(ReadMode.ACTIVE, null));
      } else if (t == Tile.class) {
        out.add(new Slot(new Tile(0, 0, 0, 2, 2), null));
      } else if (t == double[].class && !voltsSeen) {
        voltsSeen = true;
        out.add(new Slot(new double[] {READ_OK, READ_OK}, new double[] {READ_OK, READ_OVER}));
      } else if (t == double[].class) {
        out.add(new Slot(new double[2], null)); // currents out
      } else if (t == StochasticUpdate.class) {
        Pulse down = PULSE_OK.withPolarity(Polarity.DOWN);
        out.add(new Slot(StochasticUpdate.uniform(2, 2, Polarity.UP, PULSE_OK, down), StochasticUpdate.uniform(2, 2, Polarity.UP, PULSE_OVER, down)));
      } else {
        fail(m + ": parameter " + i + " of type " + t.getSimpleName() + " is unknown to this test: say how the envelope limits it");
      }
    }
    return out;
  }

  private static Object[] args(List<Slot> slots, int outsideAt) {
    Object[] a = new Object[slots.size()];
    for (int i = 0; i < a.length; i++) a[i] = i == outsideAt ? slots.get(i).outside() : slots.get(i).inside();
    return a;
  }

  @Test
  void everyLimitedArgumentOfEveryOperationIsCheckedBeforeTheBoardSeesIt() throws Exception {
    List<String> covered = new ArrayList<>();
    for (Method m : CrossbarDriver.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) continue;
      String op = m.getName() + Arrays.toString(m.getParameterTypes());
      if (NOTHING_TO_CHECK.contains(m.getName())) {
        assertEquals(0, m.getParameterCount(), op + " takes arguments: check them, or say why not");
        continue;
      }
      assertTrue(m.getParameterCount() > 0, op + " is new and takes no argument: add it to NOTHING_TO_CHECK");
      List<Slot> slots = slots(m);
      int limited = 0;
      // Every argument inside: reaches the board once (so a refusal below is the bad argument's doing).
      reached.clear();
      m.invoke(new EnvelopedDriver(recordingInner(), new SafetyEnvelope(ENVELOPE)), args(slots, -1));
      assertEquals(List.of(m.getName()), reached, op + " inside the envelope");
      for (int i = 0; i < slots.size(); i++) {
        if (slots.get(i).outside() == null) continue;
        limited++;
        reached.clear();
        try {
          m.invoke(new EnvelopedDriver(recordingInner(), new SafetyEnvelope(ENVELOPE)), args(slots, i));
          fail(op + " with argument " + i + " outside the envelope was not refused");
        } catch (InvocationTargetException e) {
          assertInstanceOf(EnvelopeViolationException.class, e.getCause(), op + " argument " + i + ": " + e.getCause());
        }
        assertEquals(List.of(), reached, op + " argument " + i + ": the board was called");
      }
      assertTrue(limited > 0, op + " takes nothing the envelope limits: add it to NOTHING_TO_CHECK, with a reason");
      covered.add(op);
    }
    assertTrue(covered.size() >= 11, "operations walked: " + covered);
  }

  /**
   * After {@link EnvelopedDriver#stop} (Ctrl-C) every operation, reads included, is refused before the board
   * sees it: a command made of many operations (training, a procedure) sends nothing more. Walked by
   * reflection like the envelope, so a new operation cannot skip the check.
   */
  @Test
  void afterAStopEveryOperationIsRefusedAndTheBoardSeesOnlyTheAbort() throws Exception {
    EnvelopedDriver d = new EnvelopedDriver(recordingInner(), new SafetyEnvelope(ENVELOPE));
    reached.clear();
    d.stop("interrupted (Ctrl-C)", 1000);
    assertEquals(List.of("abortAndConfirm"), reached, "the stop aborts once when nothing is in flight");
    reached.clear();
    int walked = 0;
    for (Method m : CrossbarDriver.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || NOTHING_TO_CHECK.contains(m.getName())) continue;
      try {
        m.invoke(d, args(slots(m), -1));
        fail(m + " ran after the stop");
      } catch (InvocationTargetException e) {
        DriverAbortedException a = assertInstanceOf(DriverAbortedException.class, e.getCause(), m + ": " + e.getCause());
        assertTrue(a.getMessage().contains("interrupted (Ctrl-C); nothing more was sent"), a.getMessage());
      }
      walked++;
    }
    assertEquals(List.of(), reached, "the board saw an operation after the stop");
    assertTrue(walked >= 11, "operations walked: " + walked);
  }

  /** An operation already past its check when the stop comes is aborted until it has ended. */
  @Test
  @org.junit.jupiter.api.Timeout(30)
  void aStopKeepsAbortingUntilTheOperationInFlightHasEnded() throws Exception {
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch aborted = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger aborts = new java.util.concurrent.atomic.AtomicInteger();
    CrossbarDriver inner = (CrossbarDriver) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CrossbarDriver.class}, (p, m, args) -> {
      switch (m.getName()) {
        case "info" -> {
          return INFO;
        }
        case "abortAndConfirm" -> {
          // The first ABORT misses the pulse (it was not on the board yet); the third one ends it.
          if (aborts.incrementAndGet() == 3) aborted.countDown();
          return true;
        }
        case "pulse" -> {
          running.countDown();
          aborted.await();
          throw new DriverAbortedException("test", "PULSE ended by the ABORT");
        }
        default -> {
          return null;
        }
      }
    });
    EnvelopedDriver d = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
    Thread t = new Thread(() -> {
      try {
        d.pulse(Cell.active(0, 1, 1), PULSE_OK, COUNT_OK);
      } catch (java.io.IOException expected) {
        // ended by the stop
      }
    });
    t.start();
    running.await();
    assertTrue(d.stop("interrupted (Ctrl-C)", 20_000), "confirmed idle once the pulse had ended");
    assertTrue(aborts.get() >= 3, "aborts: " + aborts.get());
    t.join();
  }

  /**
   * Every operation counts itself out when it ends, normally or not: a {@link EnvelopedDriver#stop} that follows
   * finds nothing in flight and reports the board's confirmation at once. An operation that forgot to would make
   * every later Ctrl-C wait its whole time and then say "not confirmed". Its result is the board's, unchanged.
   */
  @Test
  void everyOperationCountsItselfOutAndReturnsTheBoardsAnswer() throws Exception {
    int walked = 0;
    for (Method m : CrossbarDriver.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || NOTHING_TO_CHECK.contains(m.getName())) continue;
      for (boolean failing : new boolean[] {false, true}) {
        CrossbarDriver inner = (CrossbarDriver) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CrossbarDriver.class}, (p, im, args) -> {
          switch (im.getName()) {
            case "info" -> {
              return INFO;
            }
            case "abortAndConfirm" -> {
              return true;
            }
            default -> {
              if (failing) throw new java.io.IOException("board fault (test)");
              Class<?> r = im.getReturnType();
              if (r == double.class) return 4.25e-5;
              if (r == double[].class) return new double[] {1, 2};
              return null;
            }
          }
        });
        EnvelopedDriver d = new EnvelopedDriver(inner, new SafetyEnvelope(ENVELOPE));
        Object result = null;
        try {
          result = m.invoke(d, args(slots(m), -1));
          assertTrue(!failing, m + " hid the board's fault");
        } catch (InvocationTargetException e) {
          assertTrue(failing, m + ": " + e.getCause());
        }
        if (!failing && m.getReturnType() == double.class) assertEquals(4.25e-5, (double) result, m.toString());
        if (!failing && m.getReturnType() == double[].class) assertTrue(Arrays.equals(new double[] {1, 2}, (double[]) result), m.toString());
        assertTrue(d.stop("after " + m.getName(), 0), m + (failing ? " (failing)" : "") + " left itself counted in flight");
      }
      walked++;
    }
    assertTrue(walked >= 11, "operations walked: " + walked);
  }

  @Test
  void aDifferentialReadChecksBothCellsAndRefusesAfterClose() throws Exception {
    EnvelopedDriver d = new EnvelopedDriver(recordingInner(), new SafetyEnvelope(ENVELOPE));
    reached.clear();
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.readDifferential(0, 4, 0, READ_OK), "row 4 of a 4-row array");
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.readDifferential(0, 0, 5, READ_OK), "column 5 of 5");
    assertEquals(List.of(), reached);
    d.close();
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> d.readDifferential(0, 0, 0, READ_OK));
  }
}
