package org.rramctl.sim.arc1;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A text form of ArC ONE exchanges, one block per command: a comment line naming it, a {@code >} line with
 * the hex of the bytes the host wrote, a {@code <} line with the hex of what the board answered (empty when
 * it answers nothing). Blank lines and other {@code #} lines are free text. Used for the libarc1 cross-check's
 * recordings (simulator test resources) and by {@code rramctl virtual-arc1 --transcript}.
 */
public final class Transcript {
  private Transcript() {}

  /** One exchange as text. */
  public static String format(VirtualArc1.Exchange x) {
    HexFormat hex = HexFormat.ofDelimiter(" ");
    return "# " + x.code() + "\n> " + hex.formatHex(x.received()) + "\n< " + hex.formatHex(x.answered()) + "\n";
  }

  /** Parses the text form back: exchanges in order (the code is the comment just before the {@code >} line). */
  public static List<VirtualArc1.Exchange> parse(String text) {
    List<VirtualArc1.Exchange> out = new ArrayList<>();
    HexFormat hex = HexFormat.ofDelimiter(" ");
    String code = "";
    byte[] in = null;
    int n = 0;
    for (String raw : text.split("\n", -1)) {
      n++;
      String line = raw.strip();
      if (line.startsWith("# ")) {
        code = line.substring(2).strip();
      } else if (line.startsWith(">")) {
        in = hex.parseHex(line.substring(1).strip());
      } else if (line.startsWith("<")) {
        if (in == null) throw new IllegalArgumentException("transcript line " + n + ": '<' without a '>' before it");
        out.add(new VirtualArc1.Exchange(code, in, hex.parseHex(line.substring(1).strip())));
        in = null;
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        throw new IllegalArgumentException("transcript line " + n + ": '" + line + "' (expected: '# ...', '> HEX' or '< HEX')");
      }
    }
    return out;
  }
}
