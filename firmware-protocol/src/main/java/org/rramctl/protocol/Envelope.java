package org.rramctl.protocol;

/** A decoded packet: the message and the sequence number its header carried (0..65535). */
public record Envelope(int sequence, Message message) {
  public Envelope {
    Check.range("sequence", sequence, 0, 0xFFFF);
    Check.notNull("message", message);
  }
}
