package org.rramctl.sim.pty;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls a pseudo-terminal needs, bound with JNA direct mapping (cheaper per call than
 * interface mapping, which matters on the echo path of latency benchmarks). LP64 Linux only: size_t
 * and nfds_t are Java {@code long}s. On failure a call returns -1 and {@link Native#getLastError()}
 * holds errno.
 */
final class LibC {
  static final int O_RDWR = 02;
  static final int O_NOCTTY = 0400;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;
  static final int F_GETFL = 3;
  static final int F_SETFL = 4;
  static final short POLLIN = 0x001;
  static final short POLLOUT = 0x004;
  static final short POLLERR = 0x008;
  static final short POLLHUP = 0x010;
  static final short POLLNVAL = 0x020;
  static final int TCSANOW = 0;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int EAGAIN = 11;
  /** sizeof(struct termios) is 60 on glibc x86_64 and aarch64; the buffer is larger to be safe. */
  static final int TERMIOS_BYTES = 256;

  static final String UNSUPPORTED;

  static {
    String arch = Platform.ARCH; // "x86-64", "aarch64", ...
    boolean supported = Platform.isLinux() && Platform.is64Bit() && ("x86-64".equals(arch) || "aarch64".equals(arch));
    UNSUPPORTED = supported ? null
        : "platform: " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + " (expected: Linux x86_64)";
    if (supported) Native.register("c");
  }

  private LibC() {}

  static native int posix_openpt(int flags);

  static native int grantpt(int fd);

  static native int unlockpt(int fd);

  /** Returns 0 or an errno value (not -1). */
  static native int ptsname_r(int fd, byte[] buf, long buflen);

  /** Variadic in C; called with the mode argument as a plain int, which LP64 ABIs accept. */
  static native int open(String path, int flags, int mode);

  static native int close(int fd);

  static native long read(int fd, Pointer buf, long count);

  static native long write(int fd, Pointer buf, long count);

  static native int poll(Pointer fds, long nfds, int timeoutMillis);

  /** Variadic in C; the int third argument is passed as a plain int, which LP64 ABIs accept. */
  static native int fcntl(int fd, int cmd, int arg);

  static native int pipe2(int[] fds, int flags);

  static native int tcgetattr(int fd, Pointer termios);

  static native int tcsetattr(int fd, int optionalActions, Pointer termios);

  static native void cfmakeraw(Pointer termios);

  static native String strerror(int errnum);
}
