// codeexec's web console: Playground (POST /v1/run), Judge (POST /v1/judge),
// Status (polling GET /v1/status, drawn as plain SVG) and History
// (GET /v1/history[/<id>]). Everything it needs is in this bundle; the token,
// when the server has one, is asked for on the first 401 and kept for the
// tab's session (sessionStorage), sent as "Authorization: Bearer".
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { Compartment, Extension, Prec } from "@codemirror/state";
import { python } from "@codemirror/lang-python";
import { cpp } from "@codemirror/lang-cpp";
import { javascript } from "@codemirror/lang-javascript";
import { java } from "@codemirror/lang-java";
import { rust } from "@codemirror/lang-rust";
import { go } from "@codemirror/lang-go";
import examplesJson from "./examples.json";

type Json = any;
interface Example {
  code: string;
  stdin: string;
}
const examples = examplesJson as Record<string, Example>;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

function el(tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}

// ---- the API, with the token -------------------------------------------

const TOKEN_KEY = "codeexec-token";
let token = sessionStorage.getItem(TOKEN_KEY) || "";
let asking: Promise<void> | null = null;

function askToken(refused: boolean): Promise<void> {
  if (asking) return asking;
  const dialog = $<HTMLDialogElement>("token-dialog");
  $("token-error").hidden = !refused;
  asking = new Promise((resolve) => {
    const form = $<HTMLFormElement>("token-form");
    const done = (ev: Event) => {
      ev.preventDefault();
      token = $<HTMLInputElement>("token-input").value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      form.removeEventListener("submit", done);
      dialog.close();
      $("logout").hidden = false;
      asking = null;
      resolve();
    };
    form.addEventListener("submit", done);
    if (!dialog.open) dialog.showModal();
    $<HTMLInputElement>("token-input").focus();
  });
  return asking;
}

async function api(path: string, body?: Json): Promise<{ status: number; json: Json }> {
  for (;;) {
    const headers: Record<string, string> = {};
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) {
      const hadToken = token !== "";
      token = "";
      sessionStorage.removeItem(TOKEN_KEY);
      await askToken(hadToken);
      continue;
    }
    const text = await res.text();
    let json: Json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: "not_json", message: text };
    }
    return { status: res.status, json };
  }
}

// ---- tabs ----------------------------------------------------------------

let currentTab = "playground";
function showTab(name: string) {
  currentTab = name;
  document.querySelectorAll<HTMLButtonElement>("#tabs button").forEach((b) => {
    b.classList.toggle("active", b.dataset.tab === name);
  });
  document.querySelectorAll<HTMLElement>(".view").forEach((v) => {
    v.hidden = v.id !== "view-" + name;
  });
  if (name === "history") loadHistory();
  if (name === "status") pollStatus();
  location.hash = name;
}

// ---- the editor ----------------------------------------------------------

const langMode = new Compartment();
function modeFor(key: string): Extension {
  switch (key) {
    case "python":
      return python();
    case "cpp":
      return cpp();
    case "javascript":
      return javascript();
    case "ts":
      return javascript({ typescript: true });
    case "java":
    case "cs":
    case "scala":
    case "swift":
      return java();
    case "rust":
      return rust();
    case "go":
      return go();
    default:
      return [];
  }
}

const editor = new EditorView({
  doc: examples.python.code,
  extensions: [
    Prec.highest(
      keymap.of([
        {
          key: "Mod-Enter",
          run: () => {
            (currentTab === "judge" ? judge : run)();
            return true;
          },
        },
      ]),
    ),
    basicSetup,
    langMode.of(python()),
  ],
  parent: $("editor"),
});

// ---- languages ------------------------------------------------------------

let languages: Json[] = [];
let lastExample = examples.python.code;

function setCode(code: string) {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: code } });
}

function loadExample() {
  const key = $<HTMLSelectElement>("language").value;
  const ex = examples[key];
  if (!ex) return;
  setCode(ex.code);
  lastExample = ex.code;
  $<HTMLTextAreaElement>("stdin").value = ex.stdin;
}

function languageChanged() {
  const key = $<HTMLSelectElement>("language").value;
  editor.dispatch({ effects: langMode.reconfigure(modeFor(key)) });
  // An untouched example follows the language; the person's own code stays.
  if (editor.state.doc.toString() === lastExample) loadExample();
  const l = languages.find((x) => x.key === key);
  $("lang-note").textContent = l
    ? `${l.name}${l.version ? " — " + l.version : ""} · source file ${l.source_file} · steps: ${l.steps
        .map((s: Json) => s.name)
        .join(", ")}`
    : "";
}

