package org.rramctl.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal writer's file handling: lines as written, truncation at its edges, reopening, closing. */
class JournalWriterTest {
  @TempDir Path tmp;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private String content(Path f) throws IOException {
    return Files.readString(f, StandardCharsets.US_ASCII);
  }

  @Test
  void eachLineEndsInANewlineAndReopeningAppendsAfterWhatIsThere() throws IOException {
    Path f = tmp.resolve("journal.jsonl");
    try (JournalWriter w = JournalWriter.create(f, Durability.FORCE)) {
      assertSame(f, w.file());
      assertSame(Durability.FORCE, w.durability());
      w.append(ascii("{\"a\":1}"));
      w.append(ascii("{\"b\":2}"));
    }
    assertThrows(FileAlreadyExistsException.class, () -> JournalWriter.create(f, Durability.FLUSH));
    try (JournalWriter w = JournalWriter.reopen(f, Durability.FLUSH, -1)) {
      assertSame(Durability.FLUSH, w.durability());
      w.append(ascii("{\"c\":3}"));
    }
    assertEquals("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", content(f));
  }

  @Test
  void reopeningCutsATornTailAtTheGivenLengthAndZeroEmptiesTheFile() throws IOException {
    Path f = tmp.resolve("journal.jsonl");
    Files.writeString(f, "{\"a\":1}\n{\"b\":", StandardCharsets.US_ASCII); // a torn second line
    try (JournalWriter w = JournalWriter.reopen(f, Durability.FLUSH, 8)) {
      w.append(ascii("{\"b\":2}"));
    }
    assertEquals("{\"a\":1}\n{\"b\":2}\n", content(f));
    try (JournalWriter w = JournalWriter.reopen(f, Durability.FLUSH, 0)) {
      w.append(ascii("{}"));
    }
    assertEquals("{}\n", content(f), "truncateTo 0 is a length like any other");
  }

  @Test
  void truncateOnlyEverShortensTheFile() throws IOException {
    Path f = tmp.resolve("journal.jsonl");
    try (JournalWriter w = JournalWriter.create(f, Durability.FLUSH)) {
      w.append(ascii("12345"));
      w.truncate(100);
      w.truncate(-1);
      assertEquals("12345\n", content(f));
      w.truncate(3);
      w.append(ascii("x"));
      assertEquals("123x\n", content(f), "the next line starts where the cut ended");
      w.truncate(0);
      assertEquals("", content(f));
      w.append(ascii("y"));
    }
    assertEquals("y\n", content(f));
  }

  @Test
  void closeIsIdempotentAndNothingIsWrittenAfterIt() throws IOException {
    Path f = tmp.resolve("journal.jsonl");
    JournalWriter w = JournalWriter.create(f, Durability.FORCE);
    w.append(ascii("{}"));
    w.close();
    w.close();
    assertThrows(ClosedChannelException.class, () -> w.append(ascii("{\"late\":1}")));
    assertEquals("{}\n", content(f));
  }
}
