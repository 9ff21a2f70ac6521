// The training page: loss and test accuracy per epoch from metrics.jsonl, pushed by the server as each epoch is
// appended (server-sent events), and an experiment's cells, results table and plots (looked up every 5 s).
import uPlot from "/webjars/uplot/dist/uPlot.esm.js";
import { header, json, showError, el } from "/common.js";

header("training.html");

let plot = null;
let shownResults = false;
let cell = "";
let source = null; // the event stream of the epochs shown
let sourceKey = null; // "" for the folder's own metrics.jsonl, else an experiment cell's id
let epochs = [];

function percent(v) {
  return `${(100 * v).toFixed(2)} %`;
}

function showEpochs(epochs) {
  const section = document.getElementById("training");
  const body = document.querySelector("#epochs tbody");
  body.replaceChildren();
  for (const e of epochs) {
    const tr = el("tr");
    tr.append(el("td", String(e.epoch)), el("td", String(e.learningRate)), el("td", e.trainLoss.toFixed(4)), el("td", percent(e.trainAccuracy)),
      el("td", percent(e.testAccuracy)), el("td", e.seconds.toFixed(1)), el("td", String(e.pulses)));
    body.append(tr);
  }
  section.dataset.epochs = epochs.length;
  if (epochs.length) {
    const last = epochs[epochs.length - 1];
    Object.assign(section.dataset, { lastEpoch: last.epoch, lastTestAccuracy: last.testAccuracy, lastTrainLoss: last.trainLoss });
  }
  const data = [epochs.map((e) => e.epoch), epochs.map((e) => 100 * e.testAccuracy), epochs.map((e) => e.trainLoss)];
  if (!plot) {
    plot = new uPlot({
      width: 900, height: 300,
      scales: { x: { time: false }, acc: { range: [0, 100] }, loss: {} },
      series: [{ label: "epoch" }, { label: "test accuracy (%)", stroke: "#2f5fb3", scale: "acc" }, { label: "train loss (nats)", stroke: "#d1495b", scale: "loss" }],
      axes: [{ label: "epoch" }, { scale: "acc", label: "test accuracy (%)" }, { scale: "loss", side: 1, label: "train loss (nats)", grid: { show: false } }],
    }, data, document.getElementById("plot"));
  } else {
    plot.setData(data);
  }
}

function showResults(r) {
  document.getElementById("results-section").hidden = false;
  document.getElementById("regime").textContent = r.regime;
  const t = document.getElementById("results");
  t.replaceChildren();
  const schemes = r.schemes;
  const head = el("tr");
  head.append(el("th", "up/down ratio"), ...schemes.map((s) => el("th", s)));
  t.append(head);
  for (const ratio of r.ratios) {
    const tr = el("tr");
    tr.append(el("td", String(ratio)));
    for (const s of schemes) {
      const cellSummary = r.summary.find((x) => x.scheme === s && x.ratio === ratio);
      tr.append(el("td", cellSummary ? `${percent(cellSummary.mean)} ± ${(100 * (cellSummary.std || 0)).toFixed(2)} (${cellSummary.runs} runs)` : ""));
    }
    t.append(tr);
  }
  const fp = r.summary.find((x) => x.scheme === "floating point");
  if (fp) {
    const tr = el("tr");
    tr.append(el("td", "floating point"), el("td", `${percent(fp.mean)} ± ${(100 * (fp.std || 0)).toFixed(2)}`));
    t.append(tr);
  }
  t.dataset.rows = r.ratios.length;
}

function showPlots(names) {
  const div = document.getElementById("plots");
  if (div.childElementCount === names.length) return;
  div.replaceChildren();
  for (const n of names) div.append(el("img", null, { src: `/api/training/plot/${encodeURIComponent(n)}`, alt: n, width: "440" }));
}

// Follows one metrics file's epochs as the server pushes them; a dropped connection is resumed by the browser after the
// last epoch it got (the event's id is the epoch's line number).
function follow(key) {
  if (source && sourceKey === key) return;
  if (source) source.close();
  sourceKey = key;
  epochs = [];
  showEpochs(epochs);
  source = new EventSource(key ? `/api/training/stream?cell=${encodeURIComponent(key)}` : "/api/training/stream");
  source.onmessage = (m) => {
    if (Number(m.lastEventId) !== epochs.length) return; // a line already shown
    epochs.push(JSON.parse(m.data));
    showEpochs(epochs);
  };
}

async function refresh() {
  const o = await json("/api/training");
  document.getElementById("dir").dataset.dir = o.dir;
  const select = document.getElementById("cell");
  if (o.cells.length) {
    document.getElementById("cell-controls").hidden = false;
    if (select.options.length !== o.cells.length) {
      select.replaceChildren(...o.cells.map((c) => el("option", c, { value: c })));
      if (cell) select.value = cell;
    }
  }
  if (o.results && !shownResults) {
    showResults(o.results);
    shownResults = true;
  }
  showPlots(o.plots);
  cell = select.value;
  follow(cell);
  showError(null);
}

document.getElementById("cell").addEventListener("change", () => refresh().catch(showError));
refresh().catch(showError);
setInterval(() => refresh().catch(showError), 5000);
