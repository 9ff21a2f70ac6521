package org.rramctl.sim.board;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.rramctl.driver.transport.Transport;
import org.rramctl.protocol.Envelope;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.Message;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.ProtocolException;
import org.rramctl.protocol.WireFormat;

/**
 * A bare host for tests that craft frames: sends what it is given, decodes what comes back, in one protocol version
 * (the newest unless told). Test thread only.
 */
final class RawHost {
  private final Transport transport;
  private final int version;
  private final FrameDecoder decoder = FrameDecoder.create();
  private final ArrayDeque<Envelope> received = new ArrayDeque<>();
  private final byte[] buffer = new byte[16 * 1024];

  RawHost(Transport transport) {
    this(transport, WireFormat.MAX_VERSION);
  }

  RawHost(Transport transport, int version) {
    this.transport = transport;
    this.version = version;
  }

  void send(Message m, int sequence) throws IOException {
    transport.write(MessageCodec.frame(m, sequence, version));
  }

  void sendRaw(byte[] frame) throws IOException {
    transport.write(frame);
  }

  /** The next frame from the board, or null if none arrives within {@code within}. */
  Envelope receive(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (received.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      int n = transport.read(buffer, 0, buffer.length, Duration.ofNanos(left));
      decoder.feed(buffer, 0, n, e -> {
        if (e instanceof FrameEvent.Frame f) {
          try {
            received.add(MessageCodec.decode(f.packet(), version));
          } catch (ProtocolException ex) {
            throw new AssertionError("the board sent an undecodable frame: " + ex.getMessage(), ex);
          }
        }
      });
    }
    return received.poll();
  }

  /** The next frame, which must arrive within a second. */
  Envelope expect() throws IOException {
    Envelope e = receive(Duration.ofSeconds(1));
    if (e == null) throw new AssertionError("no answer from the board within 1 s");
    return e;
  }
}
