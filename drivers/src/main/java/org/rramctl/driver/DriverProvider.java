package org.rramctl.driver;

import java.io.IOException;
import java.util.List;

/**
 * Opens drivers for some URI schemes. Implementations are found with {@link java.util.ServiceLoader}
 * (META-INF/services/org.rramctl.driver.DriverProvider), so the drivers module need not know the simulator.
 */
public interface DriverProvider {
  /** Schemes this provider opens, lower case, without the colon (e.g. "sim"). */
  List<String> schemes();

  /** A one-line description of the URI form, for help and error messages. */
  String usage();

  /** Opens the board the URI names. Bad URIs throw IllegalArgumentException naming the part at fault. */
  CrossbarDriver open(BoardUri uri) throws IOException;
}
