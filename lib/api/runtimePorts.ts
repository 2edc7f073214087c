import { DateTime } from 'luxon';
import type { Config, Env } from '../config';
import type {
  FactsRepository,
  FindingsRepository,
  InventoryRepository,
  ScansRepository,
  SuppressionsRepository,
} from '../store';
import { ConfigError } from '../errors';
import type { ScanQueue } from '../queue';
import { CATALOG_RULES, NOT_CHECKED } from '../rules';
import { baselineVersion, DEFAULT_CATALOG, supportStatus, type LifecycleCatalog } from '../rules/lifecycle';
import { parseVersion } from '../rules/version';
import type { Runtime } from '../runtime';
import { enqueueScan, nowOf, type ScanDeps } from '../scan';
import type { ScanRecord, TargetOutcome } from '../scan-types';
import type { AlertsPort, ApiPorts, LifecyclePort, RuleCatalogPort, ScanStarterPort, SupportLine } from './ports';

/** The Table repositories the API reads and writes (lib/store). */
export interface ApiStores {
  findings: Pick<FindingsRepository, 'query' | 'get'>;
  inventory: Pick<InventoryRepository, 'getLatest' | 'getHistory' | 'listTargets' | 'getSummary'>;
  scans: Pick<ScansRepository, 'list' | 'get'>;
  suppressions: Pick<SuppressionsRepository, 'list' | 'put' | 'delete'>;
  facts: Pick<FactsRepository, 'list' | 'set'>;
}

export function lifecyclePort(catalog: LifecycleCatalog, override: string | undefined, now: () => Date): LifecyclePort {
  return {
    baseline: baselineVersion(catalog, override),
    catalogAsOf: catalog.asOf,
    supportOf(version): SupportLine | undefined {
      const parsed = parseVersion(version);
      if (!parsed.ok) return undefined;
      const s = supportStatus(catalog, parsed.version);
      const label = s.entry?.label ?? parsed.version.parts.join('.');
      if (s.kind === 'past') return { label, status: 'ended', note: s.reason };
      if (s.kind === 'no-date') return { label, status: 'not-published', note: s.reason };
      const today = DateTime.fromJSDate(now(), { zone: 'utc' }).toISODate()!;
      const days = DateTime.fromISO(s.endOfSupport, { zone: 'utc' }).diff(
        DateTime.fromISO(today, { zone: 'utc' }),
        'days',
      ).days;
      return {
        label,
        endOfSupport: s.endOfSupport,
        status: days <= 0 ? 'ended' : days <= 180 ? 'ending' : 'supported',
      };
    },
  };
}

export function ruleCatalogPort(): RuleCatalogPort {
  // Only metadata: the evaluate functions stay out of the JSON.
  const rules = CATALOG_RULES.map((r) => ({
    id: r.id,
    title: r.title,
    family: r.family,
    defaultSeverity: r.defaultSeverity,
    owner: r.owner,
    appliesTo: r.appliesTo,
    references: r.references,
    remediation: r.remediation,
    action: r.action,
    needs: r.needs,
  }));
  return { rules, notChecked: NOT_CHECKED };
}

/** POST /api/scans: discover and write the scan row (lib/scan startScan), then one queue message per target. */
export function scanStarterPort(
  deps: ScanDeps,
  queue: Pick<ScanQueue, 'send'>,
  /** The runtime's enqueueScan, which also completes a scan that found no target; lib/scan's when absent. */
  enqueue: (targetFilter?: string) => Promise<{ scan: ScanRecord; targets: unknown[] }> = (targetFilter) =>
    enqueueScan(deps, queue, { trigger: 'http', targetFilter }),
): ScanStarterPort {
  return {
    async start({ targetId }) {
      const { scan, targets } = await enqueue(targetId);
      return { scanId: scan.scanId, asOf: scan.asOf, targets: scan.targets, enqueued: targets.length };
    },
  };
}

export function alertsPort(dispatcher: {
  sendTestEvent(requestedBy?: string): Promise<{ status: string; error?: string; findingId?: string }>;
}): AlertsPort {
  return {
    async sendTest(requestedBy) {
      const r = await dispatcher.sendTestEvent(requestedBy);
      if (r.status === 'sent') return { sent: true, detail: `test event sent (finding id ${r.findingId})` };
      if (r.status === 'not-configured')
        return { sent: false, detail: 'no alert endpoint configured (HCXMON_ALERT_ENDPOINT)' };
      return { sent: false, detail: `alert service did not accept the test event: ${r.error ?? 'unknown error'}` };
    },
  };
}

