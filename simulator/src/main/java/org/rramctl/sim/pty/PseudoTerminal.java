package org.rramctl.sim.pty;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.rramctl.driver.LinkLostException;
import org.rramctl.driver.transport.TransportClosedException;

/**
 * A real pseudo-terminal pair created in-process (posix_openpt, grantpt, unlockpt, ptsname through
 * JNA), so that a virtual board or instrument can sit behind a path that any serial program opens as
 * a port: jSerialComm, {@code screen}, pyserial. The serving side reads and writes the master; clients
 * open {@link #slavePath()} or the optional symlink {@link #link()}.
 *
 * <p>The line is raw ({@code cfmakeraw}): no byte is translated or swallowed, including 0x00, CR, LF,
 * XON/XOFF and DEL. This process keeps a descriptor of the slave open for its whole life, for two
 * reasons: the master would otherwise read EIO whenever no client has the port open (before the first
 * client and between clients), and Linux resets a pty's termios when its last slave descriptor closes,
 * which would undo raw mode for the next client. The cost: the master cannot see a client leave, just
 * as a board on a USB-serial bridge cannot; the protocol's heartbeat watchdog covers that.
 *
 * <p>Reads and writes wait in poll(2) together with a wake-up pipe, so {@link #close()} from any thread
 * ends them at once; descriptors are released only after the last call in flight has left, so a
 * closing thread never pulls a descriptor number from under a reading one. Threads: one reader
 * ({@link #read}, {@link #purgeInput}) and one writer ({@link #write}) at a time, {@link #close()} from
 * any thread. Linux x86_64 (and aarch64) only; elsewhere {@link #open} fails with a message saying so.
 */
public final class PseudoTerminal implements Closeable {
  private static final int CHUNK = 64 * 1024;

  private final int masterFd;
  private final int slaveHoldFd;
  private final int wakeReadFd;
  private final int wakeWriteFd;
  private final String slavePath;
  private final Path link; // null if none
  private final String endpoint;

  private final Memory readBuffer = new Memory(CHUNK); // reader thread only
  private final Memory readPoll = new Memory(16);
  private final Memory writeBuffer = new Memory(CHUNK); // writer thread only
  private final Memory writePoll = new Memory(16);

  private final ReentrantLock stateLock = new ReentrantLock();
  private int inFlight; // guarded by stateLock
  private boolean released; // guarded by stateLock
  private volatile boolean closed;

  private PseudoTerminal(int masterFd, int slaveHoldFd, int wakeReadFd, int wakeWriteFd, String slavePath, Path link) {
    this.masterFd = masterFd;
    this.slaveHoldFd = slaveHoldFd;
    this.wakeReadFd = wakeReadFd;
    this.wakeWriteFd = wakeWriteFd;
    this.slavePath = slavePath;
    this.link = link;
    this.endpoint = "pty:" + (link != null ? link + " -> " + slavePath : slavePath);
  }

  /** Creates a raw pseudo-terminal pair; clients open {@link #slavePath()}. The caller closes it. */
  public static PseudoTerminal open() throws IOException {
    return open(null);
  }

