import { startUpgrade } from './upgrade';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { freePort } from '../azurite';
import { createArmHandler } from './arm';
import { generateLabCerts } from './certs';
import type { LabContext } from './context';
import { LAB_HOME_TENANT } from './graph';
import { createHcxHandler } from './hcx';
import { demoScenario } from './scenarios/demo';
import { buildManagerState, labPassword } from './state';
import type { ArmFaults, LabCloudSpec, LabHandle, LabManagerState, LabScenario, ManagerFaults } from './types';

export interface StartLabOptions {
  /** The estate to simulate; the demo estate when absent. */
  scenario?: LabScenario;
  /** Overrides the scenario's privateClouds.listInSubscription page size. */
  armPageSize?: number;
}

/** Name of the setting that holds a connector's password (a name, never the password). */
export function connectorPasswordSetting(id: string, admin = false): string {
  return `HCXMON_LAB_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${admin ? 'ADMIN_' : ''}PASSWORD`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts the simulated AVS + HCX estate: a fake ARM, one HCX server for every manager's hybridity API, one for
 * every connector's 9443 API, one with an untrusted certificate, all on 127.0.0.1 over real HTTPS.
 */
export async function startLab(options: StartLabOptions = {}): Promise<LabHandle> {
  const t0 = performance.now();
  const scenario = structuredClone(options.scenario ?? demoScenario());
  const [certs, deadPort] = await Promise.all([generateLabCerts(), freePort()]);

  const managers = new Map<string, LabManagerState>();
  const clouds = new Map<string, LabCloudSpec[]>();
  const nsxPasswords = new Map<string, string>();
  const add = (m: LabManagerState): void => {
    if (managers.has(m.id)) throw new Error(`lab: manager id "${m.id}" is used twice in scenario "${scenario.name}"`);
    managers.set(m.id, m);
  };
  for (const sub of scenario.subscriptions) {
    clouds.set(sub.id.toLowerCase(), sub.clouds);
    for (const c of sub.clouds) {
      if (c.manager) {
        add(buildManagerState(c.id, 'cloud', c.manager));
        nsxPasswords.set(c.id, labPassword());
      }
    }
  }
  for (const c of scenario.connectors) add(buildManagerState(c.id, 'connector', c.manager, c.username));

  const timers = new Set<NodeJS.Timeout>();
  const ctx: LabContext = {
    managers,
    clouds,
    nsxPasswords,
    requests: [],
    open: new Map(),
    armToken: `lab-${randomBytes(18).toString('base64url')}`,
    armFaults: scenario.armFaults ?? {},
    throttleLeft: new Map(),
    armPageSize: Math.max(1, options.armPageSize ?? scenario.armPageSize ?? 2),
    subscriptions: scenario.subscriptions,
    forbiddenSubscriptions: new Set(scenario.subscriptions.filter((s) => s.forbidden).map((s) => s.id.toLowerCase())),
    tenantId: scenario.tenantId ?? LAB_HOME_TENANT,
    graphPageRows: Math.max(1, Math.min(1000, scenario.graphPageRows ?? 1000)),
    subscriptionPageSize: Math.max(1, scenario.subscriptionPageSize ?? 50),
    graphQuota: { limit: Math.max(1, scenario.graphQuota ?? 15), used: 0 },
    origins: { arm: '', hcx: '', appliance: '', untrusted: '', dead: `https://127.0.0.1:${deadPort}` },
    sessions: new Map(),
    sessionExpiryArmed: new Set(),
    delay: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
    hcxUrl: (id) => {
      const m = managers.get(id);
      if (!m) throw new Error(`lab: no manager "${id}"`);
      const origin = m.faults.unreachable
        ? ctx.origins.dead
        : m.faults.wrongCertificate
          ? ctx.origins.untrusted
          : ctx.origins.hcx;
      return `${origin}/hcx/${encodeURIComponent(id)}/`;
    },
    applianceUrl: (id) => {
      const m = managers.get(id);
      if (!m?.applianceMgmt) return undefined;
      const f = m.faults;
      const origin =
        f.applianceUnreachable || f.unreachable
          ? ctx.origins.dead
          : f.wrongCertificate
            ? ctx.origins.untrusted
            : ctx.origins.appliance;
      return `${origin}/appliance/${encodeURIComponent(id)}/`;
    },
  };
  if (ctx.armFaults.throttle) ctx.throttleLeft.set('arm', ctx.armFaults.throttle.times);
  if (ctx.armFaults.graphThrottle) ctx.throttleLeft.set('graph', ctx.armFaults.graphThrottle.times);
  for (const m of managers.values()) {
    if (m.faults.throttle) ctx.throttleLeft.set(m.id, m.faults.throttle.times);
    if (m.faults.tokenExpiryAfterCalls !== undefined) ctx.sessionExpiryArmed.add(m.id);
  }

  const trusted = { key: certs.trusted.key, cert: certs.trusted.cert };
  const servers = {
    arm: createServer(trusted, createArmHandler(ctx)),
    hcx: createServer(trusted, createHcxHandler(ctx, ['hcx'])),
    appliance: createServer(trusted, createHcxHandler(ctx, ['appliance'])),
    untrusted: createServer(
      { key: certs.untrusted.key, cert: certs.untrusted.cert },
      createHcxHandler(ctx, ['hcx', 'appliance']),
    ),
  };
  let ports: number[];
  try {
    ports = await Promise.all(Object.values(servers).map(listen));
  } catch (err) {
    await Promise.all(Object.values(servers).map((s) => (s.listening ? close(s) : Promise.resolve())));
    await certs.remove();
    throw err;
  }
  const [armPort, hcxPort, appliancePort, untrustedPort] = ports;
  ctx.origins.arm = `https://127.0.0.1:${armPort}`;
  ctx.origins.hcx = `https://127.0.0.1:${hcxPort}`;
  ctx.origins.appliance = `https://127.0.0.1:${appliancePort}`;
  ctx.origins.untrusted = `https://127.0.0.1:${untrustedPort}`;

  const env: Record<string, string> = {};
  const refreshEnv = (): void => {
    const connectors = scenario.connectors.map((c) => {
      const m = managers.get(c.id) as LabManagerState;
      const entry: Record<string, string> = {
        name: c.id,
        // No trailing slash, as an operator would type it: clients must append to the base path.
        url: ctx.hcxUrl(c.id).replace(/\/$/, ''),
        username: m.username,
        passwordSetting: c.passwordSetting ?? connectorPasswordSetting(c.id),
      };
      const appUrl = ctx.applianceUrl(c.id);
      if (appUrl && c.configureAppliance !== false) {
        entry.applianceUrl = appUrl.replace(/\/$/, '');
        entry.adminUsername = 'admin';
        entry.adminPasswordSetting = c.adminPasswordSetting ?? connectorPasswordSetting(c.id, true);
      }
      return entry;
    });
    Object.assign(env, {
      HCXMON_SUBSCRIPTION_IDS: scenario.subscriptions.map((s) => s.id).join(','),
      HCXMON_ARM_ENDPOINT: ctx.origins.arm,
      HCXMON_ARM_ACCESS_TOKEN: ctx.armToken,
      HCXMON_ARM_CA_FILE: certs.caFile,
      HCXMON_HCX_CA_FILE: certs.caFile,
      HCXMON_CONNECTORS: JSON.stringify(connectors),
    });
    for (const c of scenario.connectors) {
      const m = managers.get(c.id) as LabManagerState;
      env[c.passwordSetting ?? connectorPasswordSetting(c.id)] = m.password;
      if (m.applianceMgmt)
        env[c.adminPasswordSetting ?? connectorPasswordSetting(c.id, true)] = m.applianceMgmt.adminPassword;
    }
  };
  refreshEnv();

  const secrets = [ctx.armToken, ...nsxPasswords.values()];
  for (const m of managers.values()) {
    secrets.push(m.password);
    if (m.applianceMgmt) secrets.push(m.applianceMgmt.adminPassword);
  }

  const get = (id: string): LabManagerState => {
    const m = managers.get(id);
    if (!m) throw new Error(`lab: no manager "${id}" (have: ${[...managers.keys()].join(', ')})`);
    return m;
  };

  let stopped: Promise<void> | undefined;
  const handle: LabHandle = {
    armEndpoint: ctx.origins.arm,
    armToken: ctx.armToken,
    caFile: certs.caFile,
    caPem: certs.trusted.caPem,
    subscriptionIds: scenario.subscriptions.map((s) => s.id),
    env,
    secrets,
    managerIds: [...managers.keys()],
    setFaults(managerId: string, faults: ManagerFaults) {
      const m = get(managerId);
      m.faults = Object.keys(faults).length === 0 ? {} : { ...m.faults, ...faults };
      if (faults.throttle) ctx.throttleLeft.set(managerId, faults.throttle.times);
      if (faults.tokenExpiryAfterCalls !== undefined) ctx.sessionExpiryArmed.add(managerId);
      refreshEnv();
    },
    setArmFaults(faults: ArmFaults) {
      ctx.armFaults = Object.keys(faults).length === 0 ? {} : { ...ctx.armFaults, ...faults };
      if (faults.throttle) ctx.throttleLeft.set('arm', faults.throttle.times);
      if (faults.graphThrottle) ctx.throttleLeft.set('graph', faults.graphThrottle.times);
    },
    upgradeManager(managerId, upgrade) {
      startUpgrade(get(managerId), upgrade);
    },
    updateManager(managerId, mutate) {
      mutate(get(managerId));
      refreshEnv();
    },
    requests: ctx.requests,
    hcxUrl: (id) => (get(id), ctx.hcxUrl(id)),
    applianceUrl: (id) => (get(id), ctx.applianceUrl(id)),
    getManager: get,
    scenario,
    startedInMs: 0,
    stop() {
      stopped ??= (async () => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        await Promise.all(Object.values(servers).map(close));
        ctx.sessions.clear();
        await certs.remove();
      })();
      return stopped;
    },
  };
  handle.startedInMs = Math.round((performance.now() - t0) * 10) / 10;
  return handle;
}
