// The runs page: the journal's runs, one run's documents with a plot that grows while it runs (server-sent events
// from the journal, the same documents `rramctl watch` receives), CSV download, abort, and starting a procedure.
import uPlot from "/webjars/uplot/dist/uPlot.esm.js";
import { header, json, request, showError, el, siemens } from "/common.js";

header("runs.html");

let selected = null; // run id
let source = null; // EventSource of the selected run
let plot = null;
let state = null; // the selected run's plot data
let selectedLive = false; // the selected run comes from the subscription, not the journal
let liveSource = null;
const liveRuns = new Map(); // run -> {procedure, docs, lastSeq, missed, status}
let liveDirty = false;

/** Milliseconds since the epoch of an ISO-8601 time with any number of fractional digits. */
function epochMillis(iso) {
  return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
}

async function loadRuns() {
  const data = await json("/api/runs");
  if (data.live) showLive(data.live);
  document.getElementById("runs-dir").dataset.dir = data.dir;
  const body = document.querySelector("#runs-table tbody");
  body.replaceChildren();
  for (const r of data.runs) {
    const tr = el("tr", null, { "data-run": r.run, "data-status": r.status });
    const link = el("a", r.run, { href: `#${r.run}` });
    link.addEventListener("click", (e) => { e.preventDefault(); open(r.run); });
    const status = el("td", r.status + (r.reason ? ` (${r.reason})` : ""));
    if (r.status === "interrupted" || r.status === "failed" || r.status === "corrupt") status.className = "warn";
    if (r.status === "running") status.className = "ok";
    const first = el("td");
    first.append(link);
    tr.append(first, el("td", r.procedure ?? "?"), status, el("td", r.cells ?? ""), el("td", String(r.events ?? "")), el("td", r.started ?? ""), el("td", r.stopped ?? ""));
    body.append(tr);
  }
}

async function loadProcedures() {
  const p = await json("/api/procedures");
  const select = document.getElementById("procedure");
  const params = document.getElementById("params");
  select.replaceChildren();
  for (const name of Object.keys(p.procedures)) select.append(el("option", name, { value: name }));
  const show = () => { params.value = JSON.stringify(p.procedures[select.value]); };
  select.addEventListener("change", show);
  select.value = "pulse-response";
  show();
  document.getElementById("start").disabled = !p.allowPulses;
  document.getElementById("start-hint").textContent = p.allowPulses
    ? "Runs on the dashboard's board and is journaled in the runs directory like 'rramctl procedure'."
    : "Read-only: the dashboard was started without --allow-pulses, so the page cannot start procedures (abort still works).";
}

async function start() {
  try {
    const name = document.getElementById("procedure").value;
    const r = await json(`/api/procedures/${encodeURIComponent(name)}`, { method: "POST", body: document.getElementById("params").value });
    showError(null);
    await loadRuns();
    open(r.run);
  } catch (e) {
    showError(e);
  }
}

function row(table, name, value) {
  const tr = el("tr");
  tr.append(el("th", name), el("td", value));
  table.append(tr);
}

/** Opens a run: its metadata, then every document through the stream (from the first), so the plot grows live. */
function open(run) {
  reset(run, false);
  location.hash = run;
  document.getElementById("csv").href = `/api/runs/${encodeURIComponent(run)}/csv`;
  source = new EventSource(`/api/runs/${encodeURIComponent(run)}/stream`);
  source.onmessage = (m) => onDocument(JSON.parse(m.data));
  source.addEventListener("end", () => { source.close(); document.getElementById("live").textContent = "run ended"; loadRuns().catch(showError); });
  source.onerror = () => { document.getElementById("live").textContent = "stream interrupted; reconnecting"; };
}

/** Opens a run heard on the subscription: the documents received so far, then each one as it arrives. */
function openLive(run) {
  reset(run, true);
  for (const d of liveRuns.get(run).docs) onDocument(d);
  draw();
}