  /**
   * Creates a raw pseudo-terminal pair and, if {@code link} is not null, a symlink there pointing to
   * the slave (e.g. {@code /tmp/rramctl-board}), removed again by {@link #close()}. A dangling symlink
   * left by a crashed run is replaced; a link to an existing file, or any other file, is refused.
   */
  public static PseudoTerminal open(Path link) throws IOException {
    if (LibC.UNSUPPORTED != null) throw new LinkLostException("pty", "cannot create pseudo-terminals: " + LibC.UNSUPPORTED);
    int master = LibC.posix_openpt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
    if (master < 0) throw nativeFailure("pty", "posix_openpt", Native.getLastError());
    int slaveHold = -1;
    int[] wake = {-1, -1};
    try {
      if (LibC.grantpt(master) != 0) throw nativeFailure("pty", "grantpt", Native.getLastError());
      if (LibC.unlockpt(master) != 0) throw nativeFailure("pty", "unlockpt", Native.getLastError());
      byte[] name = new byte[128];
      int err = LibC.ptsname_r(master, name, name.length);
      if (err != 0) throw nativeFailure("pty", "ptsname_r", err);
      String slave = cString(name);
      slaveHold = LibC.open(slave, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
      if (slaveHold < 0) throw nativeFailure(slave, "open slave", Native.getLastError());
      makeRaw(slaveHold, slave);
      makeRaw(master, slave);
      int flags = LibC.fcntl(master, LibC.F_GETFL, 0);
      if (flags < 0 || LibC.fcntl(master, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
        throw nativeFailure(slave, "fcntl O_NONBLOCK", Native.getLastError());
      }
      if (LibC.pipe2(wake, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0) throw nativeFailure(slave, "pipe2", Native.getLastError());
      Path created = link == null ? null : createLink(link, slave);
      return new PseudoTerminal(master, slaveHold, wake[0], wake[1], slave, created);
    } catch (IOException | RuntimeException e) {
      for (int fd : new int[] {wake[0], wake[1], slaveHold, master}) if (fd >= 0) LibC.close(fd);
      throw e;
    }
  }

  /** The slave device, e.g. {@code /dev/pts/4}. */
  public String slavePath() {
    return slavePath;
  }

  /** The symlink created by {@link #open(Path)}, if any. */
  public Optional<Path> link() {
    return Optional.ofNullable(link);
  }

  /** The path to give clients: the symlink if there is one, else the slave device. */
  public String path() {
    return link != null ? link.toString() : slavePath;
  }

  /** Names the pty for messages: {@code pty:LINK -> SLAVE} or {@code pty:SLAVE}. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Reads from the master what clients wrote to the slave: waits up to {@code timeout} for the first
   * byte and returns how many were read, or 0 on timeout. Reader thread only.
   *
   * @throws TransportClosedException if this terminal is or becomes closed
   */
  public int read(byte[] buffer, int offset, int len, Duration timeout) throws IOException {
    if (offset < 0 || len < 0 || len > buffer.length - offset) {
      throw new IndexOutOfBoundsException("offset: " + offset + ", len: " + len + " (expected: within an array of " + buffer.length + ")");
    }
    if (timeout == null || timeout.isNegative()) throw new IllegalArgumentException("timeout: " + timeout + " (expected: zero or positive)");
    enter();
    try {
      if (len == 0) return 0;
      long deadline = System.nanoTime() + Math.min(nanos(timeout), Long.MAX_VALUE / 4);
      while (true) {
        long n = LibC.read(masterFd, readBuffer, Math.min(len, CHUNK));
        if (n > 0) {
          readBuffer.read(0, buffer, offset, (int) n);
          return (int) n;
        }
        int errno = Native.getLastError();
        if (n == 0 || errno == LibC.EIO) throw new LinkLostException(endpoint, "master read " + (n == 0 ? "returned 0" : "failed with EIO"));
        if (errno != LibC.EAGAIN && errno != LibC.EINTR) throw nativeFailure(endpoint, "read", errno);
        long left = deadline - System.nanoTime();
        if (left <= 0) return 0;
        awaitReady(readPoll, LibC.POLLIN, left);
      }
    } finally {
      leave();
    }
  }

  /**
   * Writes all bytes to the master, for clients to read from the slave; blocks while the slave's
   * input queue is full (a client not reading). Writer thread only.
   *
   * @throws TransportClosedException if this terminal is or becomes closed
   */
  public void write(byte[] bytes, int offset, int len) throws IOException {
    if (offset < 0 || len < 0 || len > bytes.length - offset) {
      throw new IndexOutOfBoundsException("offset: " + offset + ", len: " + len + " (expected: within an array of " + bytes.length + ")");
    }
    enter();
    try {
      while (len > 0) {
        int chunk = Math.min(len, CHUNK);
        writeBuffer.write(0, bytes, offset, chunk);
        long n = LibC.write(masterFd, writeBuffer, chunk);
        if (n > 0) {
          offset += (int) n;
          len -= (int) n;
          continue;
        }
        int errno = Native.getLastError();
        if (n < 0 && errno == LibC.EIO) throw new LinkLostException(endpoint, "master write failed with EIO");
        if (n < 0 && errno != LibC.EAGAIN && errno != LibC.EINTR) throw nativeFailure(endpoint, "write", errno);
        awaitReady(writePoll, LibC.POLLOUT, Long.MAX_VALUE / 4);
      }
    } finally {
      leave();
    }
  }

  /** Discards what clients wrote and the server has not read yet. Reader thread only. */
  public void purgeInput() throws IOException {
    byte[] scratch = new byte[CHUNK];
    while (read(scratch, 0, scratch.length, Duration.ZERO) > 0) {
      // keep draining
    }
  }

  /** Whether {@link #close()} has not been called. */
  public boolean isOpen() {
    return !closed;
  }

  /**
   * Closes the pair and removes the symlink if it still points to this slave; idempotent, any thread.
   * Clients then read end-of-file / EIO on the slave, which jSerialComm reports as a failed read.
   */
  @Override
  public void close() {
    stateLock.lock();
    try {
      if (closed) return;
      closed = true;
      // One byte that nobody drains: every later poll on the wake pipe returns at once.
      try (Memory one = new Memory(1)) {
        one.setByte(0, (byte) 1);
        LibC.write(wakeWriteFd, one, 1);
      }
      if (inFlight == 0) release();
    } finally {
      stateLock.unlock();
    }
    if (link != null) {
      try {
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).toString().equals(slavePath)) Files.delete(link);
      } catch (IOException ignored) {
        // A link we cannot remove is left dangling; the next open(link) replaces it.
      }
    }
  }

  @Override
  public String toString() {
    return "PseudoTerminal[" + endpoint + (closed ? ", closed" : "") + "]";
  }

  /** Waits in poll(2) for {@code events} on the master or for the wake-up pipe. */
  private void awaitReady(Memory pollfds, short events, long nanos) throws IOException {
    pollfds.setInt(0, masterFd);
    pollfds.setShort(4, events);
    pollfds.setShort(6, (short) 0);
    pollfds.setInt(8, wakeReadFd);
    pollfds.setShort(12, LibC.POLLIN);
    pollfds.setShort(14, (short) 0);
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (nanos + 999_999) / 1_000_000));
    int r = LibC.poll(pollfds, 2, millis);
    if (r < 0) {
      int errno = Native.getLastError();
      if (errno != LibC.EINTR) throw nativeFailure(endpoint, "poll", errno);
    }
    if (closed || (pollfds.getShort(14) & LibC.POLLIN) != 0) throw new TransportClosedException(endpoint);
    if ((pollfds.getShort(6) & LibC.POLLNVAL) != 0) throw nativeFailure(endpoint, "poll (POLLNVAL on the master)", -1);
  }

  private void enter() throws TransportClosedException {
    stateLock.lock();
    try {
      if (closed) throw new TransportClosedException(endpoint);
      inFlight++;
    } finally {
      stateLock.unlock();
    }
  }

  private void leave() {
    stateLock.lock();
    try {
      inFlight--;
      if (closed && inFlight == 0) release();
    } finally {
      stateLock.unlock();
    }
  }

  /** Closes the descriptors once; stateLock held. */
  private void release() {
    if (released) return;
    released = true;
    LibC.close(masterFd);
    LibC.close(slaveHoldFd);
    LibC.close(wakeReadFd);
    LibC.close(wakeWriteFd);
  }

  private static void makeRaw(int fd, String slave) throws IOException {
    try (Memory termios = new Memory(LibC.TERMIOS_BYTES)) {
      termios.clear();
      if (LibC.tcgetattr(fd, termios) != 0) throw nativeFailure(slave, "tcgetattr", Native.getLastError());
      LibC.cfmakeraw(termios);
      if (LibC.tcsetattr(fd, LibC.TCSANOW, termios) != 0) throw nativeFailure(slave, "tcsetattr", Native.getLastError());
    }
  }

  private static Path createLink(Path link, String slave) throws IOException {
    if (Files.isSymbolicLink(link)) {
      Path target = Files.readSymbolicLink(link);
      if (Files.exists(link)) {
        throw new LinkLostException(slave, "link: " + link + " already points to " + target
            + ", which exists (expected: a free path or a dangling link; is another virtual board running?)");
      }
      Files.delete(link); // dangling: left by a run that did not close
    } else if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      throw new LinkLostException(slave, "link: " + link + " exists and is not a symlink (expected: a free path)");
    }
    return Files.createSymbolicLink(link, Paths.get(slave));
  }

  private static String cString(byte[] bytes) {
    int n = 0;
    while (n < bytes.length && bytes[n] != 0) n++;
    return new String(bytes, 0, n, StandardCharsets.US_ASCII);
  }

  private static long nanos(Duration d) {
    return d.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : d.toNanos();
  }

  private static LinkLostException nativeFailure(String endpoint, String call, int errno) {
    String text = errno > 0 ? LibC.strerror(errno) : "no errno";
    return new LinkLostException(endpoint, call + " failed: errno " + errno + " (" + text + ")");
  }
}
