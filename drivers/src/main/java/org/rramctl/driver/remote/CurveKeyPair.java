package org.rramctl.driver.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.zeromq.ZMQ;

/**
 * A CURVE key pair as Z85 text (40 characters each), the form ZeroMQ tools exchange. Files:
 * {@code NAME.public} holds the public key, {@code NAME.secret} the secret key (mode 600 where the file
 * system allows), each on one line. An allow-list file holds one public key per line; text after the key
 * (a name) and lines starting with '#' are ignored.
 */
public record CurveKeyPair(String publicKey, String secretKey) {
  private static final Pattern Z85 = Pattern.compile("[0-9a-zA-Z.\\-:+=^!/*?&<>()\\[\\]{}@%$#]{40}");

  public CurveKeyPair {
    checkKey("publicKey", publicKey);
    checkKey("secretKey", secretKey);
  }

  /** @throws IllegalArgumentException unless {@code key} is 40 Z85 characters */
  public static String checkKey(String name, String key) {
    if (key == null || !Z85.matcher(key).matches()) {
      throw new IllegalArgumentException(name + ": '" + (key == null ? "null" : key.length() > 60 ? key.substring(0, 60) + "..." : key)
          + "' (expected: a 40-character Z85 CURVE key, as written by 'rramctl keys generate')");
    }
    return key;
  }

  /** A fresh random key pair. */
  public static CurveKeyPair generate() {
    ZMQ.Curve.KeyPair kp = ZMQ.Curve.generateKeyPair();
    return new CurveKeyPair(kp.publicKey, kp.secretKey);
  }

  /**
   * Writes {@code dir/name.public} and {@code dir/name.secret}, refusing to overwrite either.
   *
   * @throws FileAlreadyExistsException when a key file is already there
   */
  public void write(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path pub = dir.resolve(name + ".public");
    Path sec = dir.resolve(name + ".secret");
    if (Files.exists(pub)) throw new FileAlreadyExistsException(pub.toString(), null, "key file exists; not overwritten");
    if (Files.exists(sec)) throw new FileAlreadyExistsException(sec.toString(), null, "key file exists; not overwritten");
    Files.writeString(sec, secretKey + "\n", StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(sec, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's permissions are all we have.
    }
    Files.writeString(pub, publicKey + "\n", StandardCharsets.US_ASCII);
  }

  /** Reads {@code dir/name.public} and {@code dir/name.secret}. Errors name the file. */
  public static CurveKeyPair read(Path dir, String name) throws IOException {
    return new CurveKeyPair(readKey(dir.resolve(name + ".public")), readKey(dir.resolve(name + ".secret")));
  }

  /** Reads one key file (first non-comment token). */
  public static String readKey(Path file) throws IOException {
    List<String> keys = keysIn(file);
    if (keys.size() != 1) throw new IllegalArgumentException(file + ": " + keys.size() + " keys (expected: exactly one Z85 key)");
    return keys.get(0);
  }

  /** Reads an allow-list: the public keys of the clients a server admits. */
  public static Set<String> readAllowList(Path file) throws IOException {
    List<String> keys = keysIn(file);
    if (keys.isEmpty()) throw new IllegalArgumentException(file + ": no keys (expected: one client public key per line)");
    return new LinkedHashSet<>(keys);
  }

  private static List<String> keysIn(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read key file (" + e.getClass().getSimpleName() + ")", e);
    }
    List<String> keys = new java.util.ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String t = lines.get(n).strip();
      if (t.isEmpty() || t.startsWith("#")) continue;
      String key = t.split("\\s+", 2)[0];
      try {
        keys.add(checkKey(file + " line " + (n + 1), key));
      } catch (IllegalArgumentException e) {
        // Never echo what might be a secret key from the wrong file into a log: name the line only.
        throw new IllegalArgumentException(file + " line " + (n + 1) + ": not a Z85 key (expected: 40 Z85 characters, then optionally a name)");
      }
    }
    return keys;
  }

  @Override
  public String toString() {
    return "CurveKeyPair[public=" + publicKey + ", secret=(hidden)]";
  }

  static byte[] decode(String z85) {
    return ZMQ.Curve.z85Decode(z85);
  }
}
