package org.rramctl.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * References on the same chip: for a board whose arrays have no reference plane (an ArC ONE, a source-measure
 * unit behind a switch matrix), the {@link Plane#REFERENCE} plane is mapped onto another region of the same
 * array, so calibration, zero-shifted training and the procedures run unchanged.
 *
 * <p>{@code cols+N}: the devices of columns {@code N .. 2N-1} are the references of columns {@code 0 .. N-1}; each
 * array then offers {@code rows x N} active devices, each with its reference {@code N} columns to its right.
 * {@code rows+N}: the same with rows ({@code N x cols} active devices, references {@code N} rows below). Selected
 * with the board URI parameter {@code references=cols+16}, which {@link Boards#open} applies to any driver.
 */
public record ReferenceLayout(boolean byColumns, int offset) {
  /** The board URI parameter that selects a layout. */
  public static final String PARAMETER = "references";

  public ReferenceLayout {
    if (offset < 1) throw new IllegalArgumentException("references offset: " + offset + " (expected: >= 1)");
  }

  /**
   * Parses {@code cols+N} or {@code rows+N}.
   *
   * @throws IllegalArgumentException naming the text and the form
   */
  public static ReferenceLayout parse(String text) {
    // a board URI's query decodes "+" to a space: both spellings are accepted
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(' ', '+');
    int plus = t.indexOf('+');
    try {
      if (plus < 0) throw new NumberFormatException();
      String axis = t.substring(0, plus).trim();
      int n = Integer.parseInt(t.substring(plus + 1).trim());
      if (n < 1) throw new NumberFormatException();
      if (axis.equals("cols") || axis.equals("columns")) return new ReferenceLayout(true, n);
      if (axis.equals("rows")) return new ReferenceLayout(false, n);
      throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("references=" + text + " (expected: cols+N or rows+N, N >= 1: the references of column (row) c are N columns (rows) further, e.g. cols+16 on a 32-column array)");
    }
  }

  /**
   * Wraps {@code inner} (which the result then owns).
   *
   * @throws IllegalArgumentException when an array already has a reference plane or is too small for the layout
   */
  public CrossbarDriver apply(CrossbarDriver inner) {
    return new Mapped(inner, this);
  }

  @Override
  public String toString() {
    return (byColumns ? "cols+" : "rows+") + offset;
  }

  /** The driver seen through a layout: the wrapped driver's arrays, halved, each with its reference half. */
  public static final class Mapped implements CrossbarDriver {
    private final CrossbarDriver inner;
    private final ReferenceLayout layout;
    private final BoardInfo info;

    Mapped(CrossbarDriver inner, ReferenceLayout layout) {
      this.inner = inner;
      this.layout = layout;
      BoardInfo in = inner.info();
      List<ArrayGeometry> arrays = new ArrayList<>();
      for (ArrayGeometry g : in.arrays()) {
        if (g.hasReference()) {
          throw new IllegalArgumentException("references=" + layout + ": array " + g.index() + " of " + in.boardId() + " has a reference plane already (expected: a board without one)");
        }
        int span = layout.byColumns ? g.cols() : g.rows();
        if (2L * layout.offset > span) {
          throw new IllegalArgumentException("references=" + layout + ": array " + g.index() + " has " + span + (layout.byColumns ? " columns" : " rows")
              + " (expected: at least " + 2 * layout.offset + ", the active and the reference region)");
        }
        arrays.add(new ArrayGeometry(g.index(), layout.byColumns ? g.rows() : layout.offset, layout.byColumns ? layout.offset : g.cols(), true));
      }
      Set<Capability> caps = in.nativeOps().isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(in.nativeOps());
      caps.add(Capability.REFERENCE_ARRAYS);
      // The source-measure role is not mapped onto the reference layout: declared absent, as sourceMeasure() is.
      caps.remove(Capability.SOURCE_MEASURE);
      caps.remove(Capability.SWEEP);
      this.info = new BoardInfo(in.boardId(), in.model() + " (references " + layout + ")", in.firmwareVersion(), in.protocolVersion(), arrays,
          in.hardwareLimits(), in.adcBits(), in.gMinSiemens(), in.gMaxSiemens(), caps);
    }

    /** The wrapped driver. */
    public CrossbarDriver inner() {
      return inner;
    }

    @Override
    public boolean inProcess() {
      return inner.inProcess();
    }

    public ReferenceLayout layout() {
      return layout;
    }

    /** The device of the wrapped board that holds {@code c}. */
    Cell map(Cell c) {
      info.checkCell(c);
      if (c.plane() == Plane.ACTIVE) return c;
      int shift = layout.offset;
      return layout.byColumns ? Cell.active(c.array(), c.row(), c.col() + shift) : Cell.active(c.array(), c.row() + shift, c.col());
    }

    /** The rectangle of the wrapped board that holds {@code t} of {@code plane}. */
    Tile map(Tile t, Plane plane) {
      info.checkTile(t);
      if (plane == Plane.ACTIVE) return t;
      int shift = layout.offset;
      return layout.byColumns ? new Tile(t.array(), t.row0(), t.col0() + shift, t.rows(), t.cols()) : new Tile(t.array(), t.row0() + shift, t.col0(), t.rows(), t.cols());
    }

    @Override
    public BoardInfo info() {
      return info;
    }

    @Override
    public double read(Cell cell, double readVolts) throws IOException {
      return inner.read(map(cell), readVolts);
    }

    @Override
    public void pulse(Cell cell, Pulse pulse, int count) throws IOException {
      inner.pulse(map(cell), pulse, count);
    }

    @Override
    public double pulseThenRead(Cell cell, Pulse pulse, int count, double readVolts) throws IOException {
      return inner.pulseThenRead(map(cell), pulse, count, readVolts);
    }

    @Override
    public double[] readRow(int array, Plane plane, int row, double readVolts) throws IOException {
      info.checkPlane(array, plane);
      info.checkRow(array, row);
      ArrayGeometry g = info.array(array);
      Tile t = map(new Tile(array, row, 0, 1, g.cols()), plane);
      double[] full = inner.readRow(array, Plane.ACTIVE, t.row0(), readVolts);
      return java.util.Arrays.copyOfRange(full, t.col0(), t.col0() + g.cols());
    }

    @Override
    public double[] readColumn(int array, Plane plane, int col, double readVolts) throws IOException {
      info.checkPlane(array, plane);
      info.checkColumn(array, col);
      ArrayGeometry g = info.array(array);
      Tile t = map(new Tile(array, 0, col, g.rows(), 1), plane);
      double[] full = inner.readColumn(array, Plane.ACTIVE, t.col0(), readVolts);
      return java.util.Arrays.copyOfRange(full, t.row0(), t.row0() + g.rows());
    }

    @Override
    public ConductanceMap readArray(int array, Plane plane, double readVolts) throws IOException {
      info.checkPlane(array, plane);
      ArrayGeometry g = info.array(array);
      Tile t = map(Tile.whole(g), plane);
      ConductanceMap full = inner.readArray(array, Plane.ACTIVE, readVolts);
      double[] out = new double[g.devices()];
      for (int r = 0; r < g.rows(); r++) {
        for (int c = 0; c < g.cols(); c++) out[r * g.cols() + c] = full.get(t.row0() + r, t.col0() + c);
      }
      return new ConductanceMap(g.rows(), g.cols(), out);
    }

    @Override
    public double[] forwardRead(Tile tile, ReadMode mode, double[] rowVolts) throws IOException {
      return vectorRead(tile, mode, t -> inner.forwardRead(t, ReadMode.ACTIVE, rowVolts));
    }

    @Override
    public double[] transposeRead(Tile tile, ReadMode mode, double[] colVolts) throws IOException {
      return vectorRead(tile, mode, t -> inner.transposeRead(t, ReadMode.ACTIVE, colVolts));
    }

    /** A vector read of the wrapped board's region(s) for {@code mode}; DIFFERENTIAL is the active minus the reference region. */
    private double[] vectorRead(Tile tile, ReadMode mode, RegionRead read) throws IOException {
      if (mode == null) throw new IllegalArgumentException("mode: null (expected: ACTIVE, REFERENCE or DIFFERENTIAL)");
      if (mode != ReadMode.DIFFERENTIAL) return read.of(map(tile, mode == ReadMode.ACTIVE ? Plane.ACTIVE : Plane.REFERENCE));
      double[] a = read.of(map(tile, Plane.ACTIVE));
      double[] b = read.of(map(tile, Plane.REFERENCE));
      for (int i = 0; i < a.length; i++) a[i] -= b[i];
      return a;
    }

    private interface RegionRead {
      double[] of(Tile region) throws IOException;
    }

    @Override
    public void parallelUpdate(Tile tile, Plane plane, StochasticUpdate update) throws IOException {
      inner.parallelUpdate(map(tile, plane), Plane.ACTIVE, update);
    }

    @Override
    public DriverStatus status() throws IOException {
      return inner.status();
    }

    @Override
    public void abort() {
      inner.abort();
    }

    @Override
    public boolean abortAndConfirm() {
      return inner.abortAndConfirm();
    }

    @Override
    public void close() {
      inner.close();
    }

    @Override
    public String toString() {
      return inner + " with references " + layout;
    }
  }
}
