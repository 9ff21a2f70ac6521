package org.rramctl.protocol;

/** Argument checks shared by the message records; messages shaped {@code name: value (expected: ...)}. */
final class Check {
  private Check() {}

  static void range(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + ".." + max + ")");
    }
  }

  static void notNull(String name, Object value) {
    if (value == null) throw new IllegalArgumentException(name + ": null");
  }

  static void length(String name, int actual, int expected) {
    if (actual != expected) throw new IllegalArgumentException(name + ".length: " + actual + " (expected: " + expected + ")");
  }
}
