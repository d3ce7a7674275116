// The admin page's stylesheet, served as /web/styles.css (a file of its own so the page's
// Content-Security-Policy can forbid inline styles). Light and dark, laptop and phone.
export const PAGE_CSS = String.raw`
:root {
  --bg: #f4f6f9; --surface: #ffffff; --surface-2: #eef2f7; --text: #17202b; --muted: #556272;
  --border: #d3dae3; --accent: #1f5fbf; --accent-text: #ffffff; --focus: #f0a400;
  --danger: #b3261e; --ok: #17743a; --warn: #8a5a00; --info: #1f5fbf;
  --graph: #1f5fbf; --graph-fill: rgba(31, 95, 191, 0.14);
  --font-sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --font-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  --radius: 8px; --shadow: 0 1px 2px rgba(16, 24, 40, 0.08), 0 1px 3px rgba(16, 24, 40, 0.06);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #11161d; --surface: #1a212b; --surface-2: #232c38; --text: #e6ebf1; --muted: #9aa7b6;
    --border: #334050; --accent: #5b9cff; --accent-text: #0b1220; --danger: #ff7b72; --ok: #4ac26b;
    --warn: #e3b341; --info: #79b8ff; --graph: #79b8ff; --graph-fill: rgba(121, 184, 255, 0.16);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); line-height: 1.45;
  font: 15px/1.45 var(--font-sans); }
a { color: var(--accent); }
code, .mono { font-family: var(--font-mono); font-size: 0.92em; }
h1 { font-size: 1.5rem; margin: 0; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--surface); padding: 0.5rem 0.75rem; z-index: 10; }
.skip-link:focus { top: 0.5rem; }

.topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: 0.6rem 1.25rem; background: var(--surface); border-bottom: 1px solid var(--border); }
.brand { font-weight: 700; color: var(--text); text-decoration: none; letter-spacing: 0.01em; }
.topbar-actions { display: flex; gap: 0.5rem; }
main { max-width: 1320px; margin: 0 auto; padding: 1.25rem; }
main:focus { outline: none; }
.boot { color: var(--muted); }

.panel { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
  box-shadow: var(--shadow); padding: 1rem 1.25rem; margin-bottom: 1rem; }
.page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.75rem; margin-bottom: 1rem; }
.page-head .title { display: flex; flex-direction: column; gap: 0.25rem; min-width: 0; }
.page-head .title p, .page-head h2 { margin: 0; }
.back { font-size: 0.9rem; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 1rem 0; }

.btn { display: inline-flex; align-items: center; justify-content: center; gap: 0.35rem; min-height: 2.25rem;
  padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid var(--border); background: var(--surface-2);
  color: var(--text); font: inherit; font-weight: 500; cursor: pointer; text-decoration: none; white-space: nowrap; }
.btn:hover { border-color: var(--muted); }
.btn:disabled { opacity: 0.6; cursor: progress; }
.btn-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.btn-danger { color: var(--danger); }
.btn-danger.solid { background: var(--danger); border-color: var(--danger); color: #fff; }
.btn-icon { min-width: 2.25rem; padding: 0.3rem 0.5rem; font-size: 1.05rem; line-height: 1; }
.btn-small { min-height: 1.9rem; padding: 0.2rem 0.6rem; font-size: 0.9rem; }

.field { display: flex; flex-direction: column; gap: 0.3rem; margin-bottom: 0.9rem; }
.field label, .field .label { font-weight: 600; font-size: 0.92rem; }
.field .hint { color: var(--muted); font-size: 0.85rem; }
.field p { margin: 0; }
input[type=text], input[type=password], input[type=datetime-local], select {
  font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border);
  border-radius: 6px; padding: 0.45rem 0.6rem; min-height: 2.3rem; width: 100%; }
input[aria-invalid=true], select[aria-invalid=true] { border-color: var(--danger); box-shadow: 0 0 0 1px var(--danger); }
.field-error { color: var(--danger); font-size: 0.88rem; margin: 0; font-weight: 500; }
.field-error:empty { display: none; }
.form-error { color: var(--danger); margin: 0 0 0.75rem; font-weight: 500; }
.form-error:empty { display: none; }
.field-pair { display: grid; grid-template-columns: 1fr 10rem; gap: 0 0.75rem; }

.signin { max-width: 26rem; margin: 3rem auto; }
.signin p { margin-top: 0; }

.events-table, .dest-table { width: 100%; border-collapse: collapse; }
.dest-table { font-size: 0.92rem; }
.events-table th, .events-table td, .dest-table th, .dest-table td {
  text-align: left; padding: 0.55rem 0.4rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
.events-table th, .dest-table th { font-size: 0.76rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); font-weight: 600; }
.events-table tr:last-child td, .dest-table tr:last-child td, .dest-table tr:last-child th { border-bottom: none; }
.dest-table tbody th { font-size: inherit; text-transform: none; letter-spacing: normal; color: var(--text); font-weight: 600; }
.dest-table td.url { max-width: 13rem; overflow-wrap: anywhere; }
.dest-table td.url .muted { font-family: var(--font-sans); }
.dest-table td.num, .dest-table td.key { font-variant-numeric: tabular-nums; white-space: nowrap; }
.dest-table td.error { min-width: 9rem; max-width: 14rem; font-size: 0.85rem; overflow-wrap: break-word; }
.dest-table td.error.has-error { color: var(--danger); }
.dest-table td.actions { white-space: nowrap; }
.dest-table td.actions .row { flex-wrap: nowrap; gap: 0.35rem; }
.badge { justify-self: start; }
.table-wrap { overflow-x: auto; }

.badge { display: inline-flex; align-items: center; gap: 0.35rem; padding: 0.1rem 0.55rem; border-radius: 999px;
  font-size: 0.82rem; font-weight: 600; background: var(--surface-2); color: var(--muted); white-space: nowrap; }
.badge::before { content: ""; width: 0.5rem; height: 0.5rem; border-radius: 50%; background: currentColor; }
.badge[data-state=live] { color: var(--ok); }
.badge[data-state=connecting] { color: var(--info); }
.badge[data-state=retrying] { color: var(--warn); }
.badge[data-state=offline], .badge[data-state=idle], .badge[data-state=disabled] { color: var(--muted); }

.tabs { display: flex; gap: 0.25rem; border-bottom: 1px solid var(--border); margin-bottom: 1rem; overflow-x: auto; }
.tab { font: inherit; font-weight: 600; padding: 0.6rem 0.9rem; background: none; border: none;
  border-bottom: 3px solid transparent; color: var(--muted); cursor: pointer; white-space: nowrap; }
.tab[aria-selected=true] { color: var(--text); border-bottom-color: var(--accent); }

.kv { display: grid; grid-template-columns: max-content 1fr; gap: 0.45rem 1.25rem; margin: 0; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; overflow-wrap: anywhere; }
.copy-row { display: flex; gap: 0.5rem; align-items: center; }
.copy-row input { flex: 1; min-width: 0; font-family: var(--font-mono); }
.grid-2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
.live-summary { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: center; }
.live-summary .metric { display: flex; flex-direction: column; }
.live-summary .metric span:first-child { font-size: 0.78rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.live-summary .metric span:last-child { font-weight: 600; font-variant-numeric: tabular-nums; }

.sparkline { display: block; width: 6rem; height: 2rem; flex: none; }
.sparkline.wide { flex: 1 1 0; width: 100%; min-width: 0; max-width: 24rem; height: 3rem; }
.sparkline polyline { fill: none; stroke: var(--graph); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.sparkline polygon { fill: var(--graph-fill); stroke: none; }
.bitrate { display: flex; align-items: center; gap: 0.5rem; }
.bitrate .value { min-width: 4.5rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ingest-line { margin: 0 0 0.75rem; }
.dest-table .bitrate { flex-direction: column; align-items: flex-start; gap: 0.15rem; }
.dest-table .sparkline { height: 1.6rem; }

.switch { appearance: none; -webkit-appearance: none; position: relative; width: 2.6rem; height: 1.5rem; margin: 0;
  border-radius: 999px; background: var(--border); cursor: pointer; transition: background 0.15s; flex: none; }
.switch::after { content: ""; position: absolute; top: 0.2rem; left: 0.2rem; width: 1.1rem; height: 1.1rem;
  border-radius: 50%; background: #fff; transition: transform 0.15s; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.3); }
.switch:checked { background: var(--ok); }
.switch:checked::after { transform: translateX(1.1rem); }
.switch:disabled { opacity: 0.6; cursor: progress; }

dialog { border: 1px solid var(--border); border-radius: 10px; padding: 0; width: min(34rem, calc(100vw - 1.5rem));
  background: var(--surface); color: var(--text); box-shadow: 0 12px 32px rgba(0, 0, 0, 0.25); }
dialog::backdrop { background: rgba(10, 14, 20, 0.55); }
.dialog-head { display: flex; justify-content: space-between; align-items: center; padding: 1rem 1.25rem 0.25rem; }
.dialog-head h2 { margin: 0; }
.dialog-body { padding: 0.75rem 1.25rem; max-height: calc(100vh - 10rem); overflow-y: auto; }
.dialog-actions { display: flex; justify-content: flex-end; gap: 0.5rem; padding: 0.75rem 1.25rem 1rem; border-top: 1px solid var(--border); }

.toast { position: fixed; bottom: 1rem; left: 50%; transform: translateX(-50%); background: var(--text); color: var(--bg);
  padding: 0.5rem 1rem; border-radius: 6px; font-weight: 500; max-width: calc(100vw - 2rem); }
.toast:empty { display: none; }
.banner { padding: 0.6rem 0.9rem; border-radius: 6px; margin-bottom: 1rem; background: var(--surface-2);
  border-left: 4px solid var(--warn); }
.banner:empty { display: none; }

/* Below a laptop's width the destinations table becomes one card per destination. */
@media (max-width: 1100px) {
  .dest-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .dest-table tr { display: block; border: 1px solid var(--border); border-radius: var(--radius);
    margin-bottom: 0.75rem; padding: 0.35rem 0.75rem; background: var(--surface); }
  .dest-table td, .dest-table tbody th { display: grid; grid-template-columns: 8.5rem minmax(0, 1fr); gap: 0.5rem;
    border-bottom: 1px solid var(--surface-2); padding: 0.4rem 0; max-width: none !important; white-space: normal; }
  .dest-table td::before, .dest-table tbody th::before { content: attr(data-label); color: var(--muted); font: 0.85rem/1.45 var(--font-sans); }
  .dest-table tr td:last-child { border-bottom: none; }
}
@media (max-width: 900px) {
  main { padding: 0.75rem; }
  .grid-2 { grid-template-columns: minmax(0, 1fr); }
  .field-pair { grid-template-columns: 1fr; }
  .events-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .events-table tr { display: block; border: 1px solid var(--border); border-radius: var(--radius);
    margin-bottom: 0.75rem; padding: 0.35rem 0.75rem; background: var(--surface); }
  .events-table td { display: grid; grid-template-columns: 8.5rem minmax(0, 1fr); gap: 0.5rem;
    border-bottom: 1px solid var(--surface-2); padding: 0.4rem 0; max-width: none !important; }
  .events-table td::before { content: attr(data-label); color: var(--muted); font: 0.85rem/1.45 var(--font-sans); }
  .events-table tr td:last-child { border-bottom: none; }
  .kv { grid-template-columns: 1fr; gap: 0.1rem; }
  .kv dd { margin-bottom: 0.5rem; }
}
`;
