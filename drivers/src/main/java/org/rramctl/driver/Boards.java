package org.rramctl.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens a driver from a board URI, always behind a {@link SafetyEnvelope}; a {@code references=cols+N} or
 * {@code references=rows+N} parameter on any URI maps the reference plane onto the same array
 * ({@link ReferenceLayout}).
 */
public final class Boards {
  private Boards() {}

  /** All providers on the class path. */
  public static List<DriverProvider> providers() {
    List<DriverProvider> out = new ArrayList<>();
    ServiceLoader.load(DriverProvider.class).forEach(out::add);
    // A stable order, so that error messages and help text do not depend on the class path.
    out.sort(java.util.Comparator.comparing(p -> p.schemes().get(0)));
    return out;
  }

  /**
   * Opens a board.
   *
   * @param uri the board URI
   * @param envelope the host envelope, or null for the board's default ({@link CrossbarDriver#defaultEnvelope()}: its
   *     hardware limits, or a conservative envelope for a source-measure unit)
   * @throws IllegalArgumentException for an unknown scheme (listing the known ones), a malformed URI, or an
   *     envelope wider than the board allows (the driver is closed again)
   */
  public static EnvelopedDriver open(String uri, SafetyEnvelope envelope) throws IOException {
    BoardUri u = BoardUri.parse(uri);
    // references=... is the same for every board (ReferenceLayout): taken off before the provider sees the URI.
    ReferenceLayout layout = null;
    if (u.params().containsKey(ReferenceLayout.PARAMETER)) {
      try {
        layout = ReferenceLayout.parse(u.params().get(ReferenceLayout.PARAMETER));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("board: '" + uri + "': " + e.getMessage());
      }
      java.util.Map<String, String> rest = new java.util.LinkedHashMap<>(u.params());
      rest.remove(ReferenceLayout.PARAMETER);
      u = new BoardUri(u.text(), u.scheme(), u.path(), rest);
    }
    List<DriverProvider> all = providers();
    for (DriverProvider p : all) {
      if (p.schemes().contains(u.scheme())) {
        CrossbarDriver d = p.open(u);
        try {
          SafetyEnvelope fallback = d.defaultEnvelope(); // the instrument's own (an SMU's is conservative), not a wrapper's
          if (layout != null) d = layout.apply(d);
          return new EnvelopedDriver(d, envelope == null ? fallback : envelope);
        } catch (RuntimeException e) {
          d.close();
          throw e;
        }
      }
    }
    StringBuilder known = new StringBuilder();
    for (DriverProvider p : all) known.append(known.length() == 0 ? "" : "; ").append(p.usage());
    throw new IllegalArgumentException("board: '" + uri + "': unknown scheme '" + u.scheme() + ":' (expected: " + (known.length() == 0 ? "no drivers on the class path" : known) + ")");
  }
}
