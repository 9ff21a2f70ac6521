package org.rramctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of output paths before any work starts, so that a record, a training run or a set of plots is never
 * measured first and then lost to a path that cannot be written. Nothing is created here.
 */
public final class OutputPaths {
  private OutputPaths() {}

  /**
   * An output file: not empty, not an existing folder, and its folder an existing folder or one that can be
   * created (its nearest existing ancestor is a writable folder).
   *
   * @throws IllegalArgumentException {@code option: path: what is wrong (expected: ...)}
   */
  public static Path file(String option, Path path) {
    if (path == null || path.toString().isBlank()) throw new IllegalArgumentException(option + ": '' (expected: a file name)");
    Path abs = path.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) throw new IllegalArgumentException(option + ": " + path + " is a folder (expected: a file name)");
    if (Files.exists(abs) && !Files.isWritable(abs)) throw new IllegalArgumentException(option + ": " + path + " is not writable (expected: a file rramctl may replace)");
    creatable(option, path, abs.getParent());
    return path;
  }

  /**
   * An output folder: not empty, an existing folder or one that can be created.
   *
   * @throws IllegalArgumentException {@code option: path: what is wrong (expected: ...)}
   */
  public static Path folder(String option, Path path) {
    if (path == null || path.toString().isBlank()) throw new IllegalArgumentException(option + ": '' (expected: a folder)");
    Path abs = path.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) throw new IllegalArgumentException(option + ": " + path + " is a file (expected: a folder)");
    creatable(option, path, abs);
    return path;
  }

  private static void creatable(String option, Path given, Path dir) {
    Path p = dir;
    while (p != null && !Files.exists(p)) p = p.getParent();
    if (p == null) return;
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException(option + ": " + given + ": " + p + " is a file (expected: a path whose folders are folders)");
    }
    if (!Files.isWritable(p)) throw new IllegalArgumentException(option + ": " + given + ": " + p + " is not writable (expected: a folder rramctl may write in)");
  }
}
