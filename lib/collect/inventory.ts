/**
 * ARM + HCX → one Inventory for one target. Never throws for a collection failure: each failed collection leaves
 * its field `undefined` and records a CollectionIssue, so a failure can never read as compliant.
 */
import { readSecret, type Config, type Env } from '../config';
import { emptyInventory, type CollectionIssue, type Inventory, type Reachability } from '../domain/inventory';
import type { Target } from '../domain/target';
import { CollectionError, ConfigError } from '../errors';
import { armClientFor, armIssue, cloudAdminCredentials, collectArmFacts, type ArmClientFactory } from './avs';
import { ApplianceClient, HybridityClient, type Credentials } from './hcx/client';
import { HCX_MAX_SOCKETS_PER_ENDPOINT, HttpTransport, type TransportOptions, type TransportStats } from './hcx/http';
import { mapPool } from '../pool';
import { collectMaintenance } from './maintenance';
import type { ArmRest } from './discovery';
import { resolveTrust, type ResolvedTrust } from './hcx/tls';

export interface CollectStats {
  hybridity?: TransportStats & { logins: number };
  appliance?: TransportStats;
}

export interface CollectDeps {
  config: Config;
  /** Where connector password settings are read from (process.env in production). */
  env: Env;
  /** The collection instant (`collectedAt`); now by default. */
  asOf?: Date;
  armClients?: ArmClientFactory;
  /** Transport overrides (retry counts, waits) — tests and benchmarks. */
  transport?: Partial<Pick<TransportOptions, 'maxRetries' | 'maxBytes' | 'retryAfterCapMs' | 'backoffBaseMs' | 'backoffCapMs'>>;
  /** Receives request/retry/wait counts when the collection ends. */
  onStats?: (stats: CollectStats) => void;
  /** ARM REST client for the calls `@azure/arm-avs` lacks (maintenances, Service Health); default: one per config. */
  armRest?: ArmRest;
  /** Aborted when the scan abandons this collection (its budget ran out): every request still pending ends. */
  signal?: AbortSignal;
}

/** Errors that mean "the endpoint itself is not usable", after which further calls to it are pointless. */
const ENDPOINT_DOWN = new Set(['timeout', 'tls', 'refused', 'dns', 'auth', 'config']);

export function issueFrom(err: unknown, source: CollectionIssue['source'], call: string): CollectionIssue {
  if (err instanceof CollectionError) {
    // Filed under the interface being collected, which the caller knows: an error's own source defaults to hcx
    // where its thrower forgot to name one (a bad 9443 certificate pin was once filed under hcx that way).
    const issue: CollectionIssue = { source, call, errorClass: err.errorClass, message: err.message };
    if (err.details.status !== undefined) issue.status = err.details.status;
    return issue;
  }
  if (err instanceof ConfigError) return { source, call, errorClass: 'config', message: err.message };
  // A bug, not a wire problem: still recorded (fail closed), named by type only.
  const name = err instanceof Error ? err.name : typeof err;
  return { source, call, errorClass: 'malformed', message: `${call}: malformed (unexpected ${name})` };
}

function unreachable(issue: CollectionIssue): Reachability {
  const r: Reachability = { ok: false, errorClass: issue.errorClass, message: issue.message };
  if (issue.status !== undefined) r.status = issue.status;
  return r;
}

function trustFor(config: Config, target: Target, source: 'hcx' | 'appliance'): ResolvedTrust {
  const caFiles = [config.hcxCaFile, target.trust?.caFile].filter((f): f is string => !!f);
  return resolveTrust({ caFiles, certSha256: target.trust?.certSha256 }, source);
}

