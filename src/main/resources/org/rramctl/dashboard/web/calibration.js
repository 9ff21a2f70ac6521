// The calibration page: a record's symmetry-point and standard-error maps, reference errors, failures and fits.
import { header, json, showError, el, siemens } from "/common.js";
import { draw, fit, cellAt, legend, SEQUENTIAL } from "/heatmap.js";

header("calibration.html");

let record = null;
let tile = null;

/** Record arrays hold NaN as the string "NaN": numbers for drawing. */
function numbers(a) {
  return Float64Array.from(a, (v) => Number(v));
}

function row(table, name, value) {
  const tr = el("tr");
  tr.append(el("th", name), el("td", value));
  table.append(tr);
}

function count(items, key) {
  const m = new Map();
  for (const i of items) m.set(key(i), (m.get(key(i)) || 0) + 1);
  return [...m.entries()].map(([k, v]) => `${k} ${v}`).join(", ") || "none";
}

function show(view) {
  record = view.record;
  const r = record;
  const s = document.getElementById("summary");
  s.replaceChildren();
  s.dataset.file = view.file;
  row(s, "file", `${view.file} (checksum ${view.checksumVerified ? "verified" : "absent: written before checksums"})`);
  row(s, "board", `${r.board.id} (${r.board.model}, firmware ${r.board.firmware}), window ${siemens(r.board.gMinSiemens)} .. ${siemens(r.board.gMaxSiemens)}`);
  row(s, "mode", `${r.mode}, ${r.complete ? "complete" : "STOPPED EARLY (incomplete)"}`);
  row(s, "time", `${r.started} .. ${r.finished}`);
  const devices = r.tiles.reduce((n, t) => n + t.rows * t.cols, 0);
  const status = r.tiles.map((t) => t.status).join("");
  row(s, "devices", `${devices}: search ${count([...status], (c) => ({ C: "converged", B: "budget hit", I: "interrupted", "-": "not measured" })[c])}`);
  row(s, "failures", `${r.failures.length}: ${count(r.failures, (f) => f.reason)}`);
  s.dataset.devices = devices;
  s.dataset.failures = r.failures.length;
  const select = document.getElementById("tile");
  select.replaceChildren();
  r.tiles.forEach((t, i) => select.append(el("option", `array ${t.array}, rows ${t.row0}..${t.row0 + t.rows - 1}, cols ${t.col0}..${t.col0 + t.cols - 1}`, { value: i })));
  showTile(0);
  showFailures(r.failures);
  showFits(r.fits);
}

function showTile(i) {
  const r = record;
  tile = r.tiles[i];
  if (!tile) return;
  const sp = numbers(tile.spSiemens), se = numbers(tile.spStdErrorSiemens);
  const lo = r.board.gMinSiemens, hi = r.board.gMaxSiemens;
  const spCanvas = document.getElementById("sp-map"), seCanvas = document.getElementById("se-map");
  const spStats = draw(spCanvas, sp, tile.rows, tile.cols, lo, hi, SEQUENTIAL);
  fit(spCanvas, tile.rows, tile.cols, 360);
  legend(document.getElementById("sp-legend"), lo, hi, SEQUENTIAL, siemens);
  let seMax = 0;
  for (const v of se) if (Number.isFinite(v) && v > seMax) seMax = v;
  const seStats = draw(seCanvas, se, tile.rows, tile.cols, 0, seMax || 1e-9, SEQUENTIAL);
  fit(seCanvas, tile.rows, tile.cols, 360);
  legend(document.getElementById("se-legend"), 0, seMax || 1e-9, SEQUENTIAL, siemens);
  Object.assign(spCanvas.dataset, { rows: tile.rows, cols: tile.cols, min: spStats.min, max: spStats.max, mean: spStats.mean });
  Object.assign(seCanvas.dataset, { rows: tile.rows, cols: tile.cols, max: seStats.max });
  histogram(numbers(tile.refErrorSiemens), hi - lo);
}

