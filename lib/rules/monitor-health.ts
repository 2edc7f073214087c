import { DateTime } from 'luxon';
import type { Evaluation, RuleMeta } from '../domain/evaluation';
import type { ErrorClass, Inventory, Reachability } from '../domain/inventory';
import { BOTH, CUSTOMER, REF, TARGET, defineRule, evaluation, lc, type Subject } from './common';
import type { RuleContext } from './types';

const UNREACH = { id: 'hcx-endpoint-unreachable', defaultSeverity: 'high' } as const;
const STALE = { id: 'hcx-scan-stale', defaultSeverity: 'high' } as const;
const ADDON = { id: 'avs-hcx-addon-missing', defaultSeverity: 'high' } as const;

const HYBRIDITY: Subject = { id: 'hybridity', name: 'HCX Manager API (443)', kind: 'endpoint' };
const APPLIANCE_MGMT: Subject = {
  id: 'appliance-management',
  name: 'HCX appliance management (9443)',
  kind: 'endpoint',
};

const ERROR_CLASS_TEXT: Record<ErrorClass, string> = {
  timeout: 'timeout',
  tls: 'TLS failure (certificate not trusted or pin mismatch)',
  refused: 'connection refused',
  dns: 'DNS resolution failure',
  auth: 'authentication rejected (401/403)',
  http: 'HTTP error',
  malformed: 'malformed response',
  config: 'configuration error',
};

export function describeFailure(r: Reachability): string {
  const cls = r.errorClass ? ERROR_CLASS_TEXT[r.errorClass] : 'unreachable';
  const status = r.status ? ` ${r.status}` : '';
  const detail = r.message ? `: ${r.message}` : '';
  return `${cls}${r.errorClass === 'http' || r.errorClass === 'auth' ? status : ''}${detail}`;
}

function reachEval(inv: Inventory, s: Subject, r: Reachability, source: 'hcx' | 'appliance'): Evaluation {
  const ev = { source, ok: r.ok, errorClass: r.errorClass, status: r.status };
  if (r.ok)
    return evaluation(UNREACH, inv, s, 'pass', 'info', `${s.name} was reached and authenticated this scan.`, ev);
  return evaluation(
    UNREACH,
    inv,
    s,
    'fail',
    'high',
    `${s.name} could not be reached or authenticated this scan (${r.errorClass ?? 'error'}): ${describeFailure(r)}.`,
    ev,
  );
}

export const endpointUnreachable = defineRule({
  id: UNREACH.id,
  title: 'HCX endpoint unreachable',
  family: 'monitor-health',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade],
  action:
    "Restore the monitor's access to the manager by the error class shown: network path and firewall, TLS trust (CA file or pin), credentials, HCX services.",
  remediation:
    'While the monitor cannot reach an HCX Manager every HCX rule for it is unknown, so its compliance is blind. Check by error class: timeout/refused/DNS — network path and firewall from the monitor to the manager (443, and 9443 for Connectors); ' +
    'TLS — trust the manager’s CA with HCXMON_HCX_CA_FILE or the connector’s caFile/certSha256 (never disable verification); 401/403 — the credentials (connector password setting, or the private cloud’s cloudadmin role mapping); 5xx — the HCX services (restart the app engine on 9443). Customer-owned.',
  needs: ['reachability'],
  hcxDependent: true,
  naSubject: HYBRIDITY,
  evaluate(inv: Inventory): Evaluation[] {
    const out: Evaluation[] = [];
    const h = inv.reachability.hybridity;
    if (h === undefined) {
      out.push(
        evaluation(
          UNREACH,
          inv,
          HYBRIDITY,
          'unknown',
          'high',
          'The HCX Manager API was not contacted this scan (no URL or credentials available).',
          { source: 'hcx', attempted: false },
        ),
      );
    } else out.push(reachEval(inv, HYBRIDITY, h, 'hcx'));
    if (inv.target.kind === 'hcx-connector') {
      const a = inv.reachability.applianceManagement;
      if (a === undefined) {
        out.push(
          evaluation(
            UNREACH,
            inv,
            APPLIANCE_MGMT,
            'not_applicable',
            'high',
            'The appliance management interface (9443) is not configured for this Connector.',
            {
              source: 'operator',
              attempted: false,
            },
          ),
        );
      } else out.push(reachEval(inv, APPLIANCE_MGMT, a, 'appliance'));
    }
    return out;
  },
});

function successfulNow(inv: Inventory): boolean {
  return inv.reachability.hybridity?.ok === true && inv.manager !== undefined;
}

