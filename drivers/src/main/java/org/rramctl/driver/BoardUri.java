package org.rramctl.driver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A board URI: {@code scheme:path?key=value&...}, e.g. {@code sim:rram-imbalanced?arrays=3&rows=256&cols=785&seed=7},
 * {@code serial:/dev/ttyACM0?baud=115200}, {@code tcp://host:port}, {@code zmq+tcp://host:5555}.
 */
public record BoardUri(String text, String scheme, String path, Map<String, String> params) {
  public BoardUri {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public static BoardUri parse(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("board: '' (expected: a board URI such as sim: or serial:/dev/ttyACM0)");
    String t = text.trim();
    int colon = t.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("board: '" + text + "' (expected: SCHEME:..., e.g. sim:, sim:rram-imbalanced?rows=32&cols=32, serial:/dev/ttyACM0)");
    }
    String scheme = t.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
    String rest = t.substring(colon + 1);
    Map<String, String> params = new LinkedHashMap<>();
    int q = rest.indexOf('?');
    String path = q < 0 ? rest : rest.substring(0, q);
    if (q >= 0) {
      for (String kv : rest.substring(q + 1).split("&")) {
        if (kv.isEmpty()) continue;
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("board: '" + text + "': parameter '" + kv + "' (expected: key=value)");
        String key = decode(kv.substring(0, eq));
        if (params.put(key, decode(kv.substring(eq + 1))) != null) {
          throw new IllegalArgumentException("board: '" + text + "': parameter '" + key + "' given twice (expected: each parameter once)");
        }
      }
    }
    return new BoardUri(t, scheme, path, params);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  public String param(String key, String fallback) {
    return params.getOrDefault(key, fallback);
  }

  public int intParam(String key, int fallback, int min, int max) {
    String v = params.get(key);
    if (v == null) return fallback;
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("board: '" + text + "': " + key + "=" + v + " (expected: an integer " + min + ".." + max + ")");
    }
  }

  public long longParam(String key, long fallback) {
    String v = params.get(key);
    if (v == null) return fallback;
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("board: '" + text + "': " + key + "=" + v + " (expected: an integer)");
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
