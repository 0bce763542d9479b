// tsc-snapshot.js: the entry script of the TypeScript compiler's start-up
// snapshot (languages/ts.json, docs/languages.md "Install-time caches").
//
// scripts/warm-caches.sh runs it once, at install time, as
//   node --snapshot-blob tsc.blob --build-snapshot tsc-snapshot.js
// with CODEEXEC_TSC set to the recipe's tsc (.../typescript/bin/tsc) and
// CODEEXEC_TSC_FLAGS to the recipe's flags (before the one source file). It
// does what every `node tsc <flags> <file>` run does first, and always the
// same way: it compiles TypeScript's compiler (lib/_tsc.js, the file bin/tsc
// loads), evaluates its top level, and parses and binds the bundled lib
// .d.ts files tsc loads for every program under those flags (the default lib
// and the libs it references), with exactly the arguments and compiler
// options tsc uses for them. Node then writes the whole heap to the
// blob. No user code has run at that point; the blob is read-only to runs.
//
// A run, `node --snapshot-blob tsc.blob .../bin/tsc <args>`, starts from that
// heap with process.argv as a plain `node .../bin/tsc <args>` has it, and
// calls main() below, which runs tsc's own entry statements (the
// "src/tsc/tsc.ts" part of _tsc.js, verbatim). The one difference from a plain
// run: when tsc asks its parser for a lib file that was parsed here, with the
// same arguments and the same text (compared in full: tsc has just read the
// file from disk), it gets that file as parsed and bound here instead of
// parsing it again, and tsc's binder then skips it as already bound (which
// it does for any file that has its locals). Each is handed out at most
// once. Binding depends on the compiler options, so lib files are handed out
// only when <args> are exactly the flags given here and one file name: tsc
// then ignores any tsconfig.json and its options are the ones used here.
// Parsing and binding assign no ids and touch no global counters (node,
// symbol and flow ids are given out later, by the checker), so the checker
// sees the same files as after its own parse and bind. If _tsc.js is not the
// file that was snapshotted (inode, size, times), main() loads bin/tsc
// the ordinary way; if the arguments differ, tsc parses every file itself.
// Known difference: a source nested so deep that tsc's parser overflows the
// JavaScript stack crashes both ways, but with other frames in the printed
// trace and at a depth two or three levels apart (docs/languages.md).
'use strict';
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const vm = require('vm');
const Module = require('module');

const TSC_BIN = process.env.CODEEXEC_TSC;
if (!TSC_BIN || !path.isAbsolute(TSC_BIN)) throw new Error('CODEEXEC_TSC must be the absolute path of bin/tsc');
const LIB_DIR = path.join(path.dirname(path.dirname(TSC_BIN)), 'lib');
const TSC_JS = path.join(LIB_DIR, '_tsc.js');
const FLAGS = (process.env.CODEEXEC_TSC_FLAGS || '').split(' ').filter((a) => a !== '');

// The end of _tsc.js for the TypeScript versions this script knows: tsc's
// entry statements. Anything else and no snapshot is built.
const TAIL_START = '// src/tsc/tsc.ts\n';
const TAIL =
  TAIL_START +
  'Debug.loggingHost = {\n' +
  '  log(_level, s) {\n' +
  '    sys.write(`${s || ""}${sys.newLine}`);\n' +
  '  }\n' +
  '};\n' +
  'if (Debug.isDebugging) {\n' +
  '  Debug.enableDebugInfo();\n' +
  '}\n' +
  'if (sys.tryEnableSourceMapsForHost && /^development$/i.test(sys.getEnvironmentVariable("NODE_ENV"))) {\n' +
  '  sys.tryEnableSourceMapsForHost();\n' +
  '}\n' +
  'if (sys.setBlocking) {\n' +
  '  sys.setBlocking();\n' +
  '}\n' +
  'executeCommandLine(sys, noop, sys.args);\n' +
  '//# sourceMappingURL=_tsc.js.map\n';

// What tsc passes to Parser.parseSourceFile for a lib file under the recipe's
// flags (--target esnext): languageVersion ESNext (99), no syntax cursor, no
// parent pointers, no script kind, JSDoc parsed for type errors only (2).
// Its last-but-one argument, the function that sets the file's
// externalModuleIndicator (and impliedNodeFormat), is not kept: a run calls
// its own one on a cached file, as the parser would have, and uses the file
// only if it is not a module (as when it was bound here: binding in strict
// mode or not depends on it).
const LANGUAGE_VERSION = 99;
const JSDOC_PARSING_MODE = 2;

