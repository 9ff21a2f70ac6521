package org.rramctl.dashboard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A request's query parameters, checked against the names a route accepts: an unknown or repeated name, or a value
 * that does not parse, is a {@link HttpError 400} naming the parameter, the value and what is allowed.
 */
final class Query {
  /** Longest query string accepted, characters. */
  static final int MAX_LENGTH = 4096;

  private final Map<String, String> values;

  private Query(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses a raw (still percent-encoded) query string.
   *
   * @param allowed the parameter names the route takes ({@code token} is always allowed: it is the access token)
   */
  static Query parse(String rawQuery, Set<String> allowed) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) return new Query(out);
    if (rawQuery.length() > MAX_LENGTH) throw HttpError.badRequest("query: " + rawQuery.length() + " characters (expected: at most " + MAX_LENGTH + ")");
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (name.equals("token")) continue;
      if (!allowed.contains(name)) {
        throw HttpError.badRequest("parameter '" + clip(name) + "': unknown (allowed: " + (allowed.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(allowed))) + ")");
      }
      if (out.put(name, value) != null) throw HttpError.badRequest("parameter '" + name + "': given twice (expected: once)");
    }
    return new Query(out);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("query: '" + clip(s) + "': malformed percent-encoding");
    }
  }

  /** A value as it may be quoted in a message: at most 60 characters, control characters replaced. */
  static String clip(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    StringBuilder b = new StringBuilder(t.length());
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** An integer parameter in {@code [min, max]}, or {@code fallback} when absent. */
  int integer(String name, int fallback, int min, int max) {
    String v = values.get(name);
    if (v == null) return fallback;
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + ": '" + clip(v) + "' (expected: an integer " + min + ".." + max + ")");
    }
    if (n < min || n > max) throw HttpError.badRequest(name + ": " + n + " (expected: " + min + ".." + max + ")");
    return n;
  }

  /** One of {@code choices} (lower case), or {@code fallback} when absent. */
  String choice(String name, String fallback, String... choices) {
    String v = values.get(name);
    if (v == null) return fallback;
    String lower = v.trim().toLowerCase(Locale.ROOT);
    for (String c : choices) if (c.equals(lower)) return c;
    throw HttpError.badRequest(name + ": '" + clip(v) + "' (expected: " + String.join(", ", choices) + ")");
  }
}
