package org.rramctl.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Appends lines to one journal file. It takes no lock itself: the caller holds the run's {@link RunLock}
 * (a separate file, because a POSIX lock on the journal would be dropped whenever the process reads its own
 * journal back), which keeps every other writer out.
 *
 * <p>Each {@link #append} hands the whole line, newline included, to the kernel in one positional write
 * with no user-space buffer, then (with {@link Durability#FORCE}) forces it to the device. When it returns
 * the line is acknowledged: a later crash of this process cannot lose it. The newline is the last byte of
 * every line, so a line cut short by a crash has none and readers report it as a torn tail.
 *
 * <p>Not thread-safe: one writer thread.
 */
public final class JournalWriter implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final Durability durability;
  private long position;

  private JournalWriter(Path file, FileChannel channel, Durability durability) throws IOException {
    this.file = file;
    this.channel = channel;
    this.durability = durability;
    this.position = channel.size();
  }

  /**
   * Creates a new journal file (the caller holds the run's lock).
   *
   * @throws java.nio.file.FileAlreadyExistsException when the file exists
   */
  public static JournalWriter create(Path file, Durability durability) throws IOException {
    return open(file, durability, StandardOpenOption.CREATE_NEW, FileChannel::open);
  }

  /** How a writer opens its file: {@code FileChannel::open}, or a test's channel that records the calls. */
  interface Opener {
    FileChannel open(Path file, OpenOption... options) throws IOException;
  }

  /**
   * Opens an existing journal to append to it (resume, recovery; the caller holds the run's lock).
   * {@code truncateTo}, when not negative, first cuts the file to that length, dropping a torn tail that a
   * reader has reported.
   */
  public static JournalWriter reopen(Path file, Durability durability, long truncateTo) throws IOException {
    return reopen(file, durability, truncateTo, FileChannel::open);
  }

  static JournalWriter reopen(Path file, Durability durability, long truncateTo, Opener opener) throws IOException {
    JournalWriter w = open(file, durability, StandardOpenOption.WRITE, opener);
    try {
      if (truncateTo >= 0) w.truncate(truncateTo);
    } catch (IOException e) {
      w.close();
      throw e;
    }
    return w;
  }

  static JournalWriter open(Path file, Durability durability, StandardOpenOption mode, Opener opener) throws IOException {
    Objects.requireNonNull(durability, "durability");
    FileChannel ch = opener.open(file, mode, StandardOpenOption.WRITE);
    try {
      return new JournalWriter(file, ch, durability);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Cuts the file to {@code length} bytes (dropping a torn tail), durably. No-op when it is not longer. */
  public void truncate(long length) throws IOException {
    if (length < 0 || length >= position) return;
    channel.truncate(length);
    channel.force(true);
    position = length;
  }

  public Path file() {
    return file;
  }

  public Durability durability() {
    return durability;
  }

  /**
   * Writes one line; {@code json} must not contain a newline (Jackson's compact output never does). When
   * this returns the line is acknowledged at this writer's {@link Durability}.
   */
  public void append(byte[] json) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
    // Positional writes: the run lock keeps other writers out, and a failed partial write leaves no newline.
    while (buf.hasRemaining()) position += channel.write(buf, position);
    if (durability == Durability.FORCE) channel.force(false);
  }

  /** Forces everything written so far to the device, then closes. Idempotent. */
  @Override
  public void close() throws IOException {
    if (!channel.isOpen()) return;
    try {
      channel.force(true);
    } finally {
      channel.close();
    }
  }
}
