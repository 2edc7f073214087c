import type { Reference } from '../domain/evaluation';
import type { Owner, TargetKind } from '../domain/target';
import type { RuleList, RuleListItem } from '../rules';
import { SEVERITY_LABEL, continued, extractCommands, hanging, palette, wrap } from './layout';

/**
 * `hcxmon rules` and `hcxmon rules <id>` for people: each rule's severity, what it checks, what to do and the public
 * documents it comes from, wrapped to the terminal. References are numbered once and listed at the end with their
 * URLs, each URL on a line of its own (a copy line: never wrapped or cut, whatever the width).
 */

function ownerText(o: Record<TargetKind, Owner>): string {
  return o['avs-private-cloud'] === o['hcx-connector']
    ? o['hcx-connector']
    : `${o['avs-private-cloud']} (cloud) / ${o['hcx-connector']} (connector)`;
}

function refKey(r: Reference): string {
  return `${r.title}\n${r.source}`;
}

/** A reference as lines: its title wrapped, then its URL alone (a KB number without a URL stays with the title). */
function referenceLines(r: Reference, lead: string, width: number): string[] {
  const url = /^https?:\/\//.test(r.source);
  return [...hanging(lead, url ? r.title : `${r.title} (${r.source})`, width), ...(url ? [r.source] : [])];
}

export function renderRuleTable(list: RuleList, opts: { width: number; color: boolean }): string {
  const { width } = opts;
  const pal = palette(opts.color);
  const refs = new Map<string, { n: number; ref: Reference }>();
  for (const r of list.rules)
    for (const ref of r.references) if (!refs.has(refKey(ref))) refs.set(refKey(ref), { n: refs.size + 1, ref });
  const lines: string[] = [
    ...continued(
      `${list.rules.length} rules. Lifecycle catalog ${list.catalog.catalogVersion} as of ${list.catalog.asOf}; ` +
        `AVS baseline ${list.catalog.baseline}. Severity is the default; rules with a deadline raise it as the date nears.`,
      width,
    ),
    '',
  ];
  for (const r of list.rules) {
    const nums = r.references.map((ref) => refs.get(refKey(ref))!.n);
    lines.push(
      ...hanging(
        `${pal.severity(r.severity, SEVERITY_LABEL[r.severity].padEnd(4))}  ${r.id}  `,
        `(${r.family}; ${ownerText(r.owner)})`,
        width,
        6,
      ),
      ...hanging('      checks: ', r.title, width),
      ...hanging('      do:     ', r.action, width),
      ...hanging('      refs:   ', nums.map((n) => `[${n}]`).join(' '), width),
    );
  }
  lines.push('', 'References:');
  for (const { n, ref } of refs.values()) lines.push(...referenceLines(ref, `[${n}] `, width));
  lines.push('', 'Not checked (no HCX or ARM API exposes it; never read silence as compliance):');
  for (const nc of list.notChecked) lines.push(...hanging('  - ', `${nc.title}: ${nc.reason}`, width));
  lines.push('', 'One rule in full, with its remediation:', 'hcxmon rules <rule-id>');
  return lines.join('\n');
}

/** One rule in full: what it checks, the whole remediation, the commands in it on their own lines, the documents. */
export function renderRuleDetail(r: RuleListItem, opts: { width: number; color: boolean }): string {
  const { width } = opts;
  const pal = palette(opts.color);
  const { text, commands } = extractCommands(r.remediation);
  const lines: string[] = [
    ...wrap(`${r.id}: ${r.title}`, width).map((l) => pal.bold(l)),
    ...hanging(
      'severity:    ',
      `${pal.severity(r.severity, SEVERITY_LABEL[r.severity])} (${r.severity}, default)`,
      width,
    ),
    ...hanging('family:      ', r.family, width),
    ...hanging('owner:       ', ownerText(r.owner), width),
    ...hanging('applies to:  ', r.appliesTo.join(', '), width),
    ...hanging('reads:       ', r.needs.join(', ') || '-', width),
    '',
    'What to do:',
    ...hanging('  ', r.action, width),
    '',
    'Remediation:',
    ...hanging('  ', text, width),
    ...commands,
    '',
    'References:',
  ];
  for (const ref of r.references) lines.push(...referenceLines(ref, '  - ', width));
  return lines.join('\n');
}
