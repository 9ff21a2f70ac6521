package org.rramctl.driver.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** STYLE.md: jSerialComm stays behind {@link SerialPortTransport}; no other source file in the reactor imports it. */
class SerialLibraryConfinementTest {
  @Test
  void onlySerialPortTransportImportsJSerialComm() throws IOException {
    Path reactor = Paths.get("").toAbsolutePath().getParent(); // surefire runs in drivers/
    List<String> importers;
    try (Stream<Path> files = Files.walk(reactor)) {
      importers = files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .filter(SerialLibraryConfinementTest::mentionsJSerialComm)
          .map(p -> reactor.relativize(p).toString())
          .sorted()
          .collect(Collectors.toList());
    }
    assertEquals(List.of("drivers/src/main/java/org/rramctl/driver/transport/SerialPortTransport.java"), importers);
  }

  /** Assembled so that this file does not match itself. */
  private static final String NEEDLE = "import " + "com.fazecast";

  private static boolean mentionsJSerialComm(Path p) {
    try {
      return Files.readString(p).contains(NEEDLE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
