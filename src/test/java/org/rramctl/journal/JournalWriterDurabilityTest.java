package org.rramctl.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the writer asks of the file system, seen through a channel that records the calls: a power loss
 * cannot be staged in a test, but the fdatasync that protects against it can be counted. FORCE forces after
 * every line, FLUSH never on a line; truncation and close force; a failure while opening closes the file.
 */
class JournalWriterDurabilityTest {
  @TempDir Path tmp;

  /** A real file channel that logs force, truncate and close, and can be told to fail size() or truncate(). */
  static final class RecordingChannel extends FileChannel {
    final FileChannel real;
    final List<String> calls;
    final boolean failSize;
    final boolean failTruncate;

    RecordingChannel(FileChannel real, List<String> calls, boolean failSize, boolean failTruncate) {
      this.real = real;
      this.calls = calls;
      this.failSize = failSize;
      this.failTruncate = failTruncate;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      calls.add("force(" + metaData + ")");
      real.force(metaData);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      calls.add("truncate(" + size + ")");
      if (failTruncate) throw new IOException("truncate refused (test)");
      real.truncate(size);
      return this;
    }

    @Override
    public long size() throws IOException {
      if (failSize) throw new IOException("size refused (test)");
      return real.size();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      calls.add("close");
      real.close();
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return real.write(src, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }
  }

  private final List<String> calls = new ArrayList<>();
  private final List<RecordingChannel> opened = new ArrayList<>();

  private JournalWriter.Opener recording(boolean failSize, boolean failTruncate) {
    return (Path file, OpenOption... options) -> {
      RecordingChannel c = new RecordingChannel(FileChannel.open(file, options), calls, failSize, failTruncate);
      opened.add(c);
      return c;
    };
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void forceSyncsTheDataAfterEveryLineAndCloseSyncsEverything() throws IOException {
    Path f = tmp.resolve("j.jsonl");
    JournalWriter w = JournalWriter.open(f, Durability.FORCE, StandardOpenOption.CREATE_NEW, recording(false, false));
    w.append(ascii("{\"a\":1}"));
    w.append(ascii("{\"b\":2}"));
    assertEquals(List.of("force(false)", "force(false)"), calls);
    w.close();
    w.close(); // idempotent: nothing more
    assertEquals(List.of("force(false)", "force(false)", "force(true)", "close"), calls);
  }

  @Test
  void flushNeverSyncsALine() throws IOException {
    Path f = tmp.resolve("j.jsonl");
    try (JournalWriter w = JournalWriter.open(f, Durability.FLUSH, StandardOpenOption.CREATE_NEW, recording(false, false))) {
      w.append(ascii("{}"));
      w.append(ascii("{}"));
      assertEquals(List.of(), calls);
    }
    assertEquals(List.of("force(true)", "close"), calls);
  }

  @Test
  void cuttingATornTailIsSyncedBeforeAnythingIsAppended() throws IOException {
    Path f = tmp.resolve("j.jsonl");
    Files.writeString(f, "{\"a\":1}\n{\"b\":", StandardCharsets.US_ASCII);
    try (JournalWriter w = JournalWriter.reopen(f, Durability.FLUSH, 8, recording(false, false))) {
      assertEquals(List.of("truncate(8)", "force(true)"), calls);
      w.append(ascii("{}"));
    }
  }

  @Test
  void aTruncationThatFailsClosesTheFile() throws IOException {
    Path f = tmp.resolve("j.jsonl");
    Files.writeString(f, "{\"a\":1}\n{\"b\":", StandardCharsets.US_ASCII);
    IOException e = assertThrows(IOException.class, () -> JournalWriter.reopen(f, Durability.FLUSH, 8, recording(false, true)));
    assertEquals("truncate refused (test)", e.getMessage());
    assertEquals(1, opened.size());
    assertFalse(opened.get(0).isOpen(), "nothing left open: " + calls);
  }

  @Test
  void aFileWhoseSizeCannotBeReadIsClosedAgain() throws IOException {
    Path f = tmp.resolve("j.jsonl");
    Files.writeString(f, "{}\n", StandardCharsets.US_ASCII);
    IOException e = assertThrows(IOException.class, () -> JournalWriter.reopen(f, Durability.FLUSH, -1, recording(true, false)));
    assertEquals("size refused (test)", e.getMessage());
    assertFalse(opened.get(0).isOpen());
    assertEquals(List.of("close"), calls);
  }
}