function reset(run, live) {
  if (source) { source.close(); source = null; }
  selected = run;
  selectedLive = live;
  document.getElementById("run-section").hidden = false;
  document.getElementById("run-title").textContent = `Run ${run}${live ? " (from the subscription)" : ""}`;
  document.getElementById("csv").hidden = live;
  document.getElementById("run-table").replaceChildren();
  state = { series: new Map(), x: [], ys: [], events: 0, latencies: [], lastSeq: -1, dirty: false };
  const section = document.getElementById("run-section");
  Object.assign(section.dataset, { run, live, events: 0, status: "running", lastSeq: -1 });
  if (plot) { plot.destroy(); plot = null; }
}

function showLive(info) {
  const section = document.getElementById("live-section");
  section.hidden = false;
  Object.assign(section.dataset, { endpoint: info.endpoint, connected: info.connected, received: info.received });
  document.getElementById("live-hint").textContent = `Documents published on ${info.endpoint} (procedure --publish, serve --publish), as rramctl watch receives them: `
    + (info.connected ? `connected, ${info.received} documents so far` : "waiting for the publisher") + (info.unreadable ? `, ${info.unreadable} unreadable` : "")
    + ". Gaps in seq are documents the publisher dropped or that came before this page joined; the journal has them all.";
  if (liveSource) return;
  liveSource = new EventSource("/api/live");
  liveSource.onmessage = (m) => onLiveDocument(JSON.parse(m.data));
}

function onLiveDocument(d) {
  if (d.run === undefined) {
    if (d.type === "status") {
      const s = document.getElementById("live-status");
      s.textContent = `board ${d.board} at ${d.time}: ` + (d.error ? `status unreadable: ${d.error}`
        : `outputs ${d.outputsIdle ? "idle" : "ACTIVE"}, ${d.pulsesApplied} pulses applied${d.lastError ? ", last error " + d.lastError : ""}`)
        + (d.leaseHolder ? `, leased by ${d.leaseHolder}` : "") + `, ${d.clients} clients`;
      s.dataset.seq = d.seq;
    }
    return;
  }
  let r = liveRuns.get(d.run);
  if (!r) {
    r = { procedure: "?", docs: [], lastSeq: -1, missed: 0, status: "running" };
    liveRuns.set(d.run, r);
  }
  if (d.seq > r.lastSeq + 1) r.missed += d.seq - r.lastSeq - 1;
  r.lastSeq = Math.max(r.lastSeq, d.seq);
  if (d.type === "start") r.procedure = d.procedure;
  if (d.type === "stop") r.status = d.status;
  if (r.docs.length < 20000) r.docs.push(d);
  if (selectedLive && selected === d.run) onDocument(d);
  if (!liveDirty) {
    liveDirty = true;
    requestAnimationFrame(showLiveRuns);
  }
}

function showLiveRuns() {
  liveDirty = false;
  const body = document.querySelector("#live-table tbody");
  body.replaceChildren();
  for (const [run, r] of liveRuns) {
    const tr = el("tr", null, { "data-run": run, "data-docs": r.docs.length, "data-missed": r.missed, "data-status": r.status });
    const link = el("a", run, { href: "#" });
    link.addEventListener("click", (e) => { e.preventDefault(); openLive(run); });
    const first = el("td");
    first.append(link);
    tr.append(first, el("td", r.procedure), el("td", String(r.docs.length)), el("td", String(r.lastSeq)), el("td", String(r.missed)), el("td", r.status));
    body.append(tr);
  }
}

function onDocument(d) {
  const section = document.getElementById("run-section");
  state.lastSeq = d.seq;
  if (d.type === "start") showStart(d);
  else if (d.type === "event") onEvent(d);
  else if (d.type === "stop") showStop(d);
  else if (d.type === "resume") row(document.getElementById("run-table"), "resumed", `${d.time} (${d.completedUnits} units done)`);
  section.dataset.lastSeq = d.seq;
}

