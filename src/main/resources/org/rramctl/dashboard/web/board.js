// The board page: identity, limits, status, and a conductance heatmap of one array and plane.
import { header, json, request, siemens, showError, el } from "/common.js";
import { draw, fit, cellAt, legend, SEQUENTIAL, SIGNED } from "/heatmap.js";

header("board.html");

const canvas = document.getElementById("heatmap");
const hover = document.getElementById("hover");
let board = null;
let map = null; // {rows, cols, values: Float32Array, array, plane}
let timer = null;
let busy = false;

function row(table, name, value) {
  const tr = el("tr");
  tr.append(el("th", name), el("td", value));
  table.append(tr);
}

function limitsText(l) {
  return [
    ["pulse amplitude", `${l.minPulseVolts} .. ${l.maxPulseVolts} V`],
    ["pulse width", `${l.minPulseWidthNanos} .. ${l.maxPulseWidthNanos} ns`],
    ["pulses per command", `≤ ${l.maxPulsesPerCommand}`],
    ["pulse rate", `≤ ${l.maxPulseRateHz} Hz`],
    ["read voltage", `≤ ${l.maxReadVolts} V`],
    ["compliance", `${l.complianceAmps} A`],
  ];
}

function showBoard(b) {
  const t = document.getElementById("board-table");
  t.replaceChildren();
  row(t, "board", `${b.id} (${b.model})`);
  row(t, "URI", b.uri);
  row(t, "firmware", `${b.firmware}, protocol ${b.protocol}`);
  row(t, "arrays", b.arrays.map((a, i) => `${i}: ${a.rows} × ${a.cols}${a.reference ? " + reference" : ""}`).join("; "));
  row(t, "conductance window", `${siemens(b.gMinSiemens)} .. ${siemens(b.gMaxSiemens)}, ADC ${b.adcBits} bits`);
  row(t, "read voltage", `${b.readVolts} V`);
  const s = b.status;
  row(t, "status", `outputs ${s.outputsIdle ? "idle" : "ACTIVE"}${s.aborted ? ", last operation aborted" : ""}, ${s.pulsesApplied} pulses applied` +
      (s.lastError ? `, last error: ${s.lastError}` : "") + ` (at ${s.time})`);
  row(t, "pulses from this page", b.allowPulses ? "allowed (inside the envelope)" : "refused (started without --allow-pulses)");
  t.dataset.boardId = b.id;
  const lt = document.getElementById("limits-table");
  lt.replaceChildren();
  const head = el("tr");
  head.append(el("th", ""), el("th", "envelope (enforced)"), el("th", "board hardware"));
  lt.append(head);
  const env = limitsText(b.envelope), hw = limitsText(b.hardwareLimits);
  env.forEach(([name, v], i) => {
    const tr = el("tr");
    tr.append(el("th", name), el("td", v), el("td", hw[i][1]));
    lt.append(tr);
  });
  const arraySelect = document.getElementById("array");
  if (!arraySelect.options.length) {
    b.arrays.forEach((a, i) => arraySelect.append(el("option", `${i} (${a.rows} × ${a.cols})`, { value: i })));
  }
}

async function loadBoard() {
  board = await json("/api/board");
  showBoard(board);
}

/** Reads the chosen map and draws it; the time from request to drawn pixels goes into data-refresh-ms. */
async function refresh() {
  if (busy) return;
  busy = true;
  const t0 = performance.now();
  try {
    const array = document.getElementById("array").value || "0";
    const plane = document.getElementById("plane").value;
    const r = await request(`/api/heatmap?array=${array}&plane=${plane}&format=f32`);
    const rows = Number(r.headers.get("X-Rows")), cols = Number(r.headers.get("X-Cols"));
    const values = new Float32Array(await r.arrayBuffer());
    const signed = plane === "differential";
    const span = board.gMaxSiemens - board.gMinSiemens;
    const lo = signed ? -span : board.gMinSiemens, hi = signed ? span : board.gMaxSiemens;
    const lut = signed ? SIGNED : SEQUENTIAL;
    const stats = draw(canvas, values, rows, cols, lo, hi, lut);
    fit(canvas, rows, cols, 520);
    legend(document.getElementById("legend"), lo, hi, lut, siemens);
    map = { rows, cols, values, array: Number(array), plane };
    const ms = performance.now() - t0;
    Object.assign(canvas.dataset, {
      array, plane, rows, cols, min: stats.min, max: stats.max, mean: stats.mean,
      refreshMs: ms.toFixed(1), time: r.headers.get("X-Time"), refreshes: String(Number(canvas.dataset.refreshes || 0) + 1),
    });
    document.getElementById("stats").textContent =
      `${rows} × ${cols} devices read at ${r.headers.get("X-Read-Volts")} V, ${r.headers.get("X-Time")}: min ${siemens(stats.min)}, mean ${siemens(stats.mean)}, max ${siemens(stats.max)}`;
    document.getElementById("took").textContent = `read and drawn in ${ms.toFixed(0)} ms`;
    showError(null);
  } catch (e) {
    showError(e);
  } finally {
    busy = false;
  }
}

canvas.addEventListener("mousemove", (e) => {
  if (!map) return;
  const c = cellAt(canvas, e, map.rows, map.cols);
  if (!c) return;
  const v = map.values[c.row * map.cols + c.col];
  hover.textContent = `array ${map.array}, row ${c.row}, col ${c.col} (${map.plane}): ${siemens(v)}`;
  Object.assign(hover.dataset, { row: c.row, col: c.col, siemens: v });
});

document.getElementById("refresh").addEventListener("click", () => { loadBoard().catch(showError); refresh(); });
document.getElementById("array").addEventListener("change", refresh);
document.getElementById("plane").addEventListener("change", refresh);
document.getElementById("every").addEventListener("change", (e) => {
  if (timer) clearInterval(timer);
  const s = Number(e.target.value);
  timer = s > 0 ? setInterval(() => { refresh(); loadBoard().catch(showError); }, s * 1000) : null;
});

loadBoard().then(refresh).catch(showError);
