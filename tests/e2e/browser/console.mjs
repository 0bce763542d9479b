// Drives the web console in Debian's chromium with playwright-core (from
// web/node_modules; no browser download), for tests/e2e/test_console.py.
//
//   node console.mjs play URL SHOTDIR   run Python and C++ in the Playground,
//                                       judge, watch Status move, open History
//   node console.mjs auth URL SHOTDIR TOKEN   the token prompt: a wrong token
//                                       is refused, the right one opens the page
//
// Each step prints one line "ok <step>"; the first failed check throws, and
// the exit status is non-zero. Screenshots go to SHOTDIR/console-*.png.
// Waits are generous (the machine may be slow); no step is timed.
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const require = createRequire(join(repo, "web", "package.json"));
const { chromium } = require("playwright-core");

const [mode, url, shots, token] = process.argv.slice(2);
const WAIT = { timeout: 120000 };
const step = (name) => console.log("ok " + name);
function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
const shot = (name) => page.screenshot({ path: join(shots, `console-${name}.png`), fullPage: true });

async function runIn(language, stdin) {
  await page.selectOption("#language", language);
  await page.click("#example");
  await page.fill("#stdin", stdin);
  await page.click("#run");
  await page.waitForSelector('#result[data-state="done"]', WAIT);
  return page.textContent("#stdout");
}

async function cardValue(key) {
  return page.textContent(`.card[data-key="${key}"] .v`);
}

try {
  if (mode === "play") {
    await page.goto(url + "/");
    await page.waitForSelector('body[data-ready="1"]', WAIT);
    check((await page.title()) === "codeexec console", "title");
    const options = await page.$$eval("#language option", (os) =>
      os.map((o) => ({ key: o.value, disabled: o.disabled, text: o.textContent })),
    );
    check(options.some((o) => o.key === "python" && !o.disabled), "python offered");
    for (const o of options.filter((o) => o.disabled)) check(/not installed/.test(o.text), "greyed reason");
    step("page");

    const py = await runIn("python", "browser");
    check(py === "Hello, browser!\nsum 1..10 = 55\n", "python stdout: " + JSON.stringify(py));
    check(/verdict OK/.test(await page.textContent("#result-summary")), "python verdict");
    await shot("playground");
    step("python");

    const cc = await runIn("cpp", "chromium\n");
    check(cc === "Hello, chromium!\nsum 1..10 = 55\n", "c++ stdout: " + JSON.stringify(cc));
    check(/exit code 0/.test(await page.textContent("#result-summary")), "c++ exit code");
    step("cpp");

    await page.click('#tabs button[data-tab="judge"]');
    await page.click("#judge-run");
    await page.waitForSelector("#judge-summary .chip", WAIT);
    const judged = await page.textContent("#judge-summary");
    check(/verdict AC/.test(judged) && /passed 2\/2/.test(judged), "judge: " + judged);
    await shot("judge");
    step("judge");

    await page.click('#tabs button[data-tab="status"]');
    await page.waitForSelector('.card[data-key="runs_total"]', WAIT);
    // The cards on the page may come from a poll made before the runs
    // above (every 5 s off this tab); the poll the tab starts replaces them.
    await page.waitForFunction(
      () => Number(document.querySelector('.card[data-key="runs_total"] .v').textContent) >= 2,
      null,
      WAIT,
    );
    const before = Number(await cardValue("runs_total"));
    check(before >= 2, "runs counted: " + before);
    // Runs from outside the page: the counters must move on their own.
    for (let i = 0; i < 3; i++) {
      const r = await fetch(url + "/v1/run", {
        method: "POST",
        body: JSON.stringify({ language: "python", code: "print('from outside')" }),
      });
      check(r.status === 200, "outside run");
    }
    await page.waitForFunction(
      (n) => Number(document.querySelector('.card[data-key="runs_total"] .v').textContent) >= n,
      before + 3,
      WAIT,
    );
    const langs = await page.$$eval("#lang-table tbody td:first-child", (tds) => tds.map((t) => t.textContent));
    check(langs.includes("python") && langs.includes("cpp"), "latency rows: " + langs);
    // Racket's, R's, OCaml's, PHP's, Coq's and Octave's zygotes start with
    // their language's first run: none ran here, so ready 0 of one per slot
    // (or off, in a build without them).
    for (const key of ["warm_racket", "warm_r", "warm_ocaml", "warm_php", "warm_coq", "warm_octave"]) {
      const v = await cardValue(key);
      check(/^0\/\d+$/.test(v) || v === "off", `${key} card: ${v}`);
    }
    await page.waitForFunction(() => document.querySelectorAll("#chart path").length === 2, null, WAIT);
    await shot("status");
    step("status");

    await page.click('#tabs button[data-tab="history"]');
    await page.waitForSelector("#history-table tbody tr", WAIT);
    await page.selectOption("#h-language", "cpp");
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll("#history-table tbody tr")).length > 0 &&
        Array.from(document.querySelectorAll("#history-table tbody tr td:nth-child(4)")).every(
          (td) => td.textContent === "cpp",
        ),
      null,
      WAIT,
    );
    await page.click("#history-table tbody tr:last-child");
    await page.waitForSelector("#history-detail .h-code", WAIT);
    check(/#include <iostream>/.test(await page.textContent("#history-detail .h-code")), "history code");
    check(
      (await page.textContent("#history-detail .h-stdout")) === "Hello, chromium!\nsum 1..10 = 55\n",
      "history stdout",
    );
    await shot("history");
    step("history");

    // the judge of the Judge tab is in the history too, newer than the c++ run
    const judgeRow = await page.$$eval("#history-table tbody tr", (trs) =>
      trs.findIndex((tr) => tr.children[2].textContent === "/v1/judge"),
    );
    check(judgeRow === 0, "judge row: " + judgeRow);
    const row = "#history-table tbody tr:first-child";
    check((await page.textContent(`${row} td:nth-child(5)`)) === "AC", "judge row verdict");
    check((await page.textContent(`${row} td:nth-child(6)`)) === "2/2 passed", "judge row passed");
    await page.click(row);
    await page.waitForSelector("#history-detail .h-tests", WAIT);
    const tests = await page.textContent("#history-detail .h-tests");
    check(/^2 tests, checker \w+: AC 2$/.test(tests), "judge tests: " + JSON.stringify(tests));
    check(/^Judge \d+ — cpp via \/v1\/judge$/.test(await page.textContent("#history-detail h3")), "judge title");
    check(/#include <iostream>/.test(await page.textContent("#history-detail .h-code")), "judge code");
    step("judge history");
  } else if (mode === "auth") {
    await page.goto(url + "/");
    await page.waitForSelector("#token-dialog[open]", WAIT);
    check(await page.isHidden("#token-error"), "no error before a token was tried");
    await shot("token");
    await page.fill("#token-input", "wrong-" + token);
    await page.click("#token-submit");
    await page.waitForSelector("#token-error:not([hidden])", WAIT);
    step("wrong token refused");
    await page.fill("#token-input", token);
    await page.click("#token-submit");
    await page.waitForSelector('body[data-ready="1"]', WAIT);
    const n = await page.$$eval("#language option", (os) => os.length);
    check(n > 0, "languages after the token");
    const py = await runIn("python", "token");
    check(py === "Hello, token!\nsum 1..10 = 55\n", "python with the token: " + JSON.stringify(py));
    step("right token");
  } else {
    throw new Error("unknown mode " + mode);
  }
  check(errors.length === 0, "page errors: " + errors.join("; "));
} finally {
  await browser.close();
}