async function loadLanguages() {
  const { status, json } = await api("/v1/languages");
  if (status !== 200) return;
  languages = json.languages;
  const sel = $<HTMLSelectElement>("language");
  const hsel = $<HTMLSelectElement>("h-language");
  sel.textContent = "";
  for (const l of languages) {
    const o = el("option", { value: l.key }, l.installed ? l.name : `${l.name} — not installed: ${l.missing}`);
    if (!l.installed) {
      (o as HTMLOptionElement).disabled = true;
      o.title = l.missing;
      o.classList.add("missing");
    }
    sel.append(o);
    hsel.append(el("option", { value: l.key }, l.name));
  }
  const first = languages.find((l) => l.key === "python" && l.installed) || languages.find((l) => l.installed);
  if (first) sel.value = first.key;
  languageChanged();
}

// ---- playground -------------------------------------------------------------

function fmtBytes(n: number): string {
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(0) + " KiB";
  return n + " B";
}

function chip(label: string, value: string, cls = ""): HTMLElement {
  return el("span", { class: "chip " + cls }, el("b", {}, label), " ", value);
}

function verdictClass(v: string): string {
  return v === "OK" || v === "AC" ? "good" : "bad";
}

async function run() {
  const btn = $<HTMLButtonElement>("run");
  const body: Json = {
    language: $<HTMLSelectElement>("language").value,
    code: editor.state.doc.toString(),
    stdin: $<HTMLTextAreaElement>("stdin").value,
  };
  const args = $<HTMLTextAreaElement>("args").value.split("\n").filter((a) => a !== "");
  if (args.length) body.args = args;
  const timeout = Number($<HTMLInputElement>("timeout").value);
  if (timeout > 0) body.timeout = timeout;
  const memory = Number($<HTMLInputElement>("memory").value);
  if (memory > 0) body.limits = { memory_mb: memory };
  btn.disabled = true;
  btn.textContent = "Running…";
  $("result").hidden = false;
  $("result-summary").textContent = "running…";
  $("result").dataset.state = "running";
  try {
    const { status, json } = await api("/v1/run", body);
    showRunResult(status, json);
  } catch (e) {
    $("result-summary").textContent = "request failed: " + e;
  } finally {
    btn.disabled = false;
    btn.textContent = "Run ▶";
    $("result").dataset.state = "done";
  }
}

function showRunResult(status: number, r: Json) {
  const sum = $("result-summary");
  sum.textContent = "";
  $("reply-json").textContent = JSON.stringify(r, null, 2);
  if (status !== 200) {
    sum.append(chip("error", `${status} ${r.error}: ${r.message}`, "bad"));
    $("stdout").textContent = "";
    $("stderr").textContent = "";
    return;
  }
  sum.append(
    chip("status", r.status, r.status === "ok" ? "good" : "bad"),
    chip("verdict", r.verdict, verdictClass(r.verdict)),
    chip("exit code", String(r.exit_code)),
    chip("time", `${r.wall_ms} ms wall, ${r.cpu_ms} ms cpu`),
    chip("memory", r.memory_kb != null ? fmtBytes(r.memory_kb * 1024) : "?"),
    chip("queue", `${r.queue_ms} ms`),
  );
  if (r.warm) sum.append(chip("warm", r.zygote || "yes"));
  if (r.compile && r.compile.status !== "ok") sum.append(chip("compile", r.compile.status, "bad"));
  $("stdout").textContent = (r.stdout ?? "") + (r.stdout_truncated ? "\n[… truncated]" : "");
  $("stderr").textContent = (r.stderr ?? "") + (r.stderr_truncated ? "\n[… truncated]" : "");
}

// ---- judge ------------------------------------------------------------------

function addTest(stdin = "", expected = "") {
  const box = $("tests");
  const n = box.children.length;
  const row = el(
    "div",
    { class: "test" },
    el("span", { class: "muted" }, `test ${n}`),
    el("label", {}, "stdin", el("textarea", { rows: "3", class: "t-stdin", spellcheck: "false" })),
    el("label", {}, "expected", el("textarea", { rows: "3", class: "t-expected", spellcheck: "false" })),
  );
  const rm = el("button", { type: "button", class: "link" }, "remove");
  rm.addEventListener("click", () => {
    row.remove();
    // the numbers are the tests' indexes in the request and the reply
    box.querySelectorAll(".test > span").forEach((s, i) => (s.textContent = `test ${i}`));
  });
  row.append(rm);
  (row.querySelector(".t-stdin") as HTMLTextAreaElement).value = stdin;
  (row.querySelector(".t-expected") as HTMLTextAreaElement).value = expected;
  box.append(row);
}