export const scanStale = defineRule({
  id: STALE.id,
  title: 'Target not collected successfully for too long',
  family: 'monitor-health',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsUpgrade],
  action: 'Find why collection fails (see hcx-endpoint-unreachable) and check that the scheduled scan runs.',
  remediation:
    'The monitor has not collected this HCX Manager successfully for more than twice the scan period (HCXMON_SCAN_SCHEDULE; 48 h for the daily default), so its findings are stale. ' +
    'See hcx-endpoint-unreachable for the cause; check that the scheduled scan runs (Function App, queue hcxmon-scan) and that the target is still discovered. Customer-owned.',
  needs: ['reachability', 'manager'],
  hcxDependent: true,
  naSubject: TARGET,
  evaluate(inv: Inventory, ctx: RuleContext): Evaluation[] {
    const hist = ctx.history.lastSuccessfulCollectionAt;
    const histDt = hist ? DateTime.fromISO(hist, { zone: 'utc' }) : undefined;
    const nowDt = successfulNow(inv) ? DateTime.fromISO(inv.collectedAt, { zone: 'utc' }) : undefined;
    const candidates: DateTime[] = [];
    for (const d of [histDt, nowDt]) if (d !== undefined && d.isValid) candidates.push(d);
    const limitHours = 2 * ctx.settings.scanPeriodHours;
    if (candidates.length === 0) {
      return [
        evaluation(STALE, inv, TARGET, 'unknown', 'high', 'No successful collection of this target is on record.', {
          source: 'observed',
          lastSuccessfulCollectionAt: hist,
          limitHours,
        }),
      ];
    }
    const last = candidates.reduce((a, b) => (b > a ? b : a));
    // A planning --as-of before the last collection would give a negative age: the collection is then "0 h ago".
    const ageHours = Math.max(0, ctx.asOf.toUTC().diff(last, 'hours').hours);
    const ev = {
      source: 'observed' as const,
      lastSuccessfulCollectionAt: last.toISO(),
      ageHours: Math.floor(ageHours),
      limitHours,
    };
    if (ageHours > limitHours) {
      return [
        evaluation(
          STALE,
          inv,
          TARGET,
          'fail',
          'high',
          `Last successful collection was ${Math.floor(ageHours)} h ago (${last.toISO()}), more than ${limitHours} h.`,
          ev,
        ),
      ];
    }
    return [
      evaluation(
        STALE,
        inv,
        TARGET,
        'pass',
        'info',
        `Last successful collection was ${Math.floor(ageHours)} h ago.`,
        ev,
      ),
    ];
  },
});

const PRIVATE_CLOUD: Subject = { id: 'private-cloud', name: 'AVS private cloud', kind: 'private-cloud' };

export const hcxAddonMissing = defineRule({
  id: ADDON.id,
  title: 'HCX add-on missing or failed on the private cloud',
  family: 'monitor-health',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: ['avs-private-cloud'],
  references: [REF.avsHcxAddon, REF.avsUpgrade],
  action:
    'Enable the HCX add-on in the Azure portal if you plan migrations; if provisioning failed, retry it or open a Microsoft support request.',
  remediation:
    'No HCX add-on: nothing to check for HCX on this private cloud (info); enable it in the Azure portal (Add-ons > Migration using HCX) if you plan migrations — the offer "(Enterprise)" is needed for NE HA. ' +
    'Provisioning failed: retry from the portal, or open a Microsoft support request for the private cloud. Customer-owned request; Microsoft operates the add-on.',
  needs: ['arm.hcxAddon'],
  hcxDependent: false,
  naSubject: PRIVATE_CLOUD,
  evaluate(inv: Inventory): Evaluation[] {
    const addon = inv.arm?.hcxAddon;
    if (addon === undefined) {
      return [
        evaluation(
          ADDON,
          inv,
          PRIVATE_CLOUD,
          'unknown',
          'high',
          'The private cloud’s add-ons were not collected from ARM this scan.',
          { source: 'arm', missing: ['arm.hcxAddon'] },
        ),
      ];
    }
    if (addon === null) {
      return [
        evaluation(
          ADDON,
          inv,
          PRIVATE_CLOUD,
          'fail',
          'info',
          'The private cloud has no HCX add-on: HCX rules are not applicable to it.',
          { source: 'arm', hcxAddon: null },
        ),
      ];
    }
    const state = addon.provisioningState;
    const ev = { source: 'arm' as const, offer: addon.offer, provisioningState: state };
    if (state === undefined)
      return [
        evaluation(ADDON, inv, PRIVATE_CLOUD, 'unknown', 'high', 'The HCX add-on reports no provisioning state.', ev),
      ];
    if (/fail|cancel/i.test(state)) {
      return [
        evaluation(
          ADDON,
          inv,
          PRIVATE_CLOUD,
          'fail',
          'high',
          `HCX add-on provisioning ${state}: the HCX Cloud Manager may not be available.`,
          ev,
        ),
      ];
    }
    if (lc(state) === 'succeeded')
      return [
        evaluation(
          ADDON,
          inv,
          PRIVATE_CLOUD,
          'pass',
          'info',
          `HCX add-on provisioned (${addon.offer ?? 'offer not reported'}).`,
          ev,
        ),
      ];
    return [
      evaluation(
        ADDON,
        inv,
        PRIVATE_CLOUD,
        'unknown',
        'high',
        `HCX add-on provisioning is ${state}; it is neither ready nor failed yet.`,
        ev,
      ),
    ];
  },
});

export const MONITOR_HEALTH_RULES = [endpointUnreachable, scanStale, hcxAddonMissing];

/**
 * A discovery scope the monitor's identity cannot read (issue 15). Judged by the scan from its discovery errors
 * (lib/scan-discovery.ts), not by the rule engine, since there is no inventory to evaluate; listed here so that the
 * catalog, `hcxmon rules`, rule filters and suppressions know it like any other rule.
 */
export const DISCOVERY_SCOPE_RULE: RuleMeta = {
  id: 'avs-discovery-scope-unreadable',
  title: 'Discovery scope not readable: its private clouds are not checked',
  family: 'monitor-health',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: ['avs-private-cloud'],
  references: [
    {
      source: 'https://learn.microsoft.com/azure/governance/resource-graph/overview',
      title: 'Microsoft Learn: What is Azure Resource Graph?',
    },
    {
      source: 'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-portal',
      title: 'Microsoft Learn: Assign Azure roles using the Azure portal',
    },
  ],
  action: "Grant the monitor's identity read where the private clouds are, or narrow HCXMON_DISCOVERY_SCOPE.",
  remediation:
    'Grant the monitor\'s identity read where the private clouds are: the AVS reader role in the subscription (main.bicep avsSubscriptionIds), or infra/discovery-reader.bicep at a management group (README "Deploy to Azure"). A subscription left unread on purpose: waive this finding (POST /api/suppressions) or choose a narrower HCXMON_DISCOVERY_SCOPE. Customer-owned.',
  needs: [],
};