export async function collectInventory(target: Target, deps: CollectDeps): Promise<Inventory> {
  const { config } = deps;
  const inv = emptyInventory({ id: target.id, name: target.name, kind: target.kind }, (deps.asOf ?? new Date()).toISOString());
  const stats: CollectStats = {};
  try {
    let hcxUrl = target.hcxUrl;
    let credentials: Credentials | undefined;

    if (target.kind === 'avs-private-cloud') {
      let client;
      try {
        client = armClientFor(config, target, deps.armClients);
      } catch (err) {
        inv.issues.push(issueFrom(err, 'arm', 'arm'));
        return inv;
      }
      const facts = await collectArmFacts(config, target, client, deps.signal);
      inv.arm = facts.arm;
      inv.issues.push(...facts.issues);
      // What is scheduled for the cloud (issue 16): its own REST calls, never fatal to the rest of the collection. A
      // caller that injects its ARM clients (tests of the SDK path) gives the REST client too, or the schedule stays
      // unread (`unknown` to the rules).
      if (deps.armRest || !deps.armClients) await collectMaintenance(config, target, inv, deps.armRest);
      hcxUrl = facts.hcxUrl;
      // `none`: ARM facts only; HCX is not attempted (reachability stays undefined = not attempted).
      if (config.cloudCredentials === 'none') return inv;
      // No HCX add-on: there is no HCX Manager to talk to.
      if (facts.arm.hcxAddon === null) return inv;
      try {
        credentials = await cloudAdminCredentials(config, target, client, deps.signal);
      } catch (err) {
        const issue = err instanceof CollectionError ? issueFrom(err, 'arm', 'listAdminCredentials') : armIssue('listAdminCredentials', err);
        inv.issues.push(issue);
        inv.reachability.hybridity = unreachable(issue);
        return inv;
      }
    } else {
      try {
        const c = target.connector;
        if (!c) throw new ConfigError('HCXMON_CONNECTORS', `connector ${target.name} has no credentials configured`);
        credentials = { username: c.username, password: readSecret(deps.env, c.passwordSetting) };
      } catch (err) {
        const issue = issueFrom(err, 'hcx', 'login');
        inv.issues.push(issue);
        inv.reachability.hybridity = unreachable(issue);
      }
    }

    // A Connector's appliance management interface (9443) is its own endpoint with its own login: collected
    // alongside the Manager's API rather than after it. collectAppliance records its failures and never rejects.
    const appliance =
      target.kind === 'hcx-connector' && target.applianceUrl ? collectAppliance(inv, target, target.applianceUrl, deps) : undefined;
    try {
      if (credentials) {
        if (!hcxUrl) {
          const issue: CollectionIssue = { source: 'hcx', call: 'login', errorClass: 'config', message: 'login: config (no HCX Manager URL known for this target)' };
          inv.issues.push(issue);
          inv.reachability.hybridity = unreachable(issue);
        } else {
          stats.hybridity = await collectHybridity(inv, target, hcxUrl, credentials, deps);
        }
      }
    } finally {
      credentials = undefined;
      if (appliance) stats.appliance = await appliance;
    }
    return inv;
  } finally {
    deps.onStats?.(stats);
  }
}

function transportFor(url: string, source: 'hcx' | 'appliance', trust: ResolvedTrust, deps: CollectDeps): HttpTransport {
  return new HttpTransport({ baseUrl: url, source, timeoutMs: deps.config.httpTimeoutMs, trust, signal: deps.signal, ...deps.transport });
}