async function judge() {
  const tests = Array.from(document.querySelectorAll("#tests .test")).map((t) => ({
    stdin: (t.querySelector(".t-stdin") as HTMLTextAreaElement).value,
    expected: (t.querySelector(".t-expected") as HTMLTextAreaElement).value,
  }));
  const btn = $<HTMLButtonElement>("judge-run");
  btn.disabled = true;
  btn.textContent = "Judging…";
  try {
    const { status, json } = await api("/v1/judge", {
      language: $<HTMLSelectElement>("language").value,
      code: editor.state.doc.toString(),
      tests,
      checker: $<HTMLSelectElement>("checker").value,
    });
    showJudgeResult(status, json);
  } finally {
    btn.disabled = false;
    btn.textContent = "Judge ▶";
  }
}

function showJudgeResult(status: number, r: Json) {
  $("judge-result").hidden = false;
  const sum = $("judge-summary");
  const body = $("judge-table").querySelector("tbody")!;
  sum.textContent = "";
  body.textContent = "";
  if (status !== 200) {
    sum.append(chip("error", `${status} ${r.error}: ${r.message}`, "bad"));
    return;
  }
  sum.append(
    chip("verdict", r.verdict, verdictClass(r.verdict)),
    chip("passed", `${r.passed}/${r.total}`),
    chip("time", `${r.total_wall_ms} ms`),
  );
  for (const t of r.tests || []) {
    body.append(
      el(
        "tr",
        {},
        el("td", {}, String(t.index)),
        el("td", { class: verdictClass(t.verdict) }, t.verdict),
        el("td", {}, String(t.wall_ms ?? "")),
        el("td", {}, String(t.memory_kb ?? "")),
        el("td", {}, el("pre", {}, t.stdout ?? "")),
        el("td", {}, t.checker_message ?? ""),
      ),
    );
  }
  $("judge-compile").textContent = r.compile
    ? `${r.compile.status}\n${r.compile.stdout ?? ""}${r.compile.stderr ?? ""}`
    : "(no compile step)";
}

// ---- status -------------------------------------------------------------------

interface Sample {
  t: number;
  runs: number;
  running: number;
  rate: number;
}
const samples: Sample[] = [];
const WINDOW_S = 300;
let pollTimer = 0;

function card(key: string, label: string, value: string) {
  return el("div", { class: "card", "data-key": key }, el("div", { class: "v" }, value), el("div", { class: "l" }, label));
}

async function pollStatus() {
  window.clearTimeout(pollTimer);
  try {
    const { status, json } = await api("/v1/status");
    if (status === 200) {
      $("conn").textContent = "connected";
      renderStatus(json);
    } else {
      $("conn").textContent = `status ${status}`;
    }
  } catch {
    $("conn").textContent = "server unreachable";
  }
  pollTimer = window.setTimeout(pollStatus, currentTab === "status" ? 2000 : 5000);
}

// warm_python is "off" or "ready=R/N preload=LIST rss_mb=M"; warm_racket,
// warm_r, warm_ocaml, warm_php, warm_coq and warm_octave "off" or "ready=R/N rss_mb=M", their
// zygotes started by their language's first run (warmpool.c).
function warmCard(desc: string): HTMLElement {
  const m = /ready=(\S+) preload=(\S*) rss_mb=(\d+)/.exec(desc);
  if (!m) return card("warm", "warm Python", desc);
  return card("warm", `warm Python ready · preload ${m[2] || "none"} · ${m[3]} MiB`, m[1]);
}

const LAZY_WARM: [string, string][] = [
  ["warm_racket", "Racket"],
  ["warm_r", "R"],
  ["warm_ocaml", "OCaml"],
  ["warm_php", "PHP"],
  ["warm_coq", "Coq"],
  ["warm_octave", "Octave"],
];

function lazyWarmCard(key: string, title: string, desc: string | undefined): HTMLElement {
  const m = /ready=(\S+) rss_mb=(\d+)/.exec(desc ?? "");
  if (!m) return card(key, `warm ${title}`, desc ?? "off");
  return card(key, `warm ${title} ready · ${m[2]} MiB`, m[1]);
}

