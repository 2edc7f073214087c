#!/usr/bin/env node
// The `hcxmon` command: runs the compiled CLI (`npm run build` first; `npm run demo` builds for you).
let main;
try {
  ({ main } = require('../dist/dev/cli.js'));
} catch (err) {
  console.error('hcxmon is not built yet: run `npm run build` (or `npm run demo`, which builds first).');
  process.exit(1);
}
main(process.argv.slice(2)).then(
  // Exit explicitly: keep-alive sockets to HCX managers must not hold a finished CLI open.
  (code) => process.stdout.write('', () => process.exit(code)),
  (err) => {
    console.error(err && err.message ? err.message : String(err));
    process.exit(1);
  },
);
