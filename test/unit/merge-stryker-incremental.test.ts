// The merge tool is plain JS (run with node, no build); its API is typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { merge } = require('../../dev/merge-stryker-incremental.js') as { merge: (reports: Report[]) => Report };

interface Test {
  id: string;
  name: string;
  location?: { start: { line: number; column: number } };
}
interface Mutant {
  id: string;
  mutatorName: string;
  status: string;
  coveredBy?: string[];
  killedBy?: string[];
}
interface Report {
  schemaVersion: string;
  files: Record<string, { source: string; mutants: Mutant[] }>;
  testFiles: Record<string, { source?: string; tests: Test[] }>;
}

const at = (line: number) => ({ start: { line, column: 4 } });
const shared = { source: 'it("a")\nit("b")', tests: [] as Test[] };

function report(file: string, tests: Test[], mutants: Mutant[], testFile = 'test/x.test.ts'): Report {
  return { schemaVersion: '2', files: { [file]: { source: `// ${file}`, mutants } }, testFiles: { [testFile]: { ...shared, tests } } };
}

/** The names of the tests a mutant's ids point at, in the merged report. */
function names(merged: Report, ids: string[] | undefined): string[] {
  const byId = new Map(Object.values(merged.testFiles).flatMap((f) => f.tests.map((t) => [t.id, t.name] as const)));
  return (ids ?? []).map((id) => byId.get(id) ?? `missing ${id}`);
}

describe('merging StrykerJS incremental files', () => {
  // Two runs number their tests independently: id "0" is test a in one and test b in the other.
  const one = report('lib/a.ts', [{ id: '0', name: 'a', location: at(1) }], [{ id: '0', mutatorName: 'M', status: 'Killed', coveredBy: ['0'], killedBy: ['0'] }]);
  const two = report(
    'lib/b.ts',
    [
      { id: '0', name: 'b', location: at(2) },
      { id: '1', name: 'a', location: at(1) },
    ],
    [
      { id: '0', mutatorName: 'M', status: 'Survived', coveredBy: ['0', '1'] },
      { id: '1', mutatorName: 'N', status: 'Killed', coveredBy: ['1'], killedBy: ['1'] },
    ],
  );

  it('keeps each mutant pointing at the same tests by name after renumbering', () => {
    const merged = merge([one, two]);
    expect(Object.keys(merged.files).sort()).toEqual(['lib/a.ts', 'lib/b.ts']);
    const [a] = merged.files['lib/a.ts'].mutants;
    const [survived, killed] = merged.files['lib/b.ts'].mutants;
    expect(names(merged, a.killedBy)).toEqual(['a']);
    expect(names(merged, survived.coveredBy)).toEqual(['b', 'a']);
    expect(names(merged, killed.killedBy)).toEqual(['a']);
    expect(merged.testFiles['test/x.test.ts'].tests.map((t) => t.name).sort()).toEqual(['a', 'b']);
    const ids = Object.values(merged.files).flatMap((f) => f.mutants.map((m) => m.id));
    expect(new Set(ids).size).toBe(3);
  });

  it('refuses inputs whose test file source differs (runs over different test code)', () => {
    const changed = report('lib/b.ts', [], [], 'test/x.test.ts');
    changed.testFiles['test/x.test.ts'].source = 'it("a")\n\nit("b")';
    expect(() => merge([one, changed])).toThrow(/test\/x\.test\.ts has other source/);
  });

  it('refuses a mutant that names a test its own input does not have', () => {
    const broken = report('lib/c.ts', [], [{ id: '0', mutatorName: 'M', status: 'Killed', killedBy: ['7'] }]);
    expect(() => merge([broken])).toThrow(/unknown test 7/);
  });

  it('takes a source file from the last input that has it', () => {
    const again = report('lib/a.ts', [{ id: '0', name: 'a', location: at(1) }], [{ id: '0', mutatorName: 'M', status: 'Survived', coveredBy: ['0'] }]);
    expect(merge([one, again]).files['lib/a.ts'].mutants.map((m) => m.status)).toEqual(['Survived']);
  });
});
