import type { Deadline, Evaluation, Evidence, Severity } from '../domain/evaluation';
import type { Fact, TargetHistory } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import { addDays, describeDeadline, makeDeadline, severityForBand, toIsoDate, utcDate } from './deadline';
import {
  CUSTOMER,
  MANAGER,
  REF,
  allSubjects,
  defineRule,
  evaluation,
  hostOf,
  lc,
  managerVersion,
  notCollected,
  type Subject,
} from './common';
import type { ConnectorKeyDeadline, RuleContext } from './types';
import { parseVersion, versionLessThan } from './version';

export const ACTIVATION_KEY_RULE = 'hcx-activation-key-expiry';
const EXPIRY = { id: ACTIVATION_KEY_RULE, defaultSeverity: 'high' } as const;
const LEGACY = { id: 'hcx-legacy-activation-endpoint', defaultSeverity: 'high' } as const;

/** Activation keys stop working this many days after the system is upgraded to 4.11.0 (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). */
export const ACTIVATION_KEY_LIFETIME_DAYS = 450;
export const LOCAL_MODE_FROM = '4.11.0';
/** Broadcom's 4.10.x end of support; Microsoft had moved every AVS Cloud Manager to ≥ 4.11.0 by then (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). */
export const AVS_CLOUD_MANAGERS_ON_411_BY = '2025-07-27';

