import type { Inventory } from '../domain/inventory';
import { compareVersionStrings, parseVersion } from '../rules/version';

/**
 * The upgrade gate: the seeds' prerequisites for upgrading HCX (seeds/000 "Prerequisites", seeds/002) checked
 * against the latest inventory. Pure: a function of the inventory and the baseline. Missing data is `unknown`,
 * never `pass`, so a target we could not read never looks ready.
 */

export type CheckStatus = 'pass' | 'fail' | 'unknown' | 'not_applicable';

export interface ReadinessCheck {
  id: string;
  title: string;
  status: CheckStatus;
  /** Why, in a sentence. */
  message: string;
  evidence: Record<string, unknown> & { source: string };
  /** The rule whose findings track this prerequisite. */
  ruleIds: string[];
  /** Seed document the prerequisite comes from. */
  reference: string;
}

export interface Readiness {
  targetId: string;
  targetName: string;
  targetKind: string;
  collectedAt?: string;
  currentVersion?: string;
  baselineVersion: string;
  /** ready: every check passes (or does not apply); blocked: one fails; unknown: otherwise. */
  verdict: 'ready' | 'blocked' | 'unknown';
  checks: ReadinessCheck[];
  /** Steps from the current version to the baseline (seeds: 4.4–4.8.x through 4.9.2, below 4.4 through 4.4.2). */
  upgradePath?: string[];
  notes: string[];
}

const SEED_UPGRADE = 'seeds/000_dc6714a3d2f4ae31.txt';
const SEED_MANAGER = 'seeds/002_d1c33be51aa4a7a0.txt';
const HEALTHY = /^(up|healthy|running|active|ok|success|connected|committed)$/i;

function check(
  id: string,
  title: string,
  status: CheckStatus,
  message: string,
  evidence: ReadinessCheck['evidence'],
  ruleIds: string[],
  reference = SEED_UPGRADE,
): ReadinessCheck {
  return { id, title, status, message, evidence, ruleIds, reference };
}

function notCollected(
  id: string,
  title: string,
  field: string,
  ruleIds: string[],
  inv: Inventory,
  reference?: string,
): ReadinessCheck {
  const issue = inv.issues.find((i) => i.call === field);
  const why = issue ? `${issue.errorClass}: ${issue.message}` : 'not collected this scan';
  return check(
    id,
    title,
    'unknown',
    `${field} could not be read (${why})`,
    { source: 'hcx', collected: false },
    ruleIds,
    reference,
  );
}

/** Upgrade path from `current` to `target` per the seeds' remediation notes. */
export function upgradePath(current: string, target: string): string[] | undefined {
  const cmp = compareVersionStrings(current, target);
  if (cmp === undefined) return undefined;
  if (cmp >= 0) return [];
  const steps: string[] = [];
  if ((compareVersionStrings(current, '4.4.0') ?? 0) < 0) steps.push('4.4.2');
  const from = steps.length ? '4.4.2' : current;
  if ((compareVersionStrings(from, '4.9.0') ?? 0) < 0 && (compareVersionStrings(target, '4.9.2') ?? 0) > 0)
    steps.push('4.9.2');
  steps.push(target);
  return steps;
}

