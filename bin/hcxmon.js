#!/usr/bin/env node
// The `hcxmon` command: runs the compiled CLI (npm run build first; `npm run demo` does it for you).
require('../dist/dev/cli.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : String(err)); process.exitCode = 1; },
);
