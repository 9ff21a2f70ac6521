package org.rramctl.journal;

/**
 * Bytes at the end of a journal that do not end in a newline: a line whose write was cut short by a crash
 * or power loss. It was never acknowledged (the newline is written last), so its content is not data.
 *
 * @param offset byte offset of the torn line in the file
 * @param length its length in bytes
 * @param preview up to 60 characters of it, for the report
 */
public record TornTail(long offset, int length, String preview) {
  public TornTail {
    if (offset < 0) throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
    if (length < 1) throw new IllegalArgumentException("length: " + length + " (expected: >= 1)");
  }

  @Override
  public String toString() {
    return "torn last line at byte " + offset + " (" + length + " bytes, no newline: '" + preview + "'); not part of the data";
  }
}