export function evaluateReadiness(inv: Inventory, baseline: string): Readiness {
  const checks: ReadinessCheck[] = [];
  const isCloud = inv.target.kind === 'avs-private-cloud';
  const reach = inv.reachability.hybridity;
  const version = inv.manager?.version;

  // 1. The manager itself answers (everything below depends on it).
  if (!reach) {
    checks.push(
      check(
        'manager-reachable',
        'HCX Manager reachable',
        'unknown',
        'the manager was not contacted this scan',
        { source: 'hcx' },
        ['hcx-endpoint-unreachable'],
      ),
    );
  } else {
    checks.push(
      check(
        'manager-reachable',
        'HCX Manager reachable',
        reach.ok ? 'pass' : 'fail',
        reach.ok
          ? 'the hybridity API answered and accepted our credentials'
          : `unreachable: ${reach.errorClass ?? 'error'}${reach.message ? ` (${reach.message})` : ''}`,
        { source: 'hcx', ok: reach.ok, errorClass: reach.errorClass, status: reach.status },
        ['hcx-endpoint-unreachable'],
      ),
    );
  }

  // 2. Healthy connections to vCenter Server and NSX Manager (seed 000/002 prerequisite 1).
  {
    const id = 'vcenter-nsx-connections';
    const title = 'Healthy connections to vCenter Server and NSX Manager';
    const rules = ['hcx-manager-connection-unhealthy'];
    if (isCloud) {
      checks.push(
        check(
          id,
          title,
          'not_applicable',
          'the HCX Cloud Manager of a private cloud is operated by Microsoft; its vCenter/NSX registrations are not exposed to customers',
          { source: 'arm' },
          rules,
          SEED_MANAGER,
        ),
      );
    } else if (!inv.registrations) {
      checks.push(notCollected(id, title, 'registrations', rules, inv, SEED_MANAGER));
    } else {
      const vc = inv.registrations.vcenter;
      const nsx = inv.registrations.nsx;
      const vcOk = vc.length > 0 && vc.some((r) => !r.error);
      const nsxBad = nsx.filter((r) => r.error);
      const appengine = inv.services?.find((s) => s.name.toLowerCase() === 'appengine');
      const engineOk = appengine === undefined ? undefined : (appengine.result ?? '').toUpperCase() === 'RUNNING';
      const problems: string[] = [];
      if (!vcOk)
        problems.push(
          vc.length === 0 ? 'no vCenter Server registered' : 'the vCenter Server registration reports an error',
        );
      if (nsxBad.length) problems.push(`NSX registration error: ${nsxBad.map((r) => r.error).join('; ')}`);
      if (engineOk === false) problems.push(`app engine is ${appengine?.result ?? 'not running'}`);
      const status: CheckStatus = problems.length ? 'fail' : engineOk === undefined ? 'unknown' : 'pass';
      checks.push(
        check(
          id,
          title,
          status,
          problems.length
            ? problems.join('; ')
            : engineOk === undefined
              ? 'registrations healthy; app engine status not collected'
              : `vCenter registered${nsx.length ? ', NSX registered' : ''}, app engine running`,
          { source: 'appliance', vcenter: vc.length, nsx: nsx.length, appengine: appengine?.result },
          rules,
          SEED_MANAGER,
        ),
      );
    }
  }

  // 3. Healthy connections to the Interconnect service components: service meshes converged, tunnels up.
  {
    const id = 'interconnect-healthy';
    const title = 'Interconnect (Service Mesh) healthy and in sync';
    const rules = ['hcx-service-mesh-degraded'];
    if (!inv.serviceMeshes) checks.push(notCollected(id, title, 'serviceMeshes', rules, inv));
    else {
      const bad: string[] = [];
      for (const m of inv.serviceMeshes) {
        if ((m.state ?? '').toUpperCase() !== 'COMMITTED') bad.push(`${m.name}: state ${m.state ?? 'unknown'}`);
        for (const s of m.serviceStatuses ?? [])
          if (!HEALTHY.test(s.status)) bad.push(`${m.name}: ${s.name} ${s.status}`);
      }
      for (const a of inv.appliances ?? []) {
        if (a.tunnelTotal !== undefined && a.tunnelActive !== undefined && a.tunnelActive < a.tunnelTotal) {
          bad.push(`${a.name}: ${a.tunnelActive}/${a.tunnelTotal} tunnels up`);
        }
      }
      const tunnelsKnown = inv.appliances !== undefined;
      const status: CheckStatus = bad.length ? 'fail' : tunnelsKnown ? 'pass' : 'unknown';
      checks.push(
        check(
          id,
          title,
          status,
          bad.length
            ? bad.join('; ')
            : tunnelsKnown
              ? `${inv.serviceMeshes.length} service mesh(es) committed, tunnels up`
              : 'meshes committed; appliance tunnels not collected',
          { source: 'hcx', meshes: inv.serviceMeshes.length, problems: bad.slice(0, 20) },
          rules,
        ),
      );
    }
  }

  // 4. Site pair configurations healthy.
  {
    const id = 'site-pairs-healthy';
    const title = 'Site pairs healthy';
    const rules = ['hcx-site-pair-unhealthy', 'hcx-site-pair-version-skew'];
    if (!inv.sitePairs) checks.push(notCollected(id, title, 'sitePairs', rules, inv));
    else {
      const bad = inv.sitePairs.filter((p) => p.error || !parseVersion(p.remoteVersion).ok);
      checks.push(
        check(
          id,
          title,
          bad.length ? 'fail' : 'pass',
          bad.length
            ? bad.map((p) => `${p.name ?? p.id}: ${p.error ?? 'remote version unreadable'}`).join('; ')
            : `${inv.sitePairs.length} site pair(s) healthy`,
          {
            source: 'hcx',
            sitePairs: inv.sitePairs.map((p) => ({
              name: p.name ?? p.id,
              remoteVersion: p.remoteVersion,
              error: p.error,
            })),
          },
          rules,
        ),
      );
    }
  }

  // 5. No VM migrations in progress.
  {
    const id = 'no-migrations-in-progress';
    const title = 'No migrations in progress';
    const rules = ['hcx-migrations-in-progress'];
    if (!inv.migrations) checks.push(notCollected(id, title, 'migrations', rules, inv));
    else {
      const running = inv.migrations.filter((m) => (m.state ?? '').toUpperCase() === 'MIGRATING');
      checks.push(
        check(
          id,
          title,
          running.length ? 'fail' : 'pass',
          running.length ? `${running.length} migration(s) in progress` : 'no migration in progress',
          { source: 'hcx', migrating: running.length, sample: running.slice(0, 5).map((m) => m.entityName ?? m.id) },
          rules,
        ),
      );
    }
  }

  // 6. WAN Optimization not enabled: it blocks the upgrade to 4.11.3 (seed 000 caution).
  {
    const id = 'wan-optimization-disabled';
    const title = 'WAN Optimization not enabled (blocks 4.11.3)';
    const rules = ['hcx-wan-optimization-enabled'];
    if (!inv.serviceMeshes) checks.push(notCollected(id, title, 'serviceMeshes', rules, inv));
    else {
      const meshes = inv.serviceMeshes.filter((m) => m.services.some((s) => s.toUpperCase() === 'WANOPT'));
      const appliances = (inv.appliances ?? []).filter((a) => /WAN-?OPT/i.test(a.type));
      const found = meshes.length + appliances.length;
      const status: CheckStatus = found ? 'fail' : inv.appliances ? 'pass' : 'unknown';
      checks.push(
        check(
          id,
          title,
          status,
          found
            ? `WAN Optimization in ${[...meshes.map((m) => m.name), ...appliances.map((a) => a.name)].join(', ')}: remove it before the upgrade to 4.11.3`
            : status === 'pass'
              ? 'no service mesh uses WAN Optimization'
              : 'meshes show no WANOPT; appliances not collected',
          { source: 'hcx', meshes: meshes.map((m) => m.name), appliances: appliances.map((a) => a.name) },
          rules,
        ),
      );
    }
  }

  // 7. Service Mesh appliances current with the manager.
  {
    const id = 'appliances-current';
    const title = 'Service Mesh appliances current';
    const rules = ['hcx-appliance-outdated'];
    if (!inv.appliances) checks.push(notCollected(id, title, 'appliances', rules, inv));
    else if (!parseVersion(version).ok) {
      checks.push(
        check(
          id,
          title,
          'unknown',
          'manager version unknown: cannot compare appliance versions',
          { source: 'hcx' },
          rules,
        ),
      );
    } else {
      const behind = inv.appliances.filter(
        (a) => a.updateAvailable || (compareVersionStrings(a.version, version) ?? -1) < 0,
      );
      checks.push(
        check(
          id,
          title,
          behind.length ? 'fail' : 'pass',
          behind.length
            ? `${behind.length} appliance(s) behind the manager (${version}) or with an update available`
            : `all ${inv.appliances.length} appliance(s) at ${version} or later`,
          {
            source: 'hcx',
            managerVersion: version,
            behind: behind
              .slice(0, 20)
              .map((a) => ({ name: a.name, version: a.version, availableVersion: a.availableVersion })),
          },
          rules,
        ),
      );
    }
  }

  // 8. Version and upgrade path to the baseline.
  let path: string[] | undefined;
  {
    const id = 'version-path';
    const title = `Version at or on a supported path to ${baseline}`;
    const rules = ['hcx-version-below-baseline', 'hcx-version-end-of-support'];
    if (!parseVersion(version).ok) {
      checks.push(
        check(
          id,
          title,
          'unknown',
          version ? `unparsable manager version "${version}"` : 'manager version not collected',
          { source: 'hcx', version },
          rules,
        ),
      );
    } else {
      path = upgradePath(version!, baseline);
      const atBaseline = path !== undefined && path.length === 0;
      checks.push(
        check(
          id,
          title,
          atBaseline ? 'pass' : 'fail',
          atBaseline
            ? `running ${version}, at or above the baseline ${baseline}`
            : `running ${version}, below the baseline ${baseline}; path: ${[version, ...(path ?? [])].join(' → ')}`,
          { source: 'catalog', version, baseline, path },
          rules,
        ),
      );
    }
  }

  const statuses = checks.map((c) => c.status);
  const verdict = statuses.includes('fail') ? 'blocked' : statuses.includes('unknown') ? 'unknown' : 'ready';
  const notes = [
    'Back up the HCX Connector (appliance management interface) and snapshot it before upgrading; not observable through the API.',
    'Upgrade the Connector and the Cloud Manager together for compatibility, in a window with no queued HCX operations.',
    'Upgrade the Service Mesh appliances after every paired manager is upgraded and services have converged.',
  ];
  if (isCloud)
    notes.unshift(
      'Microsoft upgrades the HCX Cloud Manager in an agreed maintenance window; Connector and Service Mesh upgrades stay with the customer.',
    );
  return {
    targetId: inv.target.id,
    targetName: inv.target.name,
    targetKind: inv.target.kind,
    collectedAt: inv.collectedAt,
    currentVersion: version,
    baselineVersion: baseline,
    verdict,
    checks,
    upgradePath: path,
    notes,
  };
}
