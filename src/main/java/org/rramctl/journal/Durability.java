package org.rramctl.journal;

import java.util.Locale;

/**
 * When a journal line counts as acknowledged. Every line is handed to the operating system with one
 * {@code write} on a {@code FileChannel} (no user-space buffer), so both modes survive the death of the
 * rramctl process (kill -9, a JVM crash); they differ on a kernel crash or power loss.
 */
public enum Durability {
  /**
   * Acknowledged once the kernel has the line (page cache). Survives kill -9 and JVM crashes; a power
   * loss or kernel panic may lose the last few seconds of lines (whatever the kernel had not yet written
   * back, by default up to about 30 s on Linux).
   */
  FLUSH,
  /**
   * Acknowledged once {@code FileChannel.force(false)} (fdatasync) returned after the line: survives
   * power loss too, as far as the disk honours cache flushes. Costs one device flush per document.
   */
  FORCE;

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Durability parse(String text) {
    for (Durability d : values()) if (d.json().equalsIgnoreCase(text == null ? "" : text.trim())) return d;
    throw new IllegalArgumentException("durability: '" + text + "' (expected: flush or force)");
  }
}
