package org.rramctl.driver.remote;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Another client holds the programming lease; the request was not executed. */
public class BoardHeldException extends IOException {
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
  private final String holder;
  private final Instant until;

  public BoardHeldException(String endpoint, String holder, Instant until) {
    super("board at " + endpoint + " held by " + holder + " until " + HMS.format(until)
        + " at least (its lease is renewed while the holder is connected; try again later)");
    this.holder = holder;
    this.until = until;
  }

  /** The client id of the holder, as the server names it. */
  public String holder() {
    return holder;
  }

  /** When the lease lapses unless the holder renews it. */
  public Instant until() {
    return until;
  }
}
