// Builds the console into OUTDIR: index.html and console.css copied from
// src/, console.js bundled by esbuild from src/main.ts with CodeMirror and
// everything else it imports (nothing is fetched at run time). Called by
// scripts/build-web; see docs/console.md.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs OUTDIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: join(out, "console.js"),
  logLevel: "warning",
  legalComments: "none",
});
for (const f of ["index.html", "console.css"]) copyFileSync(join(here, "src", f), join(out, f));