function shellWord(s: string): string {
  return /^[A-Za-z0-9_:./@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The exact CLI command that records the upgrade date (`--subject` for one enterprise-site key). */
export function factCommand(inv: Inventory, subjectId?: string): string {
  const subject = subjectId ? ` --subject ${shellWord(subjectId)}` : '';
  return `hcxmon fact set ${shellWord(inv.target.id)} upgradedTo411At YYYY-MM-DD${subject}`;
}

interface Basis {
  deadline: Deadline;
  /** Why and from what; shown in the message. */
  explain: string;
  evidence: Evidence;
}

/** Fact for target+subject first, then for the target as a whole. */
function upgradeFact(facts: readonly Fact[], targetId: string, subjectId: string): Fact | undefined {
  // The CLI stores target ids in lower case; connector names may not be.
  const mine = facts.filter((f) => f.name === 'upgradedTo411At' && f.targetId.toLowerCase() === targetId.toLowerCase());
  return (
    mine.find((f) => f.subjectId === subjectId) ?? mine.find((f) => f.subjectId === undefined || f.subjectId === '')
  );
}

function operatorBasis(ctx: RuleContext, inv: Inventory, subjectId: string): Basis | undefined {
  const fact = upgradeFact(ctx.facts, inv.target.id, subjectId);
  if (!fact) return undefined;
  const day = utcDate(fact.value);
  if (!day) return undefined;
  const upgraded = toIsoDate(day);
  const date = addDays(upgraded, ACTIVATION_KEY_LIFETIME_DAYS) as string;
  return {
    deadline: makeDeadline(date, 'operator', ctx.asOf),
    explain: `upgraded to 4.11.0 on ${upgraded} (operator fact set by ${fact.setBy} on ${fact.setAt.slice(0, 10)}) + ${ACTIVATION_KEY_LIFETIME_DAYS} days`,
    evidence: {
      source: 'operator',
      fact: 'upgradedTo411At',
      upgradedTo411At: upgraded,
      factSubject: fact.subjectId,
      setBy: fact.setBy,
      setAt: fact.setAt,
    },
  };
}

/**
 * Brackets the upgrade from our own version history: the latest observation below 4.11.0 (its lastSeenAt) and the
 * first observation at ≥ 4.11.0 (its firstSeenAt). The earlier bound drives the deadline: the key may die that soon.
 */
export function observedBracket(history: TargetHistory): { before?: string; after?: string } {
  let before: string | undefined;
  let after: string | undefined;
  for (const o of history.versions) {
    const p = parseVersion(o.version);
    if (!p.ok) continue;
    if (versionLessThan(p.version, LOCAL_MODE_FROM)) {
      if (!before || o.lastSeenAt > before) before = o.lastSeenAt;
    } else if (!after || o.firstSeenAt < after) {
      after = o.firstSeenAt;
    }
  }
  // A downgrade after the first ≥ 4.11 sighting would invert the bracket; the bracket is then meaningless.
  if (before && after && before > after) return { after };
  return { before, after };
}

function observedBasis(ctx: RuleContext, inv: Inventory): Basis | { latestOnly: string } | undefined {
  const { before, after } = observedBracket(ctx.history);
  const b = utcDate(before);
  const a = utcDate(after);
  if (b && a) {
    const early = addDays(toIsoDate(b), ACTIVATION_KEY_LIFETIME_DAYS) as string;
    const late = addDays(toIsoDate(a), ACTIVATION_KEY_LIFETIME_DAYS) as string;
    return {
      deadline: makeDeadline(early, 'observed', ctx.asOf, late),
      explain: `our scans saw the upgrade to 4.11.0 between ${toIsoDate(b)} and ${toIsoDate(a)}, so the key stops working between ${early} and ${late}; the earlier date is used`,
      evidence: {
        source: 'observed',
        lastSeenBelow411: before,
        firstSeenAt411: after,
        earliestDeadline: early,
        latestDeadline: late,
      },
    };
  }
  // A first sighting only bounds the upgrade when an earlier scan made it: this scan's own observation (or a
  // planning --as-of's) is not evidence of when the upgrade happened.
  if (a && after! < inv.collectedAt)
    return { latestOnly: addDays(toIsoDate(a), ACTIVATION_KEY_LIFETIME_DAYS) as string };
  return undefined;
}

function applianceBasis(inv: Inventory, ctx: RuleContext): Basis | undefined {
  const at = inv.licensing?.activationExpiresAt;
  const day = utcDate(at);
  if (!day) return undefined;
  const date = toIsoDate(day);
  return {
    deadline: makeDeadline(date, 'appliance', ctx.asOf),
    explain: `the appliance reports the activation expires at ${at}`,
    // Stryker disable next-line OptionalChaining: equivalent — `at` came from inv.licensing, so it is defined here
    evidence: { source: 'appliance', activationExpiresAt: at, activationStatus: inv.licensing?.activationStatus },
  };
}

/** The same key (matched by its kept last characters) dated on a Connector this product monitors. */
function peerKey(ctx: RuleContext, keyLast4: string | undefined): ConnectorKeyDeadline | undefined {
  if (!keyLast4) return undefined;
  const mine = ctx.connectorKeys.filter((k) => k.keyLast4.toUpperCase() === keyLast4.toUpperCase());
  // Two Connectors showing the same last characters: the earlier deadline is the one that can bite. On the same
  // date the Connector named is the first by id, so the finding does not change with the order the store lists them.
  const first = (a: ConnectorKeyDeadline, b: ConnectorKeyDeadline) =>
    b.deadline.date < a.deadline.date || (b.deadline.date === a.deadline.date && b.targetId < a.targetId) ? b : a;
  return mine.length ? mine.reduce(first) : undefined;
}

/** `keyLast4` is the site's spelling: the message names the key once already, and the match ignores case. */
function connectorBasis(ctx: RuleContext, k: ConnectorKeyDeadline, keyLast4: string): Basis {
  return {
    deadline: makeDeadline(k.deadline.date, k.deadline.basis, ctx.asOf, k.deadline.latestDate),
    explain: `the same key (…${keyLast4}) is used by Connector ${k.targetName}, monitored here, whose upgrade to 4.11.0 dates it (${k.deadline.basis})`,
    evidence: {
      source: k.deadline.basis,
      connector: k.targetId,
      connectorName: k.targetName,
      keyLast4,
      connectorDeadline: k.deadline.date,
    },
  };
}

function verdict(
  inv: Inventory,
  s: Subject,
  basis: Basis,
  what: string,
  status: 'fail' | 'unknown' = 'fail',
  extra = '',
): Evaluation {
  const severity: Severity = severityForBand(basis.deadline.band, 'low');
  const verb = basis.deadline.daysLeft <= 0 ? 'stopped working on' : 'stops working on';
  return evaluation(
    EXPIRY,
    inv,
    s,
    status,
    severity,
    `${what} ${verb} ${describeDeadline(basis.deadline)}: ${basis.explain}. Move to the HCX license-key model before then.${extra}`,
    basis.evidence,
    basis.deadline,
  );
}

function askForFact(
  inv: Inventory,
  s: Subject,
  what: string,
  hint: string,
  evidence: Evidence,
  status: 'fail' | 'unknown' = 'fail',
): Evaluation {
  // A key that will die is a risk we can see even when we cannot date it: it fails (high) so that it pages,
  // asking for the fact that dates it (RULES.md); an `unknown` would reach nobody.
  return evaluation(
    EXPIRY,
    inv,
    s,
    status,
    'high',
    `${what} stops working ${ACTIVATION_KEY_LIFETIME_DAYS} days after the upgrade to 4.11.0, but that date is not known.${hint} ` +
      `Set it with: ${factCommand(inv, s.id === MANAGER.id ? undefined : s.id)}`,
    evidence,
  );
}

function connectorExpiry(inv: Inventory, ctx: RuleContext): Evaluation[] {
  const v = managerVersion(inv);
  if (!v.ok)
    return [
      evaluation(EXPIRY, inv, MANAGER, 'unknown', 'high', `Cannot tell whether the 450-day clock runs: ${v.reason}.`, {
        source: 'hcx',
        version: v.raw,
      }),
    ];
  if (versionLessThan(v.version, LOCAL_MODE_FROM)) {
    return [
      evaluation(
        EXPIRY,
        inv,
        MANAGER,
        'not_applicable',
        'high',
        `HCX ${v.raw} is below 4.11.0: the 450-day clock has not started (see hcx-legacy-activation-endpoint).`,
        {
          source: 'hcx',
          version: v.raw,
        },
      ),
    ];
  }
  const model = inv.licensing?.model;
  if (model === 'license-key') {
    return [
      evaluation(
        EXPIRY,
        inv,
        MANAGER,
        'pass',
        'info',
        'The Connector uses the HCX license-key model; activation-key expiry does not apply.',
        { source: 'appliance', model },
      ),
    ];
  }
  if (model === 'evaluation') {
    return [
      evaluation(
        EXPIRY,
        inv,
        MANAGER,
        'pass',
        'info',
        'The Connector runs on an evaluation licence, not an activation key.',
        { source: 'appliance', model },
      ),
    ];
  }
  // Without the 9443 licence data the model is unconfirmed: report the deadline, but as unknown rather than fail.
  const confirmed = model === 'activation-key';
  const status = confirmed ? 'fail' : 'unknown';
  const unconfirmed = confirmed
    ? ''
    : ` The licensing model was ${inv.licensing ? 'not reported' : 'not collected (configure the Connector applianceUrl for port 9443)'}; an activation key is assumed until shown otherwise.`;
  const what = `The Connector's activation key${inv.licensing?.keyLast4 ? ` (…${inv.licensing.keyLast4})` : ''}`;
  const basis = applianceBasis(inv, ctx) ?? operatorBasis(ctx, inv, MANAGER.id);
  const observed = basis ? undefined : observedBasis(ctx, inv);
  const chosen = basis ?? (observed && 'deadline' in observed ? observed : undefined);
  // The key's last characters travel with the verdict so a private cloud consuming the same key can find it.
  const keyed = (e: Evaluation): Evaluation =>
    inv.licensing?.keyLast4 ? { ...e, evidence: { ...e.evidence, keyLast4: inv.licensing.keyLast4 } } : e;
  if (chosen) return [keyed(verdict(inv, MANAGER, chosen, what, status, unconfirmed))];
  if (observed && 'latestOnly' in observed)
    return [keyed(atTheLatest(inv, ctx, MANAGER, what, observed.latestOnly, status, unconfirmed))];
  return [
    askForFact(
      inv,
      MANAGER,
      what,
      unconfirmed,
      {
        source: 'hcx',
        version: v.raw,
        model: model ?? 'not-collected',
      },
      status,
    ),
  ];
}

/**
 * Only an upper bound is known (our first sighting at ≥ 4.11.0): the key dies by that bound + 450 days at the
 * latest, and possibly much earlier — so at least high until an operator fact dates it, and critical once the
 * bound has passed.
 */
function atTheLatest(
  inv: Inventory,
  ctx: RuleContext,
  s: Subject,
  what: string,
  latest: string,
  status: 'fail' | 'unknown',
  extra: string,
  why = 'our scans first saw it at 4.11.0 or later then, and the upgrade may have been earlier',
  evidence: Evidence = {
    source: 'observed',
    latestDeadline: latest,
    firstSeenAt411: observedBracket(ctx.history).after,
  },
): Evaluation {
  const deadline: Deadline = { ...makeDeadline(latest, evidence.source, ctx.asOf), atTheLatest: true };
  // Stryker disable next-line StringLiteral: equivalent — only `critical` is told apart below; any other band, including `later`, is high
  const band = severityForBand(deadline.band, 'high');
  const severity: Severity = band === 'critical' ? 'critical' : 'high';
  const verb = deadline.daysLeft <= 0 ? 'stopped working by' : 'stops working by';
  return evaluation(
    EXPIRY,
    inv,
    s,
    status,
    severity,
    `${what} ${verb} ${describeDeadline(deadline)} at the latest: ${why}. ` +
      `Record the upgrade date for the exact deadline: ${factCommand(inv, s.id === MANAGER.id ? undefined : s.id)}.${extra}`,
    evidence,
    deadline,
  );
}

/**
 * Private cloud: each Consumed HCX enterprise-site activation key is used by some on-premises Connector, and its
 * 450-day clock starts when THAT Connector is upgraded to 4.11.0. The Cloud Manager's own upgrade (and hence
 * Microsoft's "every Cloud Manager was on 4.11.0 by 2025-07-27", and our history of the Cloud Manager's
 * versions) says nothing sound about when the Connector was upgraded — it may have been later (a later deadline)
 * or earlier. So only appliance-free bases apply here: an operator fact for the site, then for the target; else
 * unknown (high), with the 2026-10-20 figure given only as a hint.
 */
function enterpriseSiteExpiry(inv: Inventory, ctx: RuleContext): Evaluation[] {
  const sites = inv.arm?.enterpriseSites;
  const all = allSubjects('enterprise-site', 'HCX enterprise sites');
  if (sites === undefined) return [notCollected(EXPIRY, inv, all, 'arm.enterpriseSites', 'arm')];
  // The Cloud Manager's own version does not stop these clocks: each key's clock is its Connector's (a Connector may
  // run 4.11 beside an older Cloud Manager), so a cloud below 4.11.0 still lists its consumed keys.
  return sites
    .filter((site) => site.status === undefined || lc(site.status) === 'consumed')
    .map((site) => {
      const s: Subject = { id: site.name, name: site.name, kind: 'enterprise-site' };
      if (site.status === undefined)
        return evaluation(
          EXPIRY,
          inv,
          s,
          'unknown',
          'high',
          `HCX enterprise site ${site.name} reports no status, so whether its activation key …${site.keyLast4 ?? '????'} is consumed by a Connector cannot be told.`,
          { source: 'arm', site: site.name, keyLast4: site.keyLast4, status: null },
        );
      const what = `Activation key …${site.keyLast4 ?? '????'} of HCX enterprise site ${site.name} (consumed by an on-premises Connector)`;
      const operator = operatorBasis(ctx, inv, site.name);
      if (operator) return verdict(inv, s, operator, what);
      const peer = peerKey(ctx, site.keyLast4);
      if (peer?.deadline.atTheLatest)
        return atTheLatest(
          inv,
          ctx,
          s,
          what,
          peer.deadline.date,
          'fail',
          '',
          `the same key (…${site.keyLast4}) is used by Connector ${peer.targetName}, monitored here, which our scans first saw at 4.11.0 or later then`,
          {
            source: peer.deadline.basis,
            connector: peer.targetId,
            connectorName: peer.targetName,
            keyLast4: site.keyLast4,
            latestDeadline: peer.deadline.date,
          },
        );
      if (peer) return verdict(inv, s, connectorBasis(ctx, peer, site.keyLast4!), what);
      const hint = addDays(AVS_CLOUD_MANAGERS_ON_411_BY, ACTIVATION_KEY_LIFETIME_DAYS);
      return askForFact(
        inv,
        s,
        what,
        ` Its clock starts when the Connector using it was upgraded to 4.11.0, which neither ARM nor the Cloud Manager reports (if that Connector was upgraded by ${AVS_CLOUD_MANAGERS_ON_411_BY}, when Microsoft had moved every AVS Cloud Manager to 4.11.0, the key stops working by ${hint}). If that Connector is monitored here with the same key, its date is used instead.`,
        { source: 'arm', site: site.name, keyLast4: site.keyLast4, status: site.status },
      );
    });
}

export const activationKeyExpiry = defineRule({
  id: EXPIRY.id,
  title: 'HCX activation key stops working 450 days after the upgrade to 4.11.0',
  family: 'licensing',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: ['avs-private-cloud', 'hcx-connector'],
  references: [REF.avsUpgrade, REF.rn411, REF.activationStatus],
  action:
    'Move to the HCX license-key model before the key stops working; if the 4.11.0 upgrade date is unknown, record it as the upgradedTo411At fact.',
  remediation:
    'Activation keys are deprecated from HCX 4.11.0 and stop working 450 days after the upgrade to 4.11.0 (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). Move the Connector to the HCX license-key model before the deadline (you own the Connector; on AVS the keys come from the HCX add-on’s enterprise sites in the Azure portal). ' +
    'When the upgrade date is not known, record it: `hcxmon fact set <target> upgradedTo411At YYYY-MM-DD` (add `--subject <enterprise site>` for one key of a private cloud). ' +
    'For a private cloud, each Consumed enterprise-site key is tracked separately because its clock starts with the upgrade of the Connector that uses it, not with the Cloud Manager’s.',
  needs: ['manager.version', 'licensing', 'arm.enterpriseSites'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory, ctx: RuleContext): Evaluation[] {
    return inv.target.kind === 'hcx-connector' ? connectorExpiry(inv, ctx) : enterpriseSiteExpiry(inv, ctx);
  },
});

const LEGACY_HOSTS = ['connect.hcx.vmware.com', 'hybridity-depot.vmware.com'];

export const legacyActivationEndpoint = defineRule({
  id: LEGACY.id,
  title: 'Activation points at a decommissioned VMware endpoint',
  family: 'licensing',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  // Licensing is read from the appliance-management interface (9443), which only Connectors expose to us.
  appliesTo: ['hcx-connector'],
  references: [REF.avsUpgrade, REF.rn411],
  action: 'Upgrade the Connector to 4.11.x: activation against the decommissioned VMware endpoints stops working.',
  remediation:
    'connect.hcx.vmware.com and hybridity-depot.vmware.com are decommissioned: HCX systems below 4.11.0 that activate against them stop working (Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    'Upgrade the Connector to 4.11.x (AVS: request the bundle through a support request, or use the vSAN datastore folder "AVS_Official_HCX_Connector_Binaries" once the Cloud Manager is on 4.11) and move to local licensing. Customer-owned.',
  needs: ['manager.version', 'licensing'],
  hcxDependent: true,
  naSubject: MANAGER,
  evaluate(inv: Inventory): Evaluation[] {
    const v = managerVersion(inv);
    if (!v.ok)
      return [
        evaluation(LEGACY, inv, MANAGER, 'unknown', 'high', `Cannot evaluate: ${v.reason}.`, {
          source: 'hcx',
          version: v.raw,
        }),
      ];
    if (!versionLessThan(v.version, LOCAL_MODE_FROM)) {
      return [
        evaluation(
          LEGACY,
          inv,
          MANAGER,
          'pass',
          'info',
          `HCX ${v.raw} runs in local mode (4.11.0 or later) and no longer uses the legacy activation endpoints.`,
          { source: 'hcx', version: v.raw },
        ),
      ];
    }
    if (inv.licensing === undefined) return [notCollected(LEGACY, inv, MANAGER, 'licensing', 'appliance')];
    const url = inv.licensing.activationServerUrl;
    const evidence = {
      source: 'appliance' as const,
      version: v.raw,
      activationServerUrl: url,
      model: inv.licensing.model,
    };
    if (url && LEGACY_HOSTS.includes(hostOf(url) ?? lc(url))) {
      return [
        evaluation(
          LEGACY,
          inv,
          MANAGER,
          'fail',
          'high',
          `HCX ${v.raw} activates against ${hostOf(url) ?? lc(url)}, which is decommissioned: activation stops working.`,
          evidence,
        ),
      ];
    }
    if (url === undefined && inv.licensing.model !== 'license-key') {
      return [
        evaluation(
          LEGACY,
          inv,
          MANAGER,
          'unknown',
          'high',
          'The activation server configuration was not reported.',
          evidence,
        ),
      ];
    }
    return [
      evaluation(LEGACY, inv, MANAGER, 'pass', 'info', `Activation does not use a decommissioned endpoint.`, evidence),
    ];
  },
});

export const LICENSING_RULES = [activationKeyExpiry, legacyActivationEndpoint];
