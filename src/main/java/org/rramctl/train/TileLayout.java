package org.rramctl.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.Tile;

/**
 * Where each layer of a network lives on a board: every layer's {@code rows x cols} weight block (rows =
 * inputs incl. bias) is cut into blocks no larger than the board's largest usable array and each block is
 * placed on a free rectangle of some array (guillotine first-fit, largest blocks first). A block that fits
 * nowhere is halved along its longer side and the halves placed again; when a 1 x 1 block no longer fits the
 * network is refused with a message naming what it needs and what the board has.
 *
 * <p>A layer split over several blocks is read by summing the partial column currents of blocks that share
 * columns (row split) and concatenating blocks that share rows (column split); the host does the sum.
 */
public final class TileLayout {
  /**
   * One block of a layer: rows {@code rowOffset .. rowOffset + tile.rows()} and columns
   * {@code colOffset .. colOffset + tile.cols()} of the layer's weight block, held by {@code tile}.
   */
  public record Block(int layer, int rowOffset, int colOffset, Tile tile) {}

  private final List<List<Block>> layers;

  private TileLayout(List<List<Block>> layers) {
    this.layers = layers;
  }

  /** The blocks of layer {@code k} (0-based), in row-major order of their offsets. */
  public List<Block> blocks(int k) {
    return layers.get(k);
  }

  public int layerCount() {
    return layers.size();
  }

  /** Total tiles over all layers. */
  public int tileCount() {
    int n = 0;
    for (List<Block> l : layers) n += l.size();
    return n;
  }

  /**
   * Plans a network on a board.
   *
   * @param sizes layer widths, input to output (each layer needs (sizes[k] + 1) x sizes[k+1] devices)
   * @param needReference true when the weights are read against reference arrays (only arrays that have
   *     them are used)
   * @throws IllegalArgumentException when the network does not fit, naming the need and the board's arrays
   */
  public static TileLayout plan(BoardInfo info, int[] sizes, boolean needReference) {
    Network.checkSizes(sizes);
    int[][] shapes = new int[sizes.length - 1][];
    for (int k = 0; k < shapes.length; k++) shapes[k] = new int[] {sizes[k] + 1, sizes[k + 1]};
    return plan(info, shapes, needReference, "layer", why -> refusal(info, sizes, needReference, why));
  }

  /**
   * Plans weight blocks of any shapes (rows x cols each); {@link #blocks(int)} then answers per shape, in the
   * order given. Tiki-Taka plans two blocks per layer this way (its A and C arrays).
   *
   * @param what names the blocks in a refusal, e.g. "Tiki-Taka 784-256-128-10 (arrays A and C per layer)"
   * @throws IllegalArgumentException when the blocks do not fit, naming the need and the board's arrays
   */
  public static TileLayout planShapes(BoardInfo info, int[][] shapes, boolean needReference, String what) {
    return plan(info, shapes, needReference, "block", why -> refusal(info, shapes, what, needReference, why));
  }

  private static TileLayout plan(BoardInfo info, int[][] shapes, boolean needReference, String noun, java.util.function.Function<String, IllegalArgumentException> refuse) {
    List<Free> free = new ArrayList<>();
    int maxRows = 0;
    int maxCols = 0;
    for (ArrayGeometry g : info.arrays()) {
      if (needReference && !g.hasReference()) continue;
      free.add(new Free(g.index(), 0, 0, g.rows(), g.cols()));
      maxRows = Math.max(maxRows, g.rows());
      maxCols = Math.max(maxCols, g.cols());
    }
    if (free.isEmpty()) throw refuse.apply("no usable array");
    long need = 0;
    long have = 0;
    for (int[] sh : shapes) need += (long) sh[0] * sh[1];
    for (Free f : free) have += (long) f.rows * f.cols;
    if (need > have) throw refuse.apply("too few devices");
    PriorityQueue<Pending> pending = new PriorityQueue<>(Comparator.comparingLong((Pending p) -> (long) p.rows * p.cols).reversed()
        .thenComparingInt(p -> p.layer).thenComparingInt(p -> p.row).thenComparingInt(p -> p.col));
    for (int k = 0; k < shapes.length; k++) {
      int rows = shapes[k][0];
      int cols = shapes[k][1];
      for (int r = 0; r < rows; r += maxRows) {
        for (int c = 0; c < cols; c += maxCols) {
          pending.add(new Pending(k, r, c, Math.min(maxRows, rows - r), Math.min(maxCols, cols - c)));
        }
      }
    }
    List<List<Block>> placed = new ArrayList<>();
    for (int k = 0; k < shapes.length; k++) placed.add(new ArrayList<>());
    while (!pending.isEmpty()) {
      Pending p = pending.poll();
      Free spot = bestFit(free, p.rows, p.cols);
      if (spot == null) {
        if (p.rows == 1 && p.cols == 1) {
          throw refuse.apply("ran out of devices while placing " + noun + " " + (p.layer + 1));
        }
        if (p.rows >= p.cols) {
          int h = p.rows / 2;
          pending.add(new Pending(p.layer, p.row, p.col, h, p.cols));
          pending.add(new Pending(p.layer, p.row + h, p.col, p.rows - h, p.cols));
        } else {
          int h = p.cols / 2;
          pending.add(new Pending(p.layer, p.row, p.col, p.rows, h));
          pending.add(new Pending(p.layer, p.row, p.col + h, p.rows, p.cols - h));
        }
        continue;
      }
      free.remove(spot);
      placed.get(p.layer).add(new Block(p.layer, p.row, p.col, new Tile(spot.array, spot.row0, spot.col0, p.rows, p.cols)));
      // guillotine split of the rest of the free rectangle: split along the longer leftover
      int restRows = spot.rows - p.rows;
      int restCols = spot.cols - p.cols;
      if (restCols > restRows) {
        addIf(free, new Free(spot.array, spot.row0, spot.col0 + p.cols, spot.rows, restCols));
        addIf(free, new Free(spot.array, spot.row0 + p.rows, spot.col0, restRows, p.cols));
      } else {
        addIf(free, new Free(spot.array, spot.row0 + p.rows, spot.col0, restRows, spot.cols));
        addIf(free, new Free(spot.array, spot.row0, spot.col0 + p.cols, p.rows, restCols));
      }
    }
    List<List<Block>> out = new ArrayList<>();
    for (List<Block> l : placed) {
      l.sort(Comparator.comparingInt(Block::rowOffset).thenComparingInt(Block::colOffset));
      out.add(List.copyOf(l));
    }
    return new TileLayout(List.copyOf(out));
  }