function renderStatus(s: Json) {
  const now = Date.now() / 1000;
  const prev = samples[samples.length - 1];
  const rate = prev && now > prev.t ? Math.max(0, (s.runs_total - prev.runs) / (now - prev.t)) : 0;
  samples.push({ t: now, runs: s.runs_total, running: s.running, rate });
  while (samples.length && samples[0].t < now - WINDOW_S) samples.shift();

  const cards = $("cards");
  cards.textContent = "";
  cards.append(
    card("running", "running", `${s.running} / ${s.slots}`),
    card("queued", "queued", `${s.queued} / ${s.queue_capacity}`),
    card("rate", "runs/s", rate.toFixed(2)),
    card("runs_total", "runs", String(s.runs_total)),
    card("judges_total", "judges", String(s.judges_total)),
    card("requests_total", "requests", String(s.requests_total)),
    card("memory", "server memory", fmtBytes(s.memory_rss_bytes)),
    warmCard(s.warm_python),
    ...LAZY_WARM.map(([key, title]) => lazyWarmCard(key, title, s[key])),
    card("sandbox_failures", "sandbox failures", String(s.sandbox_failures_total)),
    card("history", "history kept", `${s.history.kept} / ${s.history.capacity}`),
  );

  const lt = $("lang-table").querySelector("tbody")!;
  lt.textContent = "";
  for (const l of s.languages) {
    lt.append(
      el(
        "tr",
        {},
        el("td", {}, l.language),
        el("td", {}, String(l.runs)),
        el("td", {}, l.p50_ms.toFixed(0)),
        el("td", {}, l.p95_ms.toFixed(0)),
        el("td", {}, l.p99_ms.toFixed(0)),
        el("td", {}, l.mean_ms.toFixed(0)),
      ),
    );
  }
  const vt = $("verdict-table").querySelector("tbody")!;
  vt.textContent = "";
  const hv = $<HTMLSelectElement>("h-verdict");
  for (const [v, n] of Object.entries(s.runs_by_verdict)) {
    vt.append(el("tr", {}, el("td", { class: verdictClass(v) }, v || "(none)"), el("td", {}, String(n))));
    if (v && !Array.from(hv.options).some((o) => o.value === v)) hv.append(el("option", { value: v }, v));
  }
  const errs = $("errors");
  errs.textContent = "";
  for (const e of s.recent_errors) {
    errs.append(el("li", {}, `${new Date(e.time * 1000).toLocaleTimeString()} ${e.language}: ${e.message}`));
  }
  if (!s.recent_errors.length) errs.append(el("li", { class: "muted" }, "none"));
  drawChart();
}

// A two-series line chart, plain SVG: runs/s (left scale) and running boxes.
function drawChart() {
  const svg = $("chart") as unknown as SVGSVGElement;
  // The view box follows the drawn width, so that the text is not stretched.
  const W = Math.max(200, Math.round(svg.getBoundingClientRect().width) || 600),
    H = 160,
    now = Date.now() / 1000;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const maxRate = Math.max(1, ...samples.map((s) => s.rate));
  const maxRun = Math.max(1, ...samples.map((s) => s.running));
  const x = (t: number) => W - ((now - t) / WINDOW_S) * W;
  const path = (f: (s: Sample) => number, max: number) =>
    samples.map((s, i) => `${i ? "L" : "M"}${x(s.t).toFixed(1)},${(H - 4 - (f(s) / max) * (H - 20)).toFixed(1)}`).join("");
  svg.innerHTML =
    `<line x1="0" y1="${H - 4}" x2="${W}" y2="${H - 4}" class="axis"/>` +
    `<text x="4" y="12" class="runs">${maxRate.toFixed(1)} runs/s</text>` +
    `<text x="${W - 4}" y="12" text-anchor="end" class="running">${maxRun} running</text>` +
    `<path d="${path((s) => s.rate, maxRate)}" class="runs"/>` +
    `<path d="${path((s) => s.running, maxRun)}" class="running"/>`;
}

// ---- history -------------------------------------------------------------------

async function loadHistory() {
  const q = new URLSearchParams();
  const lang = $<HTMLSelectElement>("h-language").value;
  const verdict = $<HTMLSelectElement>("h-verdict").value;
  if (lang) q.set("language", lang);
  if (verdict) q.set("verdict", verdict);
  q.set("limit", "200");
  const { status, json } = await api("/v1/history?" + q.toString());
  const body = $("history-table").querySelector("tbody")!;
  body.textContent = "";
  if (status !== 200) {
    $("h-note").textContent = `${status}: ${json.message}`;
    return;
  }
  $("h-note").textContent =
    json.capacity === 0 ? "history is off (--history 0)" : `${json.runs.length} shown, the last ${json.capacity} kept`;
  for (const r of json.runs) {
    const tr = el(
      "tr",
      { class: "clickable", "data-id": String(r.id) },
      el("td", {}, String(r.id)),
      el("td", {}, new Date(r.time * 1000).toLocaleTimeString()),
      el("td", {}, r.endpoint),
      el("td", {}, r.language),
      el("td", { class: verdictClass(r.verdict) }, r.verdict),
      el("td", {}, r.kind === "judge" ? `${r.passed}/${r.total} passed` : r.status),
      el("td", {}, r.exit_code == null ? "" : String(r.exit_code)),
      el("td", {}, r.run_ms.toFixed(0)),
      el("td", {}, fmtBytes(r.memory_bytes)),
    );
    tr.addEventListener("click", () => openHistory(r.id));
    body.append(tr);
  }
}

