package org.rramctl.journal;

import java.io.IOException;
import java.nio.file.Path;

/** A complete journal line (one with its newline) is not a valid document: the file was damaged or edited. */
public class JournalCorruptException extends IOException {
  private final Path file;
  private final int line;

  public JournalCorruptException(Path file, int line, String why) {
    super(file + " line " + line + ": " + why);
    this.file = file;
    this.line = line;
  }

  public Path file() {
    return file;
  }

  /** One-based line number. */
  public int line() {
    return line;
  }
}
