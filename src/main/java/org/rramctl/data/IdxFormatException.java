package org.rramctl.data;

import java.io.IOException;

/**
 * An IDX file that is not what it should be: wrong magic number, truncated, a count that does not match
 * its partner file, or a label outside 0..9. The message names the file and what was expected.
 */
public final class IdxFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String file;

  public IdxFormatException(String file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  /** The file (path or resource name) that was being read. */
  public String file() {
    return file;
  }
}
