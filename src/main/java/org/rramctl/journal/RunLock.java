package org.rramctl.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An exclusive lock on a dedicated lock file, held by one writer (a run's journal writer, a training run's
 * output folder) for its whole life; the kernel drops it when the process dies, however it dies, so a held
 * lock means a live writer and a free one a finished or dead writer.
 *
 * <p>Why a dedicated file: the lock is a POSIX record lock, and POSIX drops every lock a process holds on a
 * file as soon as that process closes ANY descriptor of the file. A lock on the journal itself was lost the
 * moment the run read its own journal back (for its summary), and another shell then marked the live run
 * interrupted. Nothing opens a lock file except this class, and this class never opens a lock file that its
 * own process holds ({@link #HELD} is consulted first, under one monitor), so a held lock stays held until
 * {@link #close}.
 *
 * <p>Lock files are never deleted (deleting one while another process waits on it would let two writers
 * each lock a different file of the same name). They hold the holder's pid, for the refusal message.
 *
 * <p>Thread-safe.
 */
public final class RunLock implements AutoCloseable {
  /** Locks this JVM holds, by absolute path; guarded by the class monitor, as is every open of a lock file. */
  private static final Map<Path, RunLock> HELD = new HashMap<>();

  /** How long {@link #acquire} retries a lock that another process holds but whose recorded holder is gone. */
  private static final long SETTLE_NANOS = 2_000_000_000L;

  private final Path file;
  private final String what;
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(Path file, String what, FileChannel channel, FileLock lock) {
    this.file = file;
    this.what = what;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock or refuses.
   *
   * @param file the lock file (created when missing, with its folder)
   * @param what what is locked, for the refusal message, e.g. "run 2026...-map-ab12" or "--out runs/train"
   * @throws LockedException naming the process that holds it
   */
  public static RunLock acquire(Path file, String what) throws IOException {
    Path key = file.toAbsolutePath().normalize();
    Files.createDirectories(key.getParent());
    long deadline = System.nanoTime() + SETTLE_NANOS;
    while (true) {
      synchronized (RunLock.class) {
        RunLock mine = HELD.get(key);
        if (mine != null) throw new LockedException(what, ProcessHandle.current().pid(), "this process (" + mine.what + ")");
        FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
          l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          l = null; // not ours by HELD, so another thread is between open and close in a probe: impossible under the monitor
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
        if (l != null) {
          RunLock held = new RunLock(key, what, ch, l);
          try {
            byte[] text = ("pid " + ProcessHandle.current().pid() + "\nsince " + Instant.now() + "\nholds " + what + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(text);
            while (b.hasRemaining()) ch.write(b, b.position());
            ch.force(false);
          } catch (IOException | RuntimeException e) {
            held.closeQuietly();
            throw e;
          }
          HELD.put(key, held);
          return held;
        }
        ch.close(); // safe: this process holds no lock on the file (HELD says so)
      }
      Optional<Long> holder = holderPid(key);
      // A recorded holder that is alive is the writer: refuse at once. A gone one means the lock was taken only
      // for a moment by a reader's probe (isHeld) or its holder is ending: try again for a little while.
      if (holder.isPresent() && ProcessHandle.of(holder.get()).map(ProcessHandle::isAlive).orElse(false)) {
        throw new LockedException(what, holder.get(), null);
      }
      if (System.nanoTime() > deadline) throw new LockedException(what, holder.orElse(-1L), null);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException(what + ": interrupted while waiting for its lock");
      }
    }
  }

  /**
   * True while some process (this one included) holds the lock. Never disturbs a holder: this process's own
   * locks are answered from memory, without opening the file.
   */
  public static boolean isHeld(Path file) throws IOException {
    Path key = file.toAbsolutePath().normalize();
    synchronized (RunLock.class) {
      if (HELD.containsKey(key)) return true;
      FileChannel ch;
      try {
        ch = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (NoSuchFileException e) {
        return false;
      }
      try (ch) {
        FileLock l = ch.tryLock();
        if (l == null) return true;
        l.release();
        return false;
      } catch (OverlappingFileLockException e) {
        return true;
      }
    }
  }

  /** The pid written into a lock file by its last holder, if readable. */
  static Optional<Long> holderPid(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.startsWith("pid ")) return Optional.of(Long.parseLong(line.substring(4).trim()));
      }
    } catch (IOException | RuntimeException e) {
      // unreadable or half-written: unknown holder
    }
    return Optional.empty();
  }

  public Path file() {
    return file;
  }

  /** Releases the lock (the file stays). Idempotent. */
  @Override
  public void close() throws IOException {
    synchronized (RunLock.class) {
      if (HELD.get(file) == this) HELD.remove(file);
      if (!channel.isOpen()) return;
      try {
        lock.release();
      } finally {
        channel.close();
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException ignored) {
      // releasing a lock we just took; the kernel drops it with the descriptor anyway
    }
  }

  /** Refusal: another writer holds the lock. The message names it: {@code WHAT: in use by process N (...)}. */
  public static final class LockedException extends IOException {
    private final long pid;

    LockedException(String what, long pid, String who) {
      super(what + ": in use by " + (who != null ? who : pid > 0 ? "process " + pid : "another process")
          + " (expected: one writer at a time; wait for it to end, or stop it)");
      this.pid = pid;
    }

    /** The holder's pid, or -1 when unknown. */
    public long pid() {
      return pid;
    }
  }
}
