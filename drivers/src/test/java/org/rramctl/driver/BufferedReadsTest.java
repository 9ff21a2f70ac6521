package org.rramctl.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.CALLS_REAL_METHODS;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Test;

/** The buffered vector reads' default implementations: the allocating read's result, copied; bad buffers refused. */
class BufferedReadsTest {
  private static final Tile TILE = new Tile(0, 0, 0, 3, 2);

  @Test
  void theDefaultsCopyTheAllocatingReadsAndLeaveTheRestOfTheBuffer() throws Exception {
    CrossbarDriver d = mock(CrossbarDriver.class, CALLS_REAL_METHODS);
    doReturn(new double[] {1.5, -2.5}).when(d).forwardRead(any(Tile.class), any(ReadMode.class), any(double[].class));
    doReturn(new double[] {7, 8, 9}).when(d).transposeRead(any(Tile.class), any(ReadMode.class), any(double[].class));
    double[] cols = {0, 0, 42};
    d.forwardRead(TILE, ReadMode.DIFFERENTIAL, new double[3], cols);
    assertArrayEquals(new double[] {1.5, -2.5, 42}, cols);
    double[] rows = new double[3];
    d.transposeRead(TILE, ReadMode.DIFFERENTIAL, new double[2], rows);
    assertArrayEquals(new double[] {7, 8, 9}, rows);
  }

  @Test
  void aShortOrMissingBufferIsRefusedNamingWhatIsNeeded() throws Exception {
    CrossbarDriver d = mock(CrossbarDriver.class, CALLS_REAL_METHODS);
    doReturn(new double[] {1.5, -2.5}).when(d).forwardRead(any(Tile.class), any(ReadMode.class), any(double[].class));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.forwardRead(TILE, ReadMode.ACTIVE, new double[3], new double[1]));
    assertEquals("currentsOut: 1 entries (expected: at least 2)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> d.forwardRead(TILE, ReadMode.ACTIVE, new double[3], null));
    assertTrue(e.getMessage().startsWith("currentsOut: null"), e.getMessage());
  }
}
