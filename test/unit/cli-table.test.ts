import { DateTime } from 'luxon';
import type { Severity } from '../../lib/domain/evaluation';
import type { Finding } from '../../lib/domain/finding';
import type { TargetRef } from '../../lib/domain/target';
import { colorEnabled, extractCommands, isCopyLine, outputWidth, visibleWidth, wrap } from '../../lib/cli/layout';
import { renderRuleDetail, renderRuleTable } from '../../lib/cli/rules-view';
import { renderFindingsTable, renderSummaryText, type TableTarget } from '../../lib/cli/table';
import { summarize, summaryJson } from '../../lib/findings/urgency';
import { formatRuleList, RULES } from '../../lib/rules';

const ASOF = DateTime.fromISO('2026-03-02T15:30:00Z', { zone: 'utc' });
const LONG_NAME = 'sm-' + 'very-long-service-mesh-name-'.repeat(4);
const FACT_CMD =
  "hcxmon fact set /subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-avs/providers/microsoft.avs/privateclouds/avs-legacy-neu upgradedTo411At YYYY-MM-DD --subject 'site one'";

function target(name: string, kind: TargetRef['kind'] = 'hcx-connector'): TableTarget {
  return { id: `connector:${name}`, name, kind, status: 'ok', hcxVersion: '4.10.3' };
}

let seq = 0;
function finding(t: TableTarget, over: Partial<Finding> = {}): Finding {
  seq++;
  return {
    id: `f-${seq}`,
    ruleId: 'hcx-appliance-outdated',
    title: `Finding ${seq}`,
    targetId: t.id,
    targetName: t.name,
    targetKind: t.kind,
    subjectId: `s-${seq}`,
    subjectName: `appliance-${seq}`,
    subjectKind: 'appliance',
    status: 'open',
    severity: 'medium',
    owner: 'customer',
    message:
      'The Service Mesh appliance runs 4.10.2 while its HCX Manager runs 4.11.3; upgrade the appliances from the source site once every paired manager is updated.',
    evidence: { source: 'hcx' },
    firstSeenAt: '2026-03-01T05:00:00.000Z',
    lastSeenAt: '2026-03-01T05:00:00.000Z',
    lastEvaluatedAt: '2026-03-01T05:00:00.000Z',
    reopenCount: 0,
    ...over,
  };
}
const due = (date: string): Finding['deadline'] => ({ date, basis: 'catalog', daysLeft: 0, band: 'later' });

const LEGACY = target('avs-legacy-neu', 'avs-private-cloud');
const DC1 = target('onprem-dc1');
const CLEAN = target('avs-prod-weu', 'avs-private-cloud');
const ESTATE: { targets: TableTarget[]; findings: Finding[] } = {
  targets: [CLEAN, DC1, LEGACY],
  findings: [
    finding(DC1, { ruleId: 'hcx-network-extension-long-lived', severity: 'low', subjectName: 'net-10' }),
    finding(DC1, {
      ruleId: 'hcx-activation-key-expiry',
      severity: 'high',
      subjectName: 'HCX Manager',
      deadline: due('2026-04-11'),
      message: `The activation key stops working 450 days after the upgrade to 4.11.0; set the upgrade date with: ${FACT_CMD}`,
    }),
    finding(LEGACY, {
      ruleId: 'hcx-version-end-of-support',
      severity: 'critical',
      subjectName: 'HCX Manager',
      deadline: due('2026-02-20'),
      message: 'HCX 4.10.2 reached end of support on 2026-02-20.',
    }),
    finding(LEGACY, { ruleId: 'hcx-wan-optimization-enabled', severity: 'critical', subjectName: LONG_NAME }),
    finding(LEGACY, { ruleId: 'hcx-service-mesh-degraded', severity: 'high', status: 'unknown' }),
    finding(LEGACY, {
      ruleId: 'hcx-appliance-outdated',
      severity: 'medium',
      status: 'suppressed',
      underlyingStatus: 'open',
      deadline: due('2026-03-02'),
    }),
  ],
};

const render = (width: number, limit?: number, data = ESTATE) =>
  renderFindingsTable(data.targets, data.findings, { width, color: false, asOf: ASOF, limit });

/** Table rows are the lines that start with a severity label. */
const rows = (text: string) => text.split('\n').filter((l) => /^(CRIT|HIGH|MED |LOW |INFO)\s/.test(l));

