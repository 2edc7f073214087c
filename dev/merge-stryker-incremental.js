#!/usr/bin/env node
/**
 * Merges StrykerJS incremental files (mutation-testing-report-schema JSON) into one.
 *
 * Why: a run of the whole mutation scope takes hours on 2 cores, so it is measured a few files at a time
 * (`npx stryker run --mutate <files> --incrementalFile <own file>`), and each such run writes an incremental file
 * that holds only its own files. Merging them gives `npm run test:mutation` one incremental file for the whole
 * scope, so its next run tests only what changed.
 *
 * Stryker matches old results to the current code by content, not by id: a mutant by file, mutator, location and
 * replacement; a test by file, position and name (diffing the test file's stored source). Ids only link a report's
 * mutants to its own tests, so they are renumbered here, and a test file must have the same source in every input
 * (inputs from runs over different test code would disagree about where each test is; that is refused).
 *
 *   node dev/merge-stryker-incremental.js <out.json> <in1.json> <in2.json> ...
 *
 * A source file present in several inputs is taken from the last one that has it.
 */
const fs = require('node:fs');

function testKey(file, test) {
  const start = test.location && test.location.start;
  return `${file}@${start ? `${start.line}:${start.column}` : ''}\n${test.name}`;
}

function merge(reports) {
  if (reports.length === 0) throw new Error('nothing to merge');
  const testFiles = {};
  const testIdByKey = new Map();
  const files = {};
  let nextMutantId = 0;
  for (const [i, report] of reports.entries()) {
    const localTestIds = new Map();
    for (const [file, testFile] of Object.entries(report.testFiles || {})) {
      const known = testFiles[file];
      if (known && known.source !== testFile.source) {
        throw new Error(`input ${i + 1}: test file ${file} has other source than in an earlier input (runs over different test code)`);
      }
      const target = known || (testFiles[file] = { ...(testFile.source === undefined ? {} : { source: testFile.source }), tests: [] });
      for (const test of testFile.tests) {
        const key = testKey(file, test);
        let id = testIdByKey.get(key);
        if (id === undefined) {
          id = String(testIdByKey.size);
          testIdByKey.set(key, id);
          target.tests.push({ ...test, id });
        }
        localTestIds.set(test.id, id);
      }
    }
    const mapIds = (ids, mutant, file) =>
      ids &&
      ids.map((id) => {
        const mapped = localTestIds.get(id);
        if (mapped === undefined) throw new Error(`input ${i + 1}: mutant ${mutant.id} in ${file} names unknown test ${id}`);
        return mapped;
      });
    for (const [file, result] of Object.entries(report.files || {})) {
      files[file] = {
        ...result,
        mutants: result.mutants.map((m) => ({
          ...m,
          id: String(nextMutantId++),
          ...(m.coveredBy ? { coveredBy: mapIds(m.coveredBy, m, file) } : {}),
          ...(m.killedBy ? { killedBy: mapIds(m.killedBy, m, file) } : {}),
        })),
      };
    }
  }
  const last = reports[reports.length - 1];
  return { ...last, files, testFiles };
}

module.exports = { merge };

if (require.main === module) {
  const [out, ...inputs] = process.argv.slice(2);
  if (!out || inputs.length === 0) {
    console.error('usage: node dev/merge-stryker-incremental.js <out.json> <in1.json> [<in2.json> ...]');
    process.exit(2);
  }
  const merged = merge(inputs.map((f) => JSON.parse(fs.readFileSync(f, 'utf8'))));
  fs.writeFileSync(out, JSON.stringify(merged));
  const mutants = Object.values(merged.files).reduce((n, f) => n + f.mutants.length, 0);
  const tests = Object.values(merged.testFiles).reduce((n, f) => n + f.tests.length, 0);
  console.log(`${out}: ${Object.keys(merged.files).length} files, ${mutants} mutants, ${tests} tests`);
}