function showStart(d) {
  // Retention is about time; every other procedure about the sequence of pulses and reads.
  state.byTime = d.procedure === "retention";
  const t = document.getElementById("run-table");
  row(t, "procedure", d.procedure);
  row(t, "started", `${d.time} on ${d.host} (pid ${d.pid}, rramctl ${d.rramctl})`);
  row(t, "board", `${d.board.uri} (id ${d.board.id}, firmware ${d.board.firmware})`);
  row(t, "parameters", JSON.stringify(d.parameters));
  row(t, "envelope", JSON.stringify(d.envelope));
  document.getElementById("abort").hidden = selectedLive; // a run heard on the subscription is aborted where it runs
  document.getElementById("live").textContent = "live";
}

function showStop(d) {
  const t = document.getElementById("run-table");
  row(t, "status", d.status + (d.reason ? ` (${d.reason})` : "") + `, outputs idle: ${d.outputsIdle}`);
  row(t, "stopped", d.time);
  if (d.summary) row(t, "summary", JSON.stringify(d.summary));
  document.getElementById("abort").hidden = true;
  document.getElementById("run-section").dataset.status = d.status;
  draw();
}

/** One event: its conductance joins its device's series (x: the event's number, or for retention its time). */
function onEvent(d) {
  const data = d.data || {};
  state.events++;
  if (d.time) state.latencies.push(Date.now() - epochMillis(d.time));
  if (typeof data.g !== "number") return;
  const key = `${data.array ?? 0}:${data.row},${data.col}`;
  let k = state.series.get(key);
  if (k === undefined) {
    if (state.series.size >= 8) return; // the first 8 devices are plotted; the CSV has them all
    k = state.series.size;
    state.series.set(key, k);
    state.ys.push(new Array(state.x.length).fill(null));
  }
  state.x.push(state.byTime ? d.t : state.events);
  state.ys.forEach((y, i) => y.push(i === k ? data.g * 1e6 : null));
  if (!state.dirty) {
    state.dirty = true;
    requestAnimationFrame(draw);
  }
}

function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

function draw() {
  state.dirty = false;
  const section = document.getElementById("run-section");
  const lat = [...state.latencies].sort((a, b) => a - b);
  Object.assign(section.dataset, {
    events: state.events, points: state.x.length,
    latencyP50: quantile(lat, 0.5), latencyP99: quantile(lat, 0.99), latencyMax: lat.length ? lat[lat.length - 1] : NaN,
  });
  document.getElementById("plot-hint").textContent = `${state.events} events; conductance of up to 8 devices against ${state.byTime ? "time since the start" : "the event's number in the run"}`;
  if (!state.x.length) return;
  const data = [state.x, ...state.ys];
  if (!plot || plot.series.length !== data.length) {
    if (plot) plot.destroy();
    const series = [{ label: state.byTime ? "t (s)" : "event" }];
    const colours = ["#2f5fb3", "#d1495b", "#1e7b34", "#a35b00", "#7b3fa0", "#00798c", "#6c757d", "#e07a5f"];
    for (const [key, i] of state.series) series.push({ label: key, stroke: colours[i], spanGaps: true, points: { show: false } });
    plot = new uPlot({ width: 900, height: 320, series, axes: [{ label: state.byTime ? "time since the start (s)" : "event number" }, { label: "G (µS)" }], scales: { x: { time: false } } },
      data, document.getElementById("plot"));
  } else {
    plot.setData(data);
  }
}

document.getElementById("abort").addEventListener("click", async () => {
  try {
    await request(`/api/runs/${encodeURIComponent(selected)}/abort`, { method: "POST" });
    document.getElementById("live").textContent = "abort requested";
  } catch (e) {
    showError(e);
  }
});
document.getElementById("start").addEventListener("click", start);

loadRuns().catch(showError);
loadProcedures().catch(showError);
setInterval(() => loadRuns().catch(showError), 3000);
/** The address names the open run (#RUN): a link or the back button opens another. */
function openFromHash() {
  const run = decodeURIComponent(location.hash.slice(1));
  if (run && (run !== selected || selectedLive)) open(run);
}
window.addEventListener("hashchange", openFromHash);
openFromHash();