describe('hcxmon summary as text', () => {
  it('fits 80 columns (a headline carries a target name and a title) and keeps no control character of a name', () => {
    const t = target(`onprem-${'long-connector-name-'.repeat(3)}\u001b]0;pwned\u0007`);
    const findings = [
      finding(t, {
        ruleId: 'hcx-activation-key-expiry',
        title: 'HCX activation key stops working 450 days after the upgrade to 4.11.0',
        severity: 'critical',
        deadline: due('2026-03-20'),
      }),
    ];
    const text = renderSummaryText(summaryJson(summarize(findings, ASOF)), 80);
    const lines = text.split('\n');
    for (const l of lines) expect({ l, fits: visibleWidth(l) <= 80 }).toEqual({ l, fits: true });
    expect(text).toContain('Next deadline: 2026-03-20');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('a deadline that could not be read', () => {
  it('is "not known", never "no deadline", when the check itself is unknown (suppressed too)', () => {
    const t = target('onprem-dc4');
    const data = {
      targets: [t],
      findings: [
        finding(t, { ruleId: 'hcx-version-end-of-support', severity: 'high', status: 'unknown' }),
        finding(t, {
          ruleId: 'hcx-activation-key-expiry',
          severity: 'high',
          status: 'suppressed',
          underlyingStatus: 'unknown',
        }),
        finding(t, { ruleId: 'hcx-appliance-outdated', severity: 'medium' }),
      ],
    };
    const r = rows(render(120, undefined, data));
    expect(r.find((l) => l.includes('hcx-version-end-of-support'))).toMatch(/ not known /);
    expect(r.find((l) => l.includes('hcx-activation-key-expiry'))).toMatch(/ not known /);
    expect(r.find((l) => l.includes('hcx-appliance-outdated'))).toMatch(/ no deadline /);
  });
});

describe.each([80, 120])('findings table at %i columns', (width) => {
  const text = render(width);
  const lines = text.split('\n');

  it('no line is wider than the terminal except a copy-paste command, which is whole on a line of its own', () => {
    for (const l of lines.filter((x) => !isCopyLine(x)))
      expect({ l, fits: visibleWidth(l) <= width }).toEqual({ l, fits: true });
    const over = lines.filter((l) => visibleWidth(l) > width);
    expect(over).toEqual([FACT_CMD]);
    // The command is not left in the message as well.
    expect(lines.filter((l) => l.includes('upgradedTo411At'))).toEqual([FACT_CMD]);
  });

  it('every row has a severity label and its days left, due today, overdue or no deadline', () => {
    const r = rows(text);
    expect(r).toHaveLength(ESTATE.findings.length);
    for (const l of r)
      expect(l).toMatch(/^(CRIT|HIGH|MED |LOW |INFO) {2}.*(\d+ d left|due today|overdue \d+ d|no deadline|not known)/);
    // 2026-02-20 is 10 days before 2026-03-02; 2026-04-11 is 40 days after.
    expect(r.find((l) => l.includes('hcx-version-end-of-support'))).toMatch(/overdue 10 d/);
    expect(r.find((l) => l.includes('hcx-activation-key-expiry'))).toMatch(/40 d left/);
    expect(r.find((l) => l.includes('hcx-appliance-outdated') && l.includes('due today'))).toBeDefined();
  });

  it('never cuts a rule id; a long subject is cut with an ellipsis', () => {
    for (const f of ESTATE.findings)
      expect(rows(text).some((l) => l.includes(` ${f.ruleId} `) || l.endsWith(f.ruleId))).toBe(true);
    const wan = rows(text).find((l) => l.includes('hcx-wan-optimization-enabled'))!;
    expect(wan).toMatch(/…$/);
    expect(visibleWidth(wan)).toBe(width);
  });

  it('orders by urgency: worst target first, then the nearest deadline, and opens with the headline', () => {
    // The suppressed row due today asks for nothing: the next deadline is the nearest open or unknown one.
    expect(lines.slice(0, 3).join(' ').replace(/\s+/g, ' ')).toMatch(
      /^Next deadline: 2026-04-11 \(40 days left\) hcx-activation-key-expiry on onprem-dc1; 1 already overdue/,
    );
    expect(lines.slice(0, 4).join(' ').replace(/\s+/g, ' ')).toMatch(
      /Worst target: avs-legacy-neu \(2 critical open, 1 unknown\)/,
    );
    expect(text).toMatch(
      /^Open: 2\u00a0critical, 1\u00a0high, 1\u00a0low;\s+unknown:\u00a01;\s+suppressed:\u00a01;\s+overdue:\u00a01;\s+targets:\u00a03$/m,
    );
    const order = rows(text).map((l) => ESTATE.findings.find((f) => l.includes(` ${f.ruleId}`))!.ruleId);
    expect(order).toEqual([
      'hcx-version-end-of-support',
      'hcx-appliance-outdated',
      'hcx-wan-optimization-enabled',
      'hcx-service-mesh-degraded',
      'hcx-activation-key-expiry',
      'hcx-network-extension-long-lived',
    ]);
    expect(lines.findIndex((l) => l.startsWith('avs-legacy-neu ('))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('onprem-dc1 (')),
    );
    expect(text).toMatch(/Nothing open, unknown or suppressed on 1 target: avs-prod-weu$/);
  });

  it('says the status of a row that is not open', () => {
    expect(text).toMatch(/^ {6}unknown: /m);
    expect(text).toMatch(/^ {6}suppressed \(open\): /m);
  });
});

describe('findings table layout', () => {
  it('gives the message more room at 120 columns than at 80, and the deadline date where it fits', () => {
    const at = (w: number) =>
      render(w)
        .split('\n')
        .filter((l) => /^ {6}\S/.test(l));
    expect(Math.max(...at(120).map(visibleWidth))).toBeGreaterThan(80);
    expect(at(120).length).toBeLessThan(at(80).length);
    expect(rows(render(120)).join('\n')).toMatch(/2026-02-20 overdue 10 d/);
    expect(rows(render(80)).join('\n')).not.toMatch(/2026-02-20/);
  });

  it('prints the most urgent rows up to the limit and counts the rest by severity', () => {
    const many = target('onprem-many');
    const list: Finding[] = [
      ...Array.from({ length: 3 }, () => finding(many, { severity: 'critical', deadline: due('2026-03-10') })),
      ...Array.from({ length: 5 }, () => finding(many, { severity: 'high' })),
      ...Array.from({ length: 4 }, () => finding(DC1, { severity: 'low' })),
    ];
    const text = render(80, 5, { targets: [many, DC1], findings: list });
    expect(rows(text)).toHaveLength(5);
    // The three criticals (with a deadline) come first; 2 highs fit; 3 highs and the other target's 4 lows do not.
    expect(rows(text).filter((l) => l.startsWith('CRIT'))).toHaveLength(3);
    expect(text).toContain('… and 7 more (3 high, 4 low) on 2 targets; use --all or --format json');
    expect(text).not.toMatch(/^onprem-dc1 \(/m);
    expect(rows(render(80, undefined, { targets: [many, DC1], findings: list }))).toHaveLength(12);
  });

  it('breaks the rows past the limit down by rule: many targets sharing a finding read as one line', () => {
    const fleet = Array.from({ length: 30 }, (_, i) => target(`onprem-${String(i).padStart(2, '0')}`));
    const list = fleet.flatMap((t) => [
      finding(t, { ruleId: 'hcx-activation-key-expiry', severity: 'high' }),
      finding(t, { ruleId: 'hcx-network-extension-long-lived', severity: 'low' }),
    ]);
    const text = render(80, 5, { targets: fleet, findings: list });
    const lines = text.split('\n');
    expect(rows(text)).toHaveLength(5);
    // Two rows each for the first two targets, one for the third: 27 highs and 28 lows are left.
    expect(text.replace(/\n {2}(?=\S)/g, ' ')).toContain('… and 55 more (27 high, 28 low) on 28 targets');
    const high = lines.find((l) =>
      l.startsWith('  HIGH  hcx-activation-key-expiry on 27 targets: onprem-03, onprem-04'),
    );
    const low = lines.find((l) => l.startsWith('  LOW   hcx-network-extension-long-lived on 28 targets: onprem-02,'));
    expect(high).toMatch(/…$/);
    expect(low).toMatch(/…$/);
    expect(lines.indexOf(high!)).toBeLessThan(lines.indexOf(low!));
    for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(80);
  });

  it('collapses the unknowns of an unreachable target into one line naming a few of the rules', () => {
    const dc3: TableTarget = { ...target('onprem-dc3'), status: 'unreachable', hcxVersion: undefined };
    const list = RULES.slice(0, 8).map((r) => finding(dc3, { ruleId: r.id, status: 'unknown', severity: 'high' }));
    const text = render(80, undefined, { targets: [dc3], findings: list });
    expect(rows(text)).toEqual([]);
    const line = text.replace(/\n +/g, ' ');
    expect(line).toMatch(/8 checks unknown because the target could not be collected/);
    // Same severity and no deadline: in rule-id order.
    const ids = RULES.slice(0, 8)
      .map((r) => r.id)
      .sort();
    expect(line).toContain(`${ids.slice(0, 5).join(', ')}, and 3 more`);
    expect(line).not.toContain(ids[5]);
  });

  it('keeps a message whole when it carries a command, however long', () => {
    const long = `${'The clock of this activation key cannot be read from ARM or the Cloud Manager. '.repeat(4)}Set it with: ${FACT_CMD}`;
    const text = render(80, undefined, { targets: [DC1], findings: [finding(DC1, { message: long })] });
    const message = text.split('\n').filter((l) => /^ {6}\S/.test(l));
    expect(message.length).toBeGreaterThan(4);
    expect(message.join(' ')).toMatch(/Set it with: the command below$/);
    expect(text).not.toContain('…');
  });

  it('colours only when asked, and the severity label is there either way', () => {
    const plain = render(80);
    // eslint-disable-next-line no-control-regex
    expect(plain).not.toMatch(/\u001b\[/);
    const coloured = renderFindingsTable(ESTATE.targets, ESTATE.findings, { width: 80, color: true, asOf: ASOF });
    // eslint-disable-next-line no-control-regex
    expect(coloured).toMatch(/\u001b\[[0-9;]*mCRIT/);
    for (const l of coloured.split('\n').filter((x) => !isCopyLine(x))) expect(visibleWidth(l)).toBeLessThanOrEqual(80);
  });
});

describe('terminal width and colour', () => {
  it('takes --width, then COLUMNS, then the terminal, then 100, within what the layout can hold', () => {
    expect(outputWidth({ isTTY: true, columns: 132 }, { COLUMNS: '90' }, 80)).toBe(80);
    expect(outputWidth({ isTTY: true, columns: 132 }, { COLUMNS: '90' })).toBe(90);
    expect(outputWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(outputWidth({ isTTY: false }, {})).toBe(100);
    expect(outputWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBe(100);
    expect(outputWidth({ isTTY: true, columns: 132 }, { COLUMNS: '0' })).toBe(132);
    expect(outputWidth({ isTTY: true, columns: 30 }, {})).toBe(60);
  });

  it('colours only a terminal, never with NO_COLOR set or TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('wraps words to the width and splits a word longer than a line', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('takes commands out of a text, quoted or to the end of the sentence', () => {
    expect(extractCommands('Set it with: hcxmon fact set connector:a upgradedTo411At YYYY-MM-DD.')).toEqual({
      text: 'Set it with: the command below.',
      commands: ['hcxmon fact set connector:a upgradedTo411At YYYY-MM-DD'],
    });
    expect(
      extractCommands('record it: `hcxmon fact set <target> upgradedTo411At YYYY-MM-DD` (add it)').commands,
    ).toEqual(['hcxmon fact set <target> upgradedTo411At YYYY-MM-DD']);
    expect(extractCommands('No command here.').commands).toEqual([]);
  });
});

describe.each([80, 120])('rules at %i columns', (width) => {
  const list = formatRuleList();
  const text = renderRuleTable(list, { width, color: false });
  const lines = text.split('\n');

  it('fits the width; only URLs and commands, on their own lines, may be longer', () => {
    for (const l of lines.filter((x) => !isCopyLine(x)))
      expect({ l, fits: visibleWidth(l) <= width }).toEqual({ l, fits: true });
    expect(lines.filter((l) => visibleWidth(l) > width).every(isCopyLine)).toBe(true);
  });

  it('shows each rule with its severity label, what it checks, what to do and numbered references with URLs', () => {
    const severities: Record<Severity, string> = {
      critical: 'CRIT',
      high: 'HIGH',
      medium: 'MED',
      low: 'LOW',
      info: 'INFO',
    };
    for (const r of list.rules) {
      const at = lines.findIndex((l) => l.includes(`  ${r.id}  (`));
      expect(lines[at].startsWith(severities[r.severity])).toBe(true);
      const block = lines
        .slice(at + 1, at + 12)
        .join(' ')
        .replace(/\s+/g, ' ');
      expect(block).toContain(`checks: ${r.title}`);
      expect(block).toContain(`do: ${r.action}`);
      expect(block).toMatch(/refs: \[\d+\]/);
    }
    for (const ref of RULES.flatMap((r) => r.references))
      if (ref.source.startsWith('https://')) expect(lines).toContain(ref.source);
    expect(text).toMatch(/Not checked/);
    expect(text).toMatch(/Tracking/);
    expect(lines).toContain('hcxmon rules <rule-id>');
  });

  it('shows one rule in full, its commands on their own lines', () => {
    const rule = list.rules.find((r) => r.id === 'hcx-activation-key-expiry')!;
    const detail = renderRuleDetail(rule, { width, color: false }).split('\n');
    expect(detail).toContain('hcxmon fact set <target> upgradedTo411At YYYY-MM-DD');
    for (const l of detail.filter((x) => !isCopyLine(x))) expect(visibleWidth(l)).toBeLessThanOrEqual(width);
    expect(detail.join(' ').replace(/\s+/g, ' ')).toContain(rule.action);
    for (const ref of rule.references) expect(detail.join('\n')).toContain(ref.source);
  });
});