function onHover(e) {
  if (!tile) return;
  const c = cellAt(e.target, e, tile.rows, tile.cols);
  if (!c) return;
  const k = c.row * tile.cols + c.col;
  const row = tile.row0 + c.row, col = tile.col0 + c.col;
  const sp = Number(tile.spSiemens[k]), se = Number(tile.spStdErrorSiemens[k]), err = Number(tile.refErrorSiemens[k]);
  const hover = document.getElementById("hover");
  hover.textContent = `array ${tile.array}, row ${row}, col ${col}: symmetry point ${siemens(sp)} ± ${siemens(se)}, ${tile.pulses[k]} pulses, `
    + `reference ${siemens(Number(tile.refAchievedSiemens[k]))} (error ${siemens(err)})`;
  Object.assign(hover.dataset, { row, col, spSiemens: sp, seSiemens: se });
}

/** Histogram of reference errors in percent of the window, 40 bins over the data's range. */
function histogram(errors, window) {
  const pct = [...errors].filter(Number.isFinite).map((v) => (100 * v) / window);
  const canvas = document.getElementById("histogram");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  canvas.dataset.count = pct.length;
  const text = document.getElementById("histogram-text");
  if (!pct.length) {
    text.textContent = "no reference device was programmed in this tile";
    return;
  }
  const lo = Math.min(...pct), hi = Math.max(...pct);
  const bins = 40, width = (hi - lo) / bins || 1;
  const counts = new Array(bins).fill(0);
  for (const v of pct) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const top = Math.max(...counts);
  const left = 40, bottom = 200, w = (canvas.width - left - 10) / bins;
  ctx.fillStyle = "#2f5fb3";
  counts.forEach((n, i) => {
    const h = (n / top) * (bottom - 10);
    ctx.fillRect(left + i * w + 1, bottom - h, w - 2, h);
  });
  ctx.fillStyle = "#1d2330";
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText(`${lo.toFixed(3)} %`, left, bottom + 16);
  ctx.fillText(`${hi.toFixed(3)} %`, canvas.width - 70, bottom + 16);
  ctx.fillText(String(top), 4, 14);
  const abs = pct.map(Math.abs).sort((a, b) => a - b);
  const median = abs[Math.floor(abs.length / 2)], p95 = abs[Math.min(abs.length - 1, Math.floor(0.95 * abs.length))];
  canvas.dataset.medianAbsPercent = median;
  text.textContent = `${pct.length} reference devices: |error| median ${median.toFixed(3)} %, 95th percentile ${p95.toFixed(3)} %, max ${abs[abs.length - 1].toFixed(3)} % of the window`;
}

function noneRow() {
  const tr = el("tr");
  tr.append(el("td", "none"));
  return tr;
}

function showFailures(failures) {
  const body = document.querySelector("#failures tbody");
  body.replaceChildren();
  for (const f of failures) {
    const tr = el("tr", null, { "data-reason": f.reason });
    tr.append(el("td", `${f.array}:${f.row},${f.col}`), el("td", f.reason), el("td", f.detail));
    body.append(tr);
  }
  if (!failures.length) body.append(noneRow());
}

function showFits(fits) {
  const body = document.querySelector("#fits tbody");
  body.replaceChildren();
  for (const f of fits) {
    const tr = el("tr");
    tr.append(el("td", `${f.array}:${f.row},${f.col}`), el("td", siemens(f.aUpSiemens)), el("td", siemens(f.aDownSiemens)),
      el("td", siemens(f.bMaxSiemens)), el("td", siemens(f.bMinSiemens)), el("td", Number(f.c2c).toFixed(3)));
    body.append(tr);
  }
  if (!fits.length) body.append(noneRow());
}

document.getElementById("tile").addEventListener("change", (e) => showTile(Number(e.target.value)));
document.getElementById("sp-map").addEventListener("mousemove", onHover);
document.getElementById("se-map").addEventListener("mousemove", onHover);
document.getElementById("file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  try {
    show(await json("/api/calibration", { method: "POST", body: await f.arrayBuffer(), headers: { "X-File-Name": f.name } }));
    showError(null);
  } catch (err) {
    showError(err);
  }
});

json("/api/calibration").then(show).catch((e) => { if (!String(e.message).startsWith("404")) showError(e); });
