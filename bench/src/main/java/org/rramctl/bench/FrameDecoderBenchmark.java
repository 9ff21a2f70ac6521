package org.rramctl.bench;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.rramctl.protocol.Command;
import org.rramctl.protocol.FrameDecoder;
import org.rramctl.protocol.FrameEvent;
import org.rramctl.protocol.MessageCodec;
import org.rramctl.protocol.ProtocolException;
import org.rramctl.protocol.Response;
import org.rramctl.protocol.TileAddress;
import org.rramctl.protocol.WireReadMode;

/**
 * Host-side receive throughput of the firmware protocol: 1 MiB of training-step traffic (forward-read
 * commands of a 785 x 256 tile, their 256-current replies, heartbeats) fed in 4 KiB chunks, as a serial
 * port delivers it. One operation is one byte, so the score is bytes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameDecoderBenchmark {
  private static final int STREAM_BYTES = 1 << 20;
  private static final int CHUNK = 4096;

  private byte[] stream;

  @Setup
  public void setUp() {
    TileAddress tile = new TileAddress(0, 0, 0, 785, 256);
    short[] x = new short[785];
    for (int k = 0; k < 151; k++) x[k * 785 / 151] = (short) (200 + 37 * k % 1800);
    float[] amps = new float[256];
    for (int k = 0; k < amps.length; k++) amps[k] = 1e-6f * (k + 1) / 7;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int seq = 0; out.size() < STREAM_BYTES; seq = (seq + 1) & 0xFFFF) {
      out.writeBytes(MessageCodec.frame(new Command.ForwardRead(tile, WireReadMode.DIFFERENTIAL, x), seq));
      out.writeBytes(MessageCodec.frame(new Response.Currents(0, false, 0, amps), seq));
      out.writeBytes(MessageCodec.frame(new Command.Heartbeat(), seq));
    }
    // Cut to exactly 1 MiB; the partial frame at the end stays in the decoder, as it would on a live link.
    stream = Arrays.copyOf(out.toByteArray(), STREAM_BYTES);
  }

  @Benchmark
  @OperationsPerInvocation(STREAM_BYTES)
  public void framesOnly(Blackhole bh) {
    FrameDecoder decoder = FrameDecoder.create();
    for (int at = 0; at < stream.length; at += CHUNK) decoder.feed(stream, at, Math.min(CHUNK, stream.length - at), bh::consume);
  }

  @Benchmark
  @OperationsPerInvocation(STREAM_BYTES)
  public void framesAndMessages(Blackhole bh) {
    FrameDecoder decoder = FrameDecoder.create();
    for (int at = 0; at < stream.length; at += CHUNK) {
      decoder.feed(stream, at, Math.min(CHUNK, stream.length - at), e -> {
        if (!(e instanceof FrameEvent.Frame f)) throw new IllegalStateException("benchmark stream is valid: " + e);
        try {
          bh.consume(MessageCodec.decode(f.packet()));
        } catch (ProtocolException impossible) {
          throw new IllegalStateException("benchmark stream is valid", impossible);
        }
      });
    }
  }
}
