package org.rramctl.sim.board;

import java.nio.charset.StandardCharsets;
import org.rramctl.protocol.ErrorCode;
import org.rramctl.protocol.Response;

/** ERROR responses as the board sends them: the detail cut to the 255 bytes of UTF-8 the wire allows. */
final class ErrorResponses {
  private ErrorResponses() {}

  static Response.Error of(ErrorCode code, int opcode, String detail) {
    byte[] utf8 = detail.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 255) detail = new String(utf8, 0, 255, StandardCharsets.UTF_8).replace("\uFFFD", "");
    while (detail.getBytes(StandardCharsets.UTF_8).length > 255) detail = detail.substring(0, detail.length() - 1);
    return new Response.Error(code, opcode, detail);
  }
}
