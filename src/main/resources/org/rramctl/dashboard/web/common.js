// Shared by every page: the navigation bar, API calls that turn a refusal into its one-line message, units.

const PAGES = [["board.html", "Board"], ["runs.html", "Runs"], ["calibration.html", "Calibration"], ["training.html", "Training"]];

/** Fills the page's header with the title and the links to the other pages. */
export function header(current) {
  const h = document.querySelector("header");
  h.innerHTML = "<h1>rramctl dashboard</h1><nav></nav>";
  const nav = h.querySelector("nav");
  for (const [href, name] of PAGES) {
    const a = document.createElement("a");
    a.href = "/" + href;
    a.textContent = name;
    if (href === current) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
}

/** GET or POST an API path; resolves to the Response, rejects with the server's one-line message. */
export async function request(path, options = {}) {
  const init = { ...options, headers: { ...(options.headers || {}) } };
  if (init.method === "POST") init.headers["X-Rramctl"] = "1";
  const r = await fetch(path, init);
  if (!r.ok) {
    const text = (await r.text()).trim();
    throw new Error(`${r.status}: ${text || r.statusText}`);
  }
  return r;
}

export async function json(path, options) {
  return (await request(path, options)).json();
}

/** A conductance in siemens with an SI prefix: 4.53e-5 -> "45.3 µS". */
export function siemens(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const [scale, unit] = a >= 1e-3 ? [1e3, "mS"] : a >= 1e-6 || a === 0 ? [1e6, "µS"] : a >= 1e-9 ? [1e9, "nS"] : [1e12, "pS"];
  return `${(v * scale).toPrecision(3)} ${unit}`;
}

/** Shows an error (or clears it with null) in the page's alert line. */
export function showError(e) {
  const el = document.getElementById("error");
  if (el) el.textContent = e ? String(e.message || e) : "";
}

/** Creates an element with text. */
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
