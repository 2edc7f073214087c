import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startLab, type LabHandle } from '../../dev/lab';
import { RULES } from '../../lib/rules';
import { SUMMARY_KEYS } from '../support/summaryShape';
import { testStorage } from '../support/runtime';

const BIN = resolve(__dirname, '../../bin/hcxmon.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI exactly as a user runs it: the built package, a child process, settings from the environment. */
function hcxmon(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
        cwd: resolve(__dirname, '../..'),
        maxBuffer: 16 << 20,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const FINDING_KEYS = [
  'id',
  'ruleId',
  'severity',
  'status',
  'targetId',
  'targetName',
  'subjectId',
  'subjectName',
  'title',
  'message',
  'owner',
  'targetKind',
  'subjectKind',
  'firstSeenAt',
  'lastSeenAt',
  'lastEvaluatedAt',
];
/** The rest of the one finding shape (lib/findings/view.ts), present when they apply. */
const OPTIONAL_KEYS = [
  'deadline',
  'evidence',
  'references',
  'reopenCount',
  'underlyingStatus',
  'suppressionId',
  'resolvedAt',
  'openedAt',
  'scanId',
];

describe('hcxmon CLI (child process, built package, lab + Azurite)', () => {
  let lab: LabHandle;
  let env: Record<string, string>;
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<Run> => {
    const r = await hcxmon(args, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    if (!existsSync(resolve(__dirname, '../../dist/dev/cli.js')))
      throw new Error('build first: npm run build (npm test does it)');
    lab = await startLab();
    env = { ...lab.env, HCXMON_STORAGE: testStorage() };
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('prints the JSON contract of DESIGN §7 field by field and exits 0', async () => {
    const r = await run(['scan', '--format', 'json']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      scanId: string;
      asOf: string;
      targets: Record<string, unknown>[];
      findings: Record<string, unknown>[];
    };
    expect(Object.keys(out).sort()).toEqual(['asOf', 'findings', 'gate', 'scanId', 'summary', 'targets']);
    expect(out.scanId).toMatch(/^\d{8}T\d{6}-[0-9a-f]{8}$/);
    expect(Number.isNaN(Date.parse(out.asOf))).toBe(false);

    expect(out.targets).toHaveLength(8);
    for (const t of out.targets) {
      expect(Object.keys(t).filter((k) => !['id', 'name', 'kind', 'status', 'hcxVersion'].includes(k))).toEqual([]);
      expect(['avs-private-cloud', 'hcx-connector']).toContain(t.kind);
      expect(['ok', 'partial', 'unreachable', 'failed']).toContain(t.status);
      if (t.kind === 'avs-private-cloud') {
        expect(t.id).toBe((t.id as string).toLowerCase());
        expect(t.id).toMatch(
          /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+\/providers\/microsoft\.avs\/privateclouds\/[^/]+$/,
        );
      } else {
        expect(t.id).toBe(`connector:${t.name as string}`);
      }
    }
    const byName = new Map(out.targets.map((t) => [t.name, t]));
    expect(byName.get('avs-prod-weu')).toMatchObject({ status: 'ok', hcxVersion: '4.11.3' });
    expect(byName.get('onprem-dc1')).toMatchObject({ status: 'ok', hcxVersion: '4.10.3' });
    expect(byName.get('onprem-dc3')).toMatchObject({ status: 'unreachable' });
    expect(byName.get('onprem-dc3')).not.toHaveProperty('hcxVersion');

    expect(out.findings.length).toBeGreaterThan(10);
    for (const f of out.findings) {
      for (const k of FINDING_KEYS) expect(typeof f[k]).toBe('string');
      expect(Object.keys(f).filter((k) => !FINDING_KEYS.includes(k) && !OPTIONAL_KEYS.includes(k))).toEqual([]);
      expect(typeof (f.evidence as { source: unknown }).source).toBe('string');
      expect(Array.isArray(f.references)).toBe(true);
      if ('deadline' in f)
        expect(f.deadline).toEqual({
          date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          basis: expect.any(String),
          daysLeft: expect.any(Number),
          band: expect.stringMatching(/^(passed|d30|d90|d180|later)$/),
          ...((f.deadline as Record<string, unknown>).latestDate ? { latestDate: expect.any(String) } : {}),
          ...((f.deadline as Record<string, unknown>).atTheLatest ? { atTheLatest: true } : {}),
        });
      expect(['open', 'unknown', 'suppressed']).toContain(f.status);
      expect(['critical', 'high', 'medium', 'low', 'info']).toContain(f.severity);
      expect(['microsoft', 'customer']).toContain(f.owner);
      expect(out.targets.map((t) => t.id)).toContain(f.targetId);
    }
    const wan = out.findings.find(
      (f) => f.ruleId === 'hcx-wan-optimization-enabled' && f.targetName === 'avs-legacy-neu',
    );
    expect(wan).toMatchObject({
      status: 'open',
      severity: 'critical',
      owner: 'customer',
      subjectName: 'sm-dc1-legacy',
    });
    const eos = out.findings.find(
      (f) => f.ruleId === 'hcx-version-end-of-support' && f.targetName === 'avs-legacy-neu',
    );
    expect(eos).toMatchObject({
      status: 'open',
      severity: 'critical',
      owner: 'microsoft',
      targetKind: 'avs-private-cloud',
      deadline: { date: '2026-02-20', basis: 'catalog', band: 'passed' },
    });
    // The compliant cloud has nothing to report, the unreachable connector is unknown, never compliant.
    expect(out.findings.filter((f) => f.targetName === 'avs-prod-weu')).toEqual([]);
    expect(out.findings.filter((f) => f.targetName === 'onprem-dc3' && f.status === 'unknown').length).toBeGreaterThan(
      5,
    );
  });

  it('table output opens with the next deadline and the worst target, worst target first, days left in every row', async () => {
    const json = JSON.parse((await run(['scan', '--format', 'json'])).stdout) as {
      asOf: string;
      targets: { id: string; status: string }[];
      findings: {
        ruleId: string;
        targetId: string;
        targetName: string;
        severity: string;
        status: string;
        deadline?: { date: string };
      }[];
    };
    const r = await run(['scan']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // A headline line may wrap; its continuation lines are indented.
    const head = lines
      .slice(0, 6)
      .join('\n')
      .replace(/\n {2}/g, ' ')
      .split('\n');
    // The nearest deadline that has not passed, counted from the scan's asOf.
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    const today = day(json.asOf.slice(0, 10));
    const ahead = json.findings
      .map((f) => ({ ...f, deadline: f.deadline?.date }))
      .filter((f) => f.deadline && f.status !== 'suppressed' && day(f.deadline) >= today)
      .sort((a, b) => a.deadline!.localeCompare(b.deadline!))[0];
    const days = (day(ahead.deadline!) - today) / 86400000;
    const left = days === 0 ? 'due today' : `${days} day${days === 1 ? '' : 's'} left`;
    expect(head[0]).toContain(`Next deadline: ${ahead.deadline} (${left}) ${ahead.ruleId} on ${ahead.targetName}`);
    // Worst target: most open criticals, then highs, ...
    const sevs = ['critical', 'high', 'medium', 'low', 'info'];
    const names = [...new Set(json.findings.map((f) => f.targetName))];
    const counts = (n: string) =>
      sevs.map(
        (s) => json.findings.filter((f) => f.targetName === n && f.status === 'open' && f.severity === s).length,
      );
    const worst = names.sort((a, b) => {
      const [ca, cb] = [counts(a), counts(b)];
      const i = ca.findIndex((c, k) => c !== cb[k]);
      return i < 0 ? 0 : cb[i] - ca[i];
    })[0];
    expect(head[1]).toMatch(new RegExp(`^Worst target: ${worst} \\(${counts(worst)[0]} critical`));
    // The first target block is the worst target's.
    expect(lines.find((l) => / — scan \w+, \d+ findings?$/.test(l))).toMatch(new RegExp(`^${worst} \\(`));
    // Every row starts with its severity as text and says its days (left, due today, overdue, or no deadline); off a
    // terminal the width is 100, which has room for the date.
    const rows = lines.filter((l) => /^(CRIT|HIGH|MED |LOW |INFO) /.test(l));
    expect(rows.length).toBeGreaterThan(10);
    const due =
      /^(CRIT|HIGH|MED |LOW |INFO) {2}(\d{4}-\d{2}-\d{2} (\d+ d left|due today|overdue \d+ d)|no deadline|not known) /;
    for (const row of rows) expect(row).toMatch(due);
    // An unreachable target's unknowns are one line, not rows; every other finding with a deadline has a dated row.
    const collapsed = new Set(
      json.targets.filter((t) => ['unreachable', 'failed'].includes(t.status)).map((t) => t.id),
    );
    const dated = json.findings.filter((f) => f.deadline && !(f.status === 'unknown' && collapsed.has(f.targetId)));
    expect(rows.filter((l) => /^\S+ +\d{4}-/.test(l))).toHaveLength(dated.length);
    expect(rows.some((l) => l.includes(`${ahead.deadline} ${days === 0 ? 'due today' : `${days} d left`}`))).toBe(true);
  });

  it('fits 80 columns (COLUMNS=80): scan, findings and rules; commands and URLs whole on their own lines', async () => {
    // Not a terminal: no colour codes at all, so a line's length is its width on screen.
    const visible = (l: string) => Array.from(l).length;
    const copyLine = /^(hcxmon |https?:\/\/)\S+/;
    const narrow = { ...env, COLUMNS: '80' };
    for (const args of [
      ['scan'],
      ['findings'],
      ['findings', '--all'],
      ['rules'],
      ['rules', 'hcx-activation-key-expiry'],
    ]) {
      const r = await hcxmon(args, narrow);
      outputs.push(r.stdout, r.stderr);
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect(r.stdout).not.toContain('\u001b');
      const lines = r.stdout.split('\n');
      const tooWide = lines.filter((l) => visible(l) > 80 && !copyLine.test(l));
      expect({ args, tooWide }).toEqual({ args, tooWide: [] });
    }
    // The lab's activation keys without a known upgrade date ask for a fact: the command is whole, on its own line.
    const scan = (await hcxmon(['scan'], narrow)).stdout.split('\n');
    const commands = scan.filter((l) => l.startsWith('hcxmon fact set '));
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect(c).toMatch(/^hcxmon fact set \S+ upgradedTo411At YYYY-MM-DD( --subject \S+)?$/);
    // At 120 the rows have room for the deadline's date.
    const wide = (await hcxmon(['scan', '--width', '120'], env)).stdout;
    expect(wide).toMatch(/^CRIT {2}\d{4}-\d{2}-\d{2} overdue \d+ d /m);
    expect(scan.join('\n')).not.toMatch(/^CRIT {2}\d{4}-/m);
  });

  it('summarises past --limit with the counts of the rest', async () => {
    const all = JSON.parse((await run(['findings', '--format', 'json'])).stdout).findings as {
      severity: string;
      status: string;
    }[];
    const r = await run(['findings', '--limit', '3']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^(CRIT|HIGH|MED |LOW |INFO) /.test(l));
    expect(rows).toHaveLength(3);
    // `findings` has no scan outcome, so no target is collapsed: every stored finding is a row or counted.
    // The line wraps at the width; its continuation is indented.
    const rest = r.stdout
      .replace(/\n {2}/g, ' ')
      .match(/… and (\d+) more \(([^)]*)\) on \d+ targets?; use --all or --format json/);
    expect(rest).not.toBeNull();
    expect(Number(rest![1])).toBe(all.length - 3);
    expect((await run(['findings', '--limit', '0'])).code).toBe(2);
  });

  it('exits 3 when an open finding at or above --fail-on exists, 0 when none does', async () => {
    expect((await run(['scan', '--format', 'json', '--fail-on', 'high'])).code).toBe(3);
    const clean = await run(['scan', '--target', 'avs-prod-weu', '--format', 'json', '--fail-on', 'low']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).targets).toHaveLength(1);
  });

  it('an unknown at or above --fail-on fails the gate unless --allow-unknown; the JSON names what caused exit 3', async () => {
    const strict = await run(['scan', '--target', 'onprem-dc3', '--format', 'json', '--fail-on', 'info']);
    expect(strict.code).toBe(3);
    const out = JSON.parse(strict.stdout) as {
      summary: { open: number; unknown: number };
      gate: { failed: boolean; causes: { id: string; status: string }[] };
      findings: { id: string; status: string }[];
    };
    expect(out.summary.unknown).toBe(out.findings.filter((f) => f.status === 'unknown').length);
    expect(out.summary.unknown).toBeGreaterThan(0);
    const unknownCauses = out.gate.causes.filter((c) => c.status === 'unknown');
    expect(unknownCauses.length).toBe(out.summary.unknown);
    expect(out.findings.map((f) => f.id)).toEqual(expect.arrayContaining(out.gate.causes.map((c) => c.id)));
    const lenient = JSON.parse(
      (await run(['scan', '--target', 'onprem-dc3', '--format', 'json', '--fail-on', 'info', '--allow-unknown']))
        .stdout,
    ) as typeof out;
    expect(lenient.gate.causes.filter((c) => c.status === 'unknown')).toEqual([]);
  });

  it('exits 2 on bad usage, with a message that names the problem', async () => {
    const bad = await run(['scan', '--format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be table, json or csv/);
    expect((await run(['scan', '--bogus'])).code).toBe(2);
    expect((await run(['scan', '--fail-on', 'urgent'])).code).toBe(2);
    expect((await run(['scan', '--target', 'no-such-target', '--format', 'json'])).code).toBe(2);
    // Without subscriptions the scope is the tenant (issue 15); `none` and no connectors leaves nothing to scan.
    const unconfigured = await hcxmon(['scan'], { HCXMON_DISCOVERY_SCOPE: 'none' });
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toMatch(/nothing to scan: "none" discovers no AVS private clouds/);
    const badSetting = await hcxmon(['scan'], { ...env, HCXMON_CONCURRENCY: 'lots' });
    expect(badSetting.code).toBe(2);
    expect(badSetting.stderr).toMatch(/HCXMON_CONCURRENCY: expected a whole number/);
  });

  it('refuses an unknown rule id in a filter or a suppression, and prints its version', async () => {
    const filter = await run(['findings', '--rule', 'hcx-no-such-rule']);
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/--rule: no rule "hcx-no-such-rule" \(see hcxmon rules\)/);
    const sup = await run([
      'suppress',
      'add',
      '--rule',
      'hcx-no-such-rule',
      '--reason',
      'x',
      '--expires',
      '2099-01-01',
    ]);
    expect(sup.code).toBe(2);
    expect(sup.stderr).toMatch(/no rule "hcx-no-such-rule"/);
    const version = await hcxmon(['--version'], {});
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(`hcxmon ${pkg.version}`);
  });

  it('takes a target by id or name in findings, suppress add and fact set, and refuses one never scanned', async () => {
    await run(['scan', '--format', 'json']);
    const all = JSON.parse((await run(['findings', '--format', 'json'])).stdout).findings as {
      targetId: string;
      targetName: string;
    }[];
    const t = all.find((f) => f.targetName === 'onprem-dc1')!;
    const byName = JSON.parse((await run(['findings', '--target', 'onprem-dc1', '--format', 'json'])).stdout);
    const byId = JSON.parse((await run(['findings', '--target', t.targetId, '--format', 'json'])).stdout);
    expect(byName.findings.length).toBeGreaterThan(0);
    expect(byName).toEqual(byId);
    for (const args of [
      ['findings', '--target', 'no-such-target'],
      [
        'suppress',
        'add',
        '--rule',
        'hcx-appliance-outdated',
        '--target',
        'no-such-target',
        '--reason',
        'x',
        '--expires',
        '2099-01-01',
      ],
      ['fact', 'set', 'no-such-target', 'upgradedTo411At', '2025-08-01'],
    ]) {
      const r = await run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/no scanned target has the id or name "no-such-target"/);
    }
    // A future upgrade date is refused as the API refuses it.
    const future = await run(['fact', 'set', 'onprem-dc1', 'upgradedTo411At', '2999-01-01']);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/value: the upgrade date cannot be in the future \(today is \d{4}-\d{2}-\d{2}\)/);
  });

  it('summary prints what needs doing first, the same shape as GET /api/summary', async () => {
    await run(['scan', '--format', 'json']);
    const json = JSON.parse((await run(['summary', '--format', 'json'])).stdout);
    // latestScan: the totals the last scan recorded (absent before any scan recorded them, as in test/e2e/http.test.ts).
    expect(Object.keys(json).sort()).toEqual([...SUMMARY_KEYS, 'latestScan'].sort());
    expect(json.latestScan.totals.open).toBe(
      Object.values(json.latestScan.totals.openBySeverity as Record<string, number>).reduce((a, b) => a + b, 0),
    );
    const findings = JSON.parse((await run(['findings', '--format', 'json'])).stdout).findings as {
      status: string;
      severity: string;
    }[];
    expect(json.openBySeverity.critical).toBe(
      findings.filter((f) => f.status === 'open' && f.severity === 'critical').length,
    );
    // The route's two sentences, whole when the width allows; off a terminal (100 columns) wrapped, never wider.
    const wide = await run(['summary', '--width', '400']);
    expect(wide.stdout.split('\n').slice(0, 2)).toEqual([json.headlines.nextDeadline, json.headlines.worstTarget]);
    const table = await run(['summary']);
    for (const l of table.stdout.split('\n')) expect({ l, fits: l.length <= 100 }).toEqual({ l, fits: true });
    expect(table.stdout.replace(/\n {2}/g, ' ')).toContain(json.headlines.nextDeadline);
  });

  it('plans with --as-of without storing anything', async () => {
    const before = JSON.parse((await run(['findings', '--format', 'json'])).stdout).findings.length;
    const r = await run(['scan', '--target', 'avs-prod-weu', '--as-of', '2027-09-01', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // EOS of 4.11.3 is 2027-10-11: 40 days after 2027-09-01, inside the 90-day band.
    expect(out.findings).toEqual([
      expect.objectContaining({
        ruleId: 'hcx-version-end-of-support',
        severity: 'high',
        // Days counted from the planning date, not from today.
        deadline: { date: '2027-10-11', basis: 'catalog', daysLeft: 40, band: 'd90' },
      }),
    ]);
    expect(JSON.parse((await run(['findings', '--format', 'json'])).stdout).findings).toHaveLength(before);
  });

  it('writes CSV with a header and one row per finding', async () => {
    const r = await run(['findings', '--format', 'csv', '--severity', 'critical']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'id,ruleId,severity,status,underlyingStatus,suppressionId,targetId,targetName,targetKind,subjectId,subjectName,' +
        'subjectKind,title,message,owner,deadline_date,deadline_basis,deadline_days_left,deadline_band,' +
        'deadline_latest_date,deadline_at_the_latest,firstSeenAt,lastSeenAt,lastEvaluatedAt,resolvedAt,openedAt,' +
        'reopenCount,scanId,evidence,references',
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(',critical,'))).toBe(true);
  });

  it('lists every rule and what is not checked; one rule in full; an unknown rule id is an error', async () => {
    const r = await run(['rules']);
    expect(r.code).toBe(0);
    for (const rule of RULES) expect(r.stdout).toContain(rule.id);
    expect(r.stdout).toMatch(/Tracking/);
    const one = await run(['rules', 'hcx-wan-optimization-enabled', '--format', 'json']);
    expect(one.code).toBe(0);
    const rule = RULES.find((x) => x.id === 'hcx-wan-optimization-enabled')!;
    expect(JSON.parse(one.stdout)).toMatchObject({
      id: rule.id,
      severity: 'critical',
      action: rule.action,
      remediation: rule.remediation,
      references: rule.references,
    });
    const list = JSON.parse((await run(['rules', '--format', 'json'])).stdout) as { rules: { action: string }[] };
    expect(list.rules.every((x) => x.action.length > 0)).toBe(true);
    const unknown = await run(['rules', 'hcx-no-such-rule']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no rule "hcx-no-such-rule" \(hcxmon rules lists every rule id\)/);
    expect(unknown.stdout).toBe('');
  });

  it('sets a fact the activation-key rule then uses', async () => {
    const set = await run(['fact', 'set', 'connector:onprem-dc1', 'upgradedTo411At', '2025-08-14']);
    expect(set.code).toBe(0);
    const list = await run(['fact', 'list', 'connector:onprem-dc1']);
    expect(list.stdout).toMatch(/upgradedTo411At = 2025-08-14/);
    expect((await run(['fact', 'set', 'connector:onprem-dc1', 'upgradedTo411At', 'yesterday'])).code).toBe(2);
  });

  it('never prints a password the lab accepts', () => {
    const all = outputs.join('\n');
    expect(lab.secrets.length).toBeGreaterThan(0);
    for (const secret of lab.secrets) expect(all).not.toContain(secret);
  });
});