async function collectHybridity(
  inv: Inventory,
  target: Target,
  url: string,
  credentials: Credentials,
  deps: CollectDeps,
): Promise<TransportStats & { logins: number }> {
  let transport: HttpTransport | undefined;
  let client: HybridityClient | undefined;
  try {
    transport = transportFor(url, 'hcx', trustFor(deps.config, target, 'hcx'), deps);
    client = new HybridityClient(transport, credentials);
    await client.login();
  } catch (err) {
    const issue = issueFrom(err, 'hcx', 'login');
    inv.issues.push(issue);
    inv.reachability.hybridity = unreachable(issue);
    transport?.close();
    return { ...(transport?.stats ?? { requests: 0, retries: 0, waits: 0, waitedMs: 0, retryAfterWaits: 0 }), logins: client?.logins ?? 0 };
  }
  inv.reachability.hybridity = { ok: true };
  const hcx = client;

  const attempt = async <K extends keyof Inventory>(field: K, fn: () => Promise<Inventory[K]>): Promise<Inventory[K] | undefined> => {
    try {
      const v = await fn();
      inv[field] = v;
      return v;
    } catch (err) {
      inv.issues.push(issueFrom(err, 'hcx', field));
      return undefined;
    }
  };

  await Promise.all([
    attempt('manager', () => hcx.version()),
    attempt('sitePairs', () => hcx.sitePairs()),
    attempt('serviceMeshes', () => hcx.serviceMeshes()).then(async (meshes) => {
      // HA groups are listed per mesh; one failing mesh makes the whole list unknown (a partial list could
      // hide the degraded group). Tunnel metrics are asked for by mesh too.
      if (meshes === undefined) return;
      // At most as many at once as the manager has connections: a manager with hundreds of meshes queues its own
      // calls instead of parking hundreds of promises on the transport.
      const meshIds = meshes.map((m) => m.id);
      await Promise.all([
        attempt('haGroups', async () => {
          const lists = await mapPool(meshIds, HCX_MAX_SOCKETS_PER_ENDPOINT, (id) => hcx.haGroups(id));
          const groups = [];
          for (const r of lists) {
            if (r.status === 'rejected') throw r.reason;
            groups.push(...r.value);
          }
          return groups;
        }),
        optional(inv, 'tunnelMetrics', () => hcx.tunnelMetrics(meshIds)),
      ]);
    }),
    attempt('appliances', () => hcx.appliances()),
    attempt('extensions', () => hcx.extensions()),
    attempt('migrations', () => hcx.migrations()),
    attempt('replicationSummary', () => hcx.replicationSummary()),
    optional(inv, 'hcxAlerts', () => hcx.alerts()),
  ]);
  // Filled as the optional calls finish: sorted so that the same estate always gives the same Inventory.
  inv.unsupported?.sort();
  transport.close();
  return { ...transport.stats, logins: hcx.logins };
}

/**
 * A call some builds do not offer (HCX's own alerts, the interconnect metrics): a 404 means this build does not
 * have it, which is not a failure, so the field is marked unsupported; any other failure is an issue.
 */
async function optional<K extends 'hcxAlerts' | 'tunnelMetrics'>(inv: Inventory, field: K, fn: () => Promise<Inventory[K]>): Promise<void> {
  try {
    inv[field] = await fn();
  } catch (err) {
    if (err instanceof CollectionError && err.details.status === 404) {
      (inv.unsupported ??= []).push(field);
      return;
    }
    inv.issues.push(issueFrom(err, 'hcx', field));
  }
}

async function collectAppliance(inv: Inventory, target: Target, url: string, deps: CollectDeps): Promise<TransportStats> {
  let transport: HttpTransport | undefined;
  try {
    const c = target.connector;
    if (!c?.adminPasswordSetting) throw new ConfigError('HCXMON_CONNECTORS', `connector ${target.name}: applianceUrl needs adminPasswordSetting`);
    const creds: Credentials = { username: c.adminUsername ?? 'admin', password: readSecret(deps.env, c.adminPasswordSetting) };
    transport = transportFor(url, 'appliance', trustFor(deps.config, target, 'appliance'), deps);
    const client = new ApplianceClient(transport, creds);

    // The first call doubles as the reachability probe: if the interface is down, stop there.
    try {
      const { licensing, statusError } = await client.licensing();
      inv.licensing = licensing;
      if (statusError) inv.issues.push(issueFrom(statusError, 'appliance', 'licensing.activationStatus'));
    } catch (err) {
      const issue = issueFrom(err, 'appliance', 'licensing');
      inv.issues.push(issue);
      if (ENDPOINT_DOWN.has(issue.errorClass)) {
        inv.reachability.applianceManagement = unreachable(issue);
        return transport.stats;
      }
    }
    inv.reachability.applianceManagement = { ok: true };
    await Promise.all([
      client.registrations().then(
        (r) => void (inv.registrations = r),
        (err) => void inv.issues.push(issueFrom(err, 'appliance', 'registrations')),
      ),
      client.services().then(
        (s) => void (inv.services = s),
        (err) => void inv.issues.push(issueFrom(err, 'appliance', 'services')),
      ),
    ]);
    return transport.stats;
  } catch (err) {
    const issue = issueFrom(err, 'appliance', 'applianceManagement');
    inv.issues.push(issue);
    inv.reachability.applianceManagement = unreachable(issue);
    return transport?.stats ?? { requests: 0, retries: 0, waits: 0, waitedMs: 0, retryAfterWaits: 0 };
  } finally {
    transport?.close();
  }
}