function statKey(file) {
  const st = fs.statSync(file);
  return [st.ino, st.size, st.mtimeMs, st.ctimeMs].join(' ');
}

const source = fs.readFileSync(TSC_JS, 'utf8');
if (!source.endsWith(TAIL) || source.indexOf(TAIL_START) !== source.length - TAIL.length) {
  throw new Error(`${TSC_JS} does not end with the entry statements this script knows`);
}
const tscKey = statKey(TSC_JS);
const entry = TAIL.slice(TAIL_START.length, TAIL.lastIndexOf('//# sourceMappingURL'));
// The same text up to tsc's entry statements (so line numbers in stack
// traces are _tsc.js's), then a return of the two things main() needs.
const body =
  source.slice(0, source.length - TAIL.length) +
  TAIL_START +
  'return { Parser, parseCommandLine, bindSourceFile, getDefaultLibFileName, getLibFileNameFromLibReference, main() {\n  sys.args = process.argv.slice(2);\n' +
  entry +
  '} };\n';
const compiled = vm.compileFunction(body, ['exports', 'require', 'module', '__filename', '__dirname'], {
  filename: TSC_JS,
});
const tscModule = { exports: {} };
const tsc = compiled.call(tscModule.exports, tscModule.exports, require, tscModule, TSC_JS, LIB_DIR);
const parseSourceFile = tsc.Parser.parseSourceFile;
const options = tsc.parseCommandLine([...FLAGS, 'main.ts']);
if (options.errors.length !== 0) throw new Error(`tsc does not take the flags ${FLAGS.join(' ')}`);

// The lib files a program gets without asking: the default lib for these
// options and the files it references, as tsc finds them. Others (say
// `/// <reference lib="webworker" />`) are parsed by the run as usual.
const parsed = new Map(); // file name -> { text, sourceFile }
const pending = [tsc.getDefaultLibFileName(options.options)];
while (pending.length !== 0) {
  const fileName = path.join(LIB_DIR, pending.pop());
  if (parsed.has(fileName)) continue;
  const text = fs.readFileSync(fileName, 'utf8');
  const sourceFile = parseSourceFile(fileName, text, LANGUAGE_VERSION, undefined, false, undefined, () => {}, JSDOC_PARSING_MODE);
  if (sourceFile.parseDiagnostics.length !== 0) throw new Error(`${fileName} does not parse`);
  for (const ref of sourceFile.libReferenceDirectives) {
    const lib = tsc.getLibFileNameFromLibReference(ref);
    if (lib !== undefined) pending.push(lib);
  }
  tsc.bindSourceFile(sourceFile, options.options);
  parsed.set(fileName, { text, sourceFile });
}

function cachedParse(fileName, text, languageVersion, syntaxCursor, setParentNodes, scriptKind, setIndicator, jsDocParsingMode) {
  const hit = parsed.get(fileName);
  if (
    hit !== undefined &&
    arguments.length === 8 &&
    languageVersion === LANGUAGE_VERSION &&
    syntaxCursor === undefined &&
    setParentNodes === false &&
    scriptKind === undefined &&
    typeof setIndicator === 'function' &&
    jsDocParsingMode === JSDOC_PARSING_MODE &&
    text === hit.text
  ) {
    parsed.delete(fileName);
    const sourceFile = hit.sourceFile;
    setIndicator(sourceFile);
    if (!sourceFile.externalModuleIndicator) {
      sourceFile.setExternalModuleIndicator = setIndicator;
      return sourceFile;
    }
  }
  return parseSourceFile.apply(this, arguments);
}

// Run as `node --snapshot-blob tsc.blob …/bin/tsc <args>`: process.argv is
// then [node, …/bin/tsc, <args>], as in a plain run.
function main() {
  let fresh = false;
  try {
    fresh = statKey(TSC_JS) === tscKey;
  } catch {}
  if (!fresh) {
    Module.createRequire(TSC_BIN)(TSC_BIN);
    return;
  }
  const args = process.argv.slice(2);
  if (
    args.length === FLAGS.length + 1 &&
    FLAGS.every((flag, i) => args[i] === flag) &&
    !args[FLAGS.length].startsWith('-') &&
    !args[FLAGS.length].startsWith('@')
  ) {
    tsc.Parser.parseSourceFile = cachedParse;
  }
  tsc.main();
}

v8.startupSnapshot.setDeserializeMainFunction(main);