async function openHistory(id: number) {
  const { status, json } = await api(`/v1/history/${id}`);
  const d = $("history-detail");
  d.hidden = false;
  d.textContent = "";
  if (status !== 200) {
    d.append(el("p", { class: "error" }, `${status}: ${json.message}`));
    return;
  }
  const rq = json.request,
    rs = json.result;
  const open = el("button", { type: "button" }, "Open in Playground");
  open.addEventListener("click", () => {
    $<HTMLSelectElement>("language").value = rq.language;
    setCode(rq.code);
    $<HTMLTextAreaElement>("stdin").value = rq.stdin;
    $<HTMLTextAreaElement>("args").value = (rq.args || []).join("\n");
    languageChanged();
    showTab("playground");
  });
  const judged = json.kind === "judge";
  // a judge: its tests by verdict, and which output is shown (what decided the verdict)
  const what = judged
    ? [
        el("h3", {}, "tests"),
        el(
          "pre",
          { class: "h-tests" },
          `${rq.tests} tests` +
            (rq.problem ? ` of problem ${rq.problem}` : "") +
            `, checker ${rq.checker}: ` +
            Object.entries(rs.verdicts || {})
              .map(([v, n]) => `${v} ${n}`)
              .join(", ") +
            (rs.compile ? `\nthe ${rs.compile}'s compile failed` : "") +
            (rs.test != null ? `\nshown below: test ${rs.test}` : "") +
            (rs.error ? `\n${rs.error}` : ""),
        ),
      ]
    : [el("h3", {}, "stdin"), el("pre", {}, rq.stdin)];
  d.append(
    el("h3", {}, `${judged ? "Judge" : "Run"} ${json.id} — ${rq.language} via ${rq.endpoint}`),
    el(
      "div",
      { class: "summary" },
      chip("verdict", json.verdict, verdictClass(json.verdict)),
      ...(judged
        ? [chip("passed", `${json.passed}/${json.total}`)]
        : [chip("status", json.status), chip("exit code", String(json.exit_code))]),
      chip("run", `${json.run_ms.toFixed(0)} ms`),
      chip("queue", `${json.queue_ms.toFixed(0)} ms`),
      chip("memory", fmtBytes(json.memory_bytes)),
    ),
    open,
    el("h3", {}, "code" + (rq.code_truncated ? " (cut)" : "")),
    el("pre", { class: "h-code" }, rq.code),
    ...what,
    el("h3", {}, "args"),
    el("pre", {}, JSON.stringify(rq.args)),
    el("h3", {}, "stdout" + (rs.stdout_truncated ? " (cut)" : "")),
    el("pre", { class: "h-stdout" }, rs.stdout),
    el("h3", {}, "stderr" + (rs.stderr_truncated ? " (cut)" : "")),
    el("pre", {}, rs.stderr + (rs.error ? "\n" + rs.error : "")),
  );
  d.scrollIntoView();
}

// ---- wiring --------------------------------------------------------------------

document.querySelectorAll<HTMLButtonElement>("#tabs button").forEach((b) =>
  b.addEventListener("click", () => showTab(b.dataset.tab!)),
);
$("language").addEventListener("change", languageChanged);
$("example").addEventListener("click", loadExample);
$("run").addEventListener("click", run);
$("judge-run").addEventListener("click", judge);
$("add-test").addEventListener("click", () => addTest());
$("h-refresh").addEventListener("click", loadHistory);
$("h-language").addEventListener("change", loadHistory);
$("h-verdict").addEventListener("change", loadHistory);
$("logout").hidden = !token;
$("logout").addEventListener("click", () => {
  token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});
$<HTMLTextAreaElement>("stdin").value = examples.python.stdin;
addTest("console\n", "Hello, console!\nsum 1..10 = 55\n");
addTest("", "Hello, world!\nsum 1..10 = 55\n");

(async () => {
  await loadLanguages();
  const tab = location.hash.slice(1);
  showTab(["playground", "judge", "status", "history"].includes(tab) ? tab : "playground");
  if (currentTab !== "status") pollStatus();
  document.body.dataset.ready = "1";
})();
