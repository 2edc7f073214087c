import { odata } from '@azure/data-tables';
import type { LabHandle, ManagerFaults } from '../../dev/lab';
import type { Finding } from '../../lib/domain/finding';
import { targetKey } from '../../lib/findings/ids';
import type { Runtime } from '../../lib/runtime';
import type { ScanResult } from '../../lib/scan';
import { listAll } from '../../lib/store/tables';
import { rng } from '../../dev/lab/scenarios/generate';
import { tableSetFromConnectionString } from '../../lib/store/tables';

/** mulberry32: a failing run is replayed with FAULT_SEED=<seed>. */
export const prng = rng;

/**
 * FAULT_SEED when set; else `fallback` (the fast slice in `npm test` passes a fixed one so it is deterministic);
 * else a random seed (`npm run test:faults` explores).
 */
export function faultSeed(fallback?: number): number {
  const fixed = process.env.FAULT_SEED;
  const seed = fixed ? Number(fixed) : (fallback ?? Math.floor(Math.random() * 2 ** 31));
  // Printed so a failing run can be replayed: FAULT_SEED=<seed> npm run test:faults
  console.log(`FAULT_SEED=${seed}`);
  return seed;
}

const HCX_PATHS = ['cloudConfigs', 'serviceMesh', 'interconnect/appliances', 'l2Extensions', 'migrations', 'replications', 'metainfo'];

/** One random HCX fault (or none) for a manager; `timeoutMs` is the product's HCXMON_HTTP_TIMEOUT_MS. */
export function randomFault(r: () => number, timeoutMs: number): { name: string; faults: ManagerFaults } {
  const path = HCX_PATHS[Math.floor(r() * HCX_PATHS.length)];
  const kinds: { name: string; faults: ManagerFaults }[] = [
    { name: 'none', faults: {} },
    { name: 'timeout', faults: { latencyMs: timeoutMs * 3 } },
    { name: `5xx on ${path}`, faults: { http5xxOnPath: path, http5xxStatus: r() < 0.5 ? 500 : 503 } },
    { name: `429 on ${path}`, faults: { throttle: { times: 1 + Math.floor(r() * 2), retryAfterSeconds: 1, onPath: path } } },
    { name: '401 mid-scan', faults: { tokenExpiryAfterCalls: 1 + Math.floor(r() * 5) } },
    { name: `malformed JSON on ${path}`, faults: { malformedJsonOnPath: path } },
    { name: 'TLS mismatch', faults: { wrongCertificate: true } },
    { name: 'unreachable', faults: { unreachable: true } },
  ];
  return kinds[Math.floor(r() * kinds.length)];
}

/**
 * The one scan status each seeded fault must produce for its manager's target, given the status a clean collection
 * of that target has (`clean`) and whether the target's HCX URL follows the lab (`urlFollowsLab`: a private cloud's
 * comes from ARM on every scan; a Connector's is read from HCXMON_CONNECTORS when the runtime starts, so the lab
 * moving it is never seen). Each follows from what dev/lab/hcx.ts and lab.ts do:
 * - clean `unreachable` (a manager that never answers): stays `unreachable` whatever else goes wrong;
 * - none: as clean;
 * - 429 + Retry-After on a path (at most 2 answers): the client waits and retries each call, so as clean;
 * - 401 mid-scan: the lab expires one session once (the first to make N calls) and the client re-logs in once per
 *   call into a session that lasts, so every call recovers: as clean;
 * - timeout: every answer, the login's included, comes 3× the product's HTTP timeout late: `unreachable`;
 * - unreachable: `unreachable` for both kinds — a private cloud's URL moves to a dead port (refused); a Connector
 *   keeps its URL on the shared port, where the lab drops the connection (reset, also a failed login);
 * - TLS mismatch: only the URL moves to the untrusted server (the trusted one keeps serving the manager), so a
 *   private cloud is `unreachable` (tls) and a Connector, still on the trusted URL, is as clean;
 * - one path failing (5xx after the retries, malformed JSON): the login works, that call does not: `partial`.
 */
export function expectedStatus(fault: string, clean: string, urlFollowsLab: boolean): string {
  if (clean === 'unreachable') return 'unreachable';
  if (fault === 'none' || fault.startsWith('429 on') || fault === '401 mid-scan') return clean;
  if (fault === 'timeout' || fault === 'unreachable') return 'unreachable';
  if (fault === 'TLS mismatch') return urlFollowsLab ? 'unreachable' : clean;
  if (fault.startsWith('5xx on') || fault.startsWith('malformed JSON on')) return 'partial';
  throw new Error(`no expected status for fault "${fault}"`);
}

