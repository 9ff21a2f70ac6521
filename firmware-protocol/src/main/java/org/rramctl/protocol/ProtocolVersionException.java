package org.rramctl.protocol;

import java.io.IOException;

/** A board speaks a protocol version outside the host's window; the host refuses it. */
public final class ProtocolVersionException extends IOException {
  private final int boardVersion;
  private final int hostMin;
  private final int hostMax;

  public ProtocolVersionException(int boardVersion, int hostMin, int hostMax, String boardId, String firmwareVersion) {
    super("board " + boardId + " (firmware " + firmwareVersion + ") speaks protocol version " + boardVersion
        + " (expected: " + (hostMin == hostMax ? "version " + hostMin : "a version in " + hostMin + ".." + hostMax)
        + ", the window of this host)");
    this.boardVersion = boardVersion;
    this.hostMin = hostMin;
    this.hostMax = hostMax;
  }

  public int boardVersion() {
    return boardVersion;
  }

  public int hostMin() {
    return hostMin;
  }

  public int hostMax() {
    return hostMax;
  }
}
