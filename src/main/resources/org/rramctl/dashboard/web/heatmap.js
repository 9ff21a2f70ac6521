// A heatmap on a canvas, one pixel per device (scaled by CSS), with a colour scale in siemens.

/** Viridis at 9 anchors (matplotlib's, sampled), linearly interpolated into a 256-entry table. */
const VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
/** Blue - white - red for signed values (differential maps). */
const DIVERGING = [[33, 102, 172], [103, 169, 207], [209, 229, 240], [247, 247, 247], [253, 219, 199], [239, 138, 98], [178, 24, 43]];

function table(anchors) {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (anchors.length - 1);
    const k = Math.min(anchors.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = anchors[k][c] * (1 - f) + anchors[k + 1][c] * f;
  }
  return lut;
}
export const SEQUENTIAL = table(VIRIDIS);
export const SIGNED = table(DIVERGING);

/**
 * Draws values (row-major, rows x cols) between lo and hi (clipped) with a colour table. NaN is drawn grey.
 * Returns {min, max, mean} of the finite values.
 */
export function draw(canvas, values, rows, cols, lo, hi, lut) {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(cols, rows);
  const px = img.data;
  const span = hi > lo ? hi - lo : 1;
  let min = Infinity, max = -Infinity, sum = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * 4;
    if (!Number.isFinite(v)) {
      px[o] = px[o + 1] = px[o + 2] = 160;
      px[o + 3] = 255;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
    let k = Math.round(((v - lo) / span) * 255);
    k = k < 0 ? 0 : k > 255 ? 255 : k;
    px[o] = lut[k * 3];
    px[o + 1] = lut[k * 3 + 1];
    px[o + 2] = lut[k * 3 + 2];
    px[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return { min, max, mean: n ? sum / n : NaN };
}

/** Sizes the canvas on screen so that the longer side is at most maxPixels and devices stay square. */
export function fit(canvas, rows, cols, maxPixels) {
  const longer = Math.max(rows, cols);
  const s = longer >= maxPixels ? maxPixels / longer : Math.floor(maxPixels / longer);
  canvas.style.width = `${Math.round(cols * s)}px`;
  canvas.style.height = `${Math.round(rows * s)}px`;
}

/** The device under the mouse: {row, col}, or null outside. */
export function cellAt(canvas, event, rows, cols) {
  const r = canvas.getBoundingClientRect();
  const col = Math.floor(((event.clientX - r.left) / r.width) * cols);
  const row = Math.floor(((event.clientY - r.top) / r.height) * rows);
  return row >= 0 && row < rows && col >= 0 && col < cols ? { row, col } : null;
}

/** A vertical colour bar from lo (bottom) to hi (top) with five labels, formatted by fmt. */
export function legend(canvas, lo, hi, lut, fmt) {
  const w = 110, h = 256, bar = 18;
  canvas.width = w;
  canvas.height = h + 16;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, w, h + 16);
  for (let y = 0; y < h; y++) {
    const k = 255 - Math.round((y / (h - 1)) * 255);
    ctx.fillStyle = `rgb(${lut[k * 3]},${lut[k * 3 + 1]},${lut[k * 3 + 2]})`;
    ctx.fillRect(0, y + 8, bar, 1);
  }
  ctx.fillStyle = "#1d2330";
  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    const y = 8 + (h - 1) * (1 - i / 4);
    ctx.fillRect(bar, y, 4, 1);
    ctx.fillText(fmt(v), bar + 8, y);
  }
}