export interface StorePortsOptions {
  config: Pick<Config, 'baselineVersion'> & Partial<Pick<Config, 'platformAuth'>>;
  catalog?: LifecycleCatalog;
  scanStarter?: ScanStarterPort;
  alerts?: AlertsPort;
  now?: () => Date;
  log?: (message: string) => void;
}

/** ApiPorts over the Table repositories. */
export function storePorts(stores: ApiStores, opts: StorePortsOptions): ApiPorts {
  const now = opts.now ?? (() => new Date());
  return {
    now,
    log: opts.log ?? ((m) => console.error(m)),
    platformAuth: opts.config.platformAuth === true,
    findings: {
      async list(filter, page) {
        return stores.findings.query(
          {
            status: filter.statuses,
            minSeverity: filter.minSeverity,
            ruleId: filter.ruleId,
            targetId: filter.targetId,
            owner: filter.owner,
            dueBefore: filter.dueBefore,
          },
          { pageSize: page.limit, continuationToken: page.continuationToken },
        );
      },
      get: (id) => stores.findings.get(id),
    },
    inventory: {
      latest: (id) => stores.inventory.getLatest(id),
      listTargets: () => stores.inventory.listTargets(),
      summary: (id) => stores.inventory.getSummary(id),
      history: (id) => stores.inventory.getHistory(id),
    },
    scans: {
      async list(page) {
        return stores.scans.list({ pageSize: page.limit, continuationToken: page.continuationToken });
      },
      async get(id) {
        const d = await stores.scans.get(id);
        return d ? { scan: d.scan, outcomes: d.targets } : undefined;
      },
      async latestOutcomes() {
        // The newest outcome per target across the last few scans (a single-target scan covers only one).
        const page = await stores.scans.list({ pageSize: 10 });
        const latest = new Map<string, TargetOutcome>();
        for (const s of page.items) {
          const d = await stores.scans.get(s.scanId);
          for (const o of d?.targets ?? []) if (!latest.has(o.targetId)) latest.set(o.targetId, o);
        }
        return [...latest.values()];
      },
    },
    suppressions: {
      list: () => stores.suppressions.list(),
      create: (s) => stores.suppressions.put(s),
      delete: (id) => stores.suppressions.delete(id),
    },
    facts: {
      list: (id) => stores.facts.list(id),
      put: (f) => stores.facts.set(f),
    },
    rules: ruleCatalogPort(),
    lifecycle: lifecyclePort(opts.catalog ?? DEFAULT_CATALOG, opts.config.baselineVersion, now),
    scanStarter: opts.scanStarter,
    alerts: opts.alerts,
  };
}

// --- the process-wide ports the Functions app uses -----------------------------------------------------------

let provider: ((env: Env) => ApiPorts | Promise<ApiPorts>) | undefined;
let cached: Promise<ApiPorts> | undefined;

/**
 * The runtime (lib/runtime.ts, the local host, tests) installs how ports are built; functions/http.ts asks for
 * them lazily on the first request so a bad setting is reported as a 503 with its name, not a crash at load.
 */
export function setApiPortsProvider(fn: ((env: Env) => ApiPorts | Promise<ApiPorts>) | undefined): void {
  provider = fn;
  cached = undefined;
}

export function getApiPorts(env: Env = process.env): Promise<ApiPorts> {
  if (!provider) {
    return Promise.reject(
      new ConfigError('HCXMON_STORAGE', 'the API runtime is not initialised (no ports provider installed)'),
    );
  }
  cached ??= Promise.resolve(provider(env)).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** The ports of the process runtime (lib/runtime): its stores, the scan queue, the alert dispatcher. */
export function portsFromRuntime(rt: Runtime): ApiPorts {
  return storePorts(rt.stores, {
    config: rt.config,
    // The runtime's clock: the CLI and the API count days left from the same "today" (a test moves it by hand).
    now: () => nowOf(rt.deps).toJSDate(),
    scanStarter: scanStarterPort(rt.deps, rt.scanQueue(), (targetFilter) => rt.enqueueScan('http', { targetFilter })),
    alerts: alertsPort(rt.dispatcher),
  });
}