export function applyRandomFaults(lab: LabHandle, r: () => number, timeoutMs: number): Record<string, string> {
  const plan: Record<string, string> = {};
  for (const id of lab.managerIds) {
    const f = randomFault(r, timeoutMs);
    plan[id] = f.name;
    lab.setFaults(id, f.faults);
  }
  return plan;
}

/** Every row of every table of this runtime's prefix, as JSON text (for the secret scan). */
export async function dumpTables(connectionString: string, rt: Runtime): Promise<string> {
  const prefix = rt.stores.tableNames.findings.slice(0, -'findings'.length);
  const tables = tableSetFromConnectionString(connectionString, { tablePrefix: prefix });
  const out: string[] = [];
  for (const name of new Set(Object.values(rt.stores.tableNames))) {
    const rows = await listAll(await tables.client(name.slice(prefix.length)));
    out.push(JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  }
  return out.join('\n');
}

export async function allFindingRows(connectionString: string, rt: Runtime): Promise<{ partitionKey: string; rowKey: string; targetId: string }[]> {
  const prefix = rt.stores.tableNames.findings.slice(0, -'findings'.length);
  const tables = tableSetFromConnectionString(connectionString, { tablePrefix: prefix });
  const rows = await listAll(await tables.client('findings'), odata`rowType eq ${'finding'}`);
  return rows.map((r) => ({ partitionKey: r.partitionKey as string, rowKey: r.rowKey as string, targetId: String(r.targetId) }));
}

/** What the invariants compare against: the state after a clean scan of the same (unchanged) estate. */
export interface Baseline {
  findings: Map<string, Finding>;
}

export async function baselineOf(rt: Runtime, targetIds: readonly string[]): Promise<Baseline> {
  const findings = new Map<string, Finding>();
  for (const id of targetIds) for (const f of await rt.stores.findings.listForTarget(id)) findings.set(f.id, f);
  return { findings };
}

/**
 * The invariants every fault run must keep (as assertions, on the stored state, not on logs):
 * 1. fail closed — the estate did not change, so no finding that was open or unknown at the baseline is resolved
 *    or missing now; a target whose collection failed never reports `ok`;
 * 2. one row per finding id, in its own target's partition;
 * 3. no secret in any log line, error, table row or outcome.
 */
export async function checkInvariants(args: {
  rt: Runtime;
  lab: LabHandle;
  connectionString: string;
  baseline: Baseline;
  results: ScanResult[];
  logs: readonly string[];
  context: string;
}): Promise<void> {
  const { rt, lab, baseline, context } = args;
  const now = new Map<string, Finding>();
  for (const id of new Set([...baseline.findings.values()].map((f) => f.targetId))) {
    for (const f of await rt.stores.findings.listForTarget(id)) now.set(f.id, f);
  }
  const violations: string[] = [];
  for (const [id, before] of baseline.findings) {
    if (before.status === 'resolved') continue;
    const after = now.get(id);
    if (!after) violations.push(`${id}: lost (was ${before.status})`);
    else if (after.status === 'resolved') violations.push(`${id}: resolved by a faulty scan (was ${before.status})`);
  }
  for (const r of args.results) {
    for (const t of r.targets) {
      if (t.outcome.status === 'ok' && t.outcome.issues.length > 0) violations.push(`${t.outcome.targetId}: ok with issues ${t.outcome.issues.join(', ')}`);
    }
  }
  expect({ context, violations }).toEqual({ context, violations: [] });

  const rows = await allFindingRows(args.connectionString, rt);
  const ids = rows.map((r) => r.rowKey);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of rows) expect(r.partitionKey).toBe(targetKey(r.targetId));

  const haystack = [await dumpTables(args.connectionString, rt), JSON.stringify(args.results), ...args.logs].join('\n');
  for (const secret of lab.secrets) expect(haystack.includes(secret)).toBe(false);
}

/** Captures console output (the product logs through console) for the secret scan. */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...a: unknown[]) => void lines.push(a.map((x) => (x instanceof Error ? `${x.message} ${x.stack}` : typeof x === 'string' ? x : JSON.stringify(x))).join(' '));
  }
  return { lines, restore: () => methods.forEach((m, i) => (console[m] = saved[i])) };
}
