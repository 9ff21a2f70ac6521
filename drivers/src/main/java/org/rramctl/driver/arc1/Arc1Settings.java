package org.rramctl.driver.arc1;

import java.time.Duration;

/**
 * How an ArC ONE is initialised and paced: the crossbar connected (words x bits), the read-out (voltage,
 * mode, averaging cycles), the sneak-path policy, the delay after each command that gets no answer, the
 * wait after a reset and the reply timeout. Defaults are libarc1's.
 *
 * @param words word lines of the connected crossbar (rows), 1..32
 * @param bits bit lines (columns), 1..32
 * @param readCycles read-out averaging cycles, 1..1000
 * @param readMode read-out circuit
 * @param sneakPath what the unselected lines see during a read
 * @param readVolts read voltage set at initialisation, volts; a read at another voltage first sets it
 * @param writeDelay pause after a command that the board does not answer, before the next one
 * @param resetWait pause after a reset, while the microcontroller restarts
 * @param replyTimeout the longest wait for an answer (libarc1: 7 s)
 */
public record Arc1Settings(int words, int bits, int readCycles, ReadMode readMode, SneakPath sneakPath, double readVolts,
    Duration writeDelay, Duration resetWait, Duration replyTimeout) {

  /** The board's read-out circuits, with their wire codes. */
  public enum ReadMode {
    CLASSIC(0),
    TIA(1),
    TIA4P(2);

    final int code;

    ReadMode(int code) {
      this.code = code;
    }

    /** The code for a read at {@code volts}: the four-point TIA has a separate code (3) for negative voltages. */
    int codeFor(double volts) {
      return this == TIA4P && volts < 0 ? 3 : code;
    }
  }

  /** Sneak-path limitation: the bias of the unselected lines, with its wire code. */
  public enum SneakPath {
    THIRD(0),
    HALF(1),
    FLOAT(256);

    final int code;

    SneakPath(int code) {
      this.code = code;
    }
  }

  public Arc1Settings {
    if (words < 1 || words > Arc1Wire.MAX_LINES) throw new IllegalArgumentException("words: " + words + " (expected: 1..32)");
    if (bits < 1 || bits > Arc1Wire.MAX_LINES) throw new IllegalArgumentException("bits: " + bits + " (expected: 1..32)");
    if (readCycles < 1 || readCycles > 1000) throw new IllegalArgumentException("readCycles: " + readCycles + " (expected: 1..1000)");
    if (readMode == null) throw new IllegalArgumentException("readMode: null (expected: classic, tia or tia4p)");
    if (sneakPath == null) throw new IllegalArgumentException("sneakPath: null (expected: third, half or float)");
    if (!(readVolts > 0) || readVolts > Arc1Driver.MAX_VOLTS) {
      throw new IllegalArgumentException("readVolts: " + readVolts + " (expected: 0 < V <= " + Arc1Driver.MAX_VOLTS + ")");
    }
    Arc1Wire.exact("readVolts", readVolts, "V");
    nonNegative("writeDelay", writeDelay);
    nonNegative("resetWait", resetWait);
    if (replyTimeout == null || replyTimeout.toMillis() < 1) throw new IllegalArgumentException("replyTimeout: " + replyTimeout + " (expected: >= 1 ms)");
  }

  private static void nonNegative(String name, Duration d) {
    if (d == null || d.isNegative()) throw new IllegalArgumentException(name + ": " + d + " (expected: zero or more)");
  }

  /** libarc1's defaults: 32 x 32, 30 read cycles, TIA4P, V/3, 0.5 V, 1 ms write delay, 2 s reset wait, 7 s timeout. */
  public static Arc1Settings defaults() {
    return new Arc1Settings(32, 32, 30, ReadMode.TIA4P, SneakPath.THIRD, 0.5, Duration.ofMillis(1), Duration.ofSeconds(2), Duration.ofSeconds(7));
  }

  public Arc1Settings withGeometry(int w, int b) {
    return new Arc1Settings(w, b, readCycles, readMode, sneakPath, readVolts, writeDelay, resetWait, replyTimeout);
  }

  public Arc1Settings withReadCycles(int n) {
    return new Arc1Settings(words, bits, n, readMode, sneakPath, readVolts, writeDelay, resetWait, replyTimeout);
  }

  public Arc1Settings withReadMode(ReadMode m) {
    return new Arc1Settings(words, bits, readCycles, m, sneakPath, readVolts, writeDelay, resetWait, replyTimeout);
  }

  public Arc1Settings withSneakPath(SneakPath s) {
    return new Arc1Settings(words, bits, readCycles, readMode, s, readVolts, writeDelay, resetWait, replyTimeout);
  }

  public Arc1Settings withReadVolts(double v) {
    return new Arc1Settings(words, bits, readCycles, readMode, sneakPath, v, writeDelay, resetWait, replyTimeout);
  }

  public Arc1Settings withWriteDelay(Duration d) {
    return new Arc1Settings(words, bits, readCycles, readMode, sneakPath, readVolts, d, resetWait, replyTimeout);
  }

  public Arc1Settings withResetWait(Duration d) {
    return new Arc1Settings(words, bits, readCycles, readMode, sneakPath, readVolts, writeDelay, d, replyTimeout);
  }

  public Arc1Settings withReplyTimeout(Duration d) {
    return new Arc1Settings(words, bits, readCycles, readMode, sneakPath, readVolts, writeDelay, resetWait, d);
  }
}