  private record Pending(int layer, int row, int col, int rows, int cols) {}

  private record Free(int array, int row0, int col0, int rows, int cols) {}

  private static void addIf(List<Free> free, Free f) {
    if (f.rows > 0 && f.cols > 0) free.add(f);
  }

  /** The free rectangle that leaves the shortest leftover side (best short side fit). */
  private static Free bestFit(List<Free> free, int rows, int cols) {
    Free best = null;
    int bestScore = Integer.MAX_VALUE;
    for (Free f : free) {
      if (f.rows < rows || f.cols < cols) continue;
      int score = Math.min(f.rows - rows, f.cols - cols);
      if (score < bestScore) {
        best = f;
        bestScore = score;
      }
    }
    return best;
  }

  private static IllegalArgumentException refusal(BoardInfo info, int[][] shapes, String what, boolean needReference, String why) {
    long need = 0;
    StringBuilder blocks = new StringBuilder();
    for (int k = 0; k < shapes.length; k++) {
      need += (long) shapes[k][0] * shapes[k][1];
      blocks.append(k == 0 ? "" : ", ").append(shapes[k][0]).append(" x ").append(shapes[k][1]);
    }
    StringBuilder arrays = new StringBuilder();
    for (ArrayGeometry g : info.arrays()) {
      arrays.append(arrays.length() == 0 ? "" : ", ").append(g.rows()).append(" x ").append(g.cols()).append(g.hasReference() ? " (with reference)" : " (no reference)");
    }
    return new IllegalArgumentException(what + ": needs " + need + " devices in blocks " + blocks + (needReference ? " in arrays with reference arrays" : "")
        + "; board " + info.boardId() + " has " + info.arrays().size() + " array(s): " + arrays + "; " + why
        + " (expected: a board with room for every block, e.g. one array per block of exactly its size)");
  }

  private static IllegalArgumentException refusal(BoardInfo info, int[] sizes, boolean needReference, String why) {
    long need = 0;
    StringBuilder layers = new StringBuilder();
    for (int k = 0; k < sizes.length - 1; k++) {
      long n = (long) (sizes[k] + 1) * sizes[k + 1];
      need += n;
      layers.append(k == 0 ? "" : ", ").append("layer ").append(k + 1).append(": ").append(sizes[k] + 1).append(" x ").append(sizes[k + 1]);
    }
    long have = 0;
    StringBuilder arrays = new StringBuilder();
    int usable = 0;
    for (ArrayGeometry g : info.arrays()) {
      arrays.append(arrays.length() == 0 ? "" : ", ").append(g.rows()).append(" x ").append(g.cols()).append(g.hasReference() ? " (with reference)" : " (no reference)");
      if (!needReference || g.hasReference()) {
        have += g.devices();
        usable++;
      }
    }
    return new IllegalArgumentException("network " + Network.format(sizes) + ": needs " + need + " devices (" + layers + ")"
        + (needReference ? " in arrays with reference arrays" : "") + "; board " + info.boardId() + " has " + info.arrays().size()
        + " array(s): " + arrays + ", of which " + usable + " usable with " + have + " devices; " + why
        + " (expected: a smaller network, e.g. downsampled inputs, or a larger board)");
  }
}
