import { z } from 'zod';
import { isSeverity, type Severity } from './domain/evaluation';
import { ConfigError } from './errors';

/**
 * Every setting the product reads, named once. Parsed and validated at start: a bad value fails fast with
 * the setting's name and what it expects. The CLI, the Functions app and the local host read the same names.
 */
export const SETTINGS = {
  subscriptionIds: 'HCXMON_SUBSCRIPTION_IDS',
  discoveryScope: 'HCXMON_DISCOVERY_SCOPE',
  armEndpoint: 'HCXMON_ARM_ENDPOINT',
  armAccessToken: 'HCXMON_ARM_ACCESS_TOKEN',
  armCaFile: 'HCXMON_ARM_CA_FILE',
  cloudCredentials: 'HCXMON_CLOUD_CREDENTIALS',
  connectors: 'HCXMON_CONNECTORS',
  hcxCaFile: 'HCXMON_HCX_CA_FILE',
  storage: 'HCXMON_STORAGE',
  scanSchedule: 'HCXMON_SCAN_SCHEDULE',
  concurrency: 'HCXMON_CONCURRENCY',
  httpTimeoutMs: 'HCXMON_HTTP_TIMEOUT_MS',
  baselineVersion: 'HCXMON_BASELINE_VERSION',
  extensionMaxDays: 'HCXMON_EXTENSION_MAX_DAYS',
  historyDays: 'HCXMON_HISTORY_DAYS',
  upgradeFollowUpMinutes: 'HCXMON_UPGRADE_FOLLOWUP_MINUTES',
  upgradeWindowHours: 'HCXMON_UPGRADE_WINDOW_HOURS',
  alertEndpoint: 'HCXMON_ALERT_ENDPOINT',
  alertRuleId: 'HCXMON_ALERT_RULE_ID',
  alertStream: 'HCXMON_ALERT_STREAM',
  alertMinSeverity: 'HCXMON_ALERT_MIN_SEVERITY',
  dashboardUrl: 'HCXMON_DASHBOARD_URL',
} as const;

/** Set by App Service when its built-in authentication is enabled; read, never set by us. */
export const PLATFORM_AUTH_SETTING = 'WEBSITE_AUTH_ENABLED';

/** Settings the Functions host itself reads for bindings (not ours, but infra/ must set them). */
export const HOST_STORAGE_SETTING = 'AzureWebJobsStorage';

export type CloudCredentialsMode = 'arm' | 'none';

export interface ConnectorConfig {
  name: string;
  url: string;
  username: string;
  /** Name of the setting that holds the password (in Azure, a Key Vault reference). */
  passwordSetting: string;
  applianceUrl?: string;
  adminUsername: string;
  adminPasswordSetting?: string;
  caFile?: string;
  certSha256?: string;
}

export type StorageConfig =
  | { kind: 'connectionString'; connectionString: string; setting: string }
  | { kind: 'identity'; tableServiceUri: string; queueServiceUri: string; clientId?: string }
  | { kind: 'embedded' };

export interface AlertConfig {
  endpoint?: string;
  ruleId?: string;
  stream: string;
  minSeverity: Severity;
}

/**
 * Where discovery looks for AVS private clouds (HCXMON_DISCOVERY_SCOPE). `tenant`: every subscription the identity
 * can read, Lighthouse-delegated ones included; `managementGroup`: the subscriptions below one management group;
 * `subscriptions`: exactly these (HCXMON_SUBSCRIPTION_IDS, today's behaviour); `none`: no Azure discovery at all
 * (an on-premises-only estate of HCXMON_CONNECTORS).
 */
export type DiscoveryScope =
  | { kind: 'tenant' }
  | { kind: 'managementGroup'; managementGroupId: string }
  | { kind: 'subscriptions'; subscriptionIds: string[] }
  | { kind: 'none' };

export interface Config {
  /** The subscriptions of a `subscriptions:` scope (HCXMON_SUBSCRIPTION_IDS); empty for the other scopes. */
  subscriptionIds: string[];
  /** Absent in hand-built configs: then the scope is `subscriptions` over `subscriptionIds` (loadConfig sets it). */
  discoveryScope?: DiscoveryScope;
  armEndpoint: string;
  armAccessToken?: string;
  armCaFile?: string;
  cloudCredentials: CloudCredentialsMode;
  connectors: ConnectorConfig[];
  hcxCaFile?: string;
  storage: StorageConfig;
  scanSchedule: string;
  /** Period of the schedule in hours, derived from it (24 for a daily schedule). */
  scanPeriodHours: number;
  concurrency: number;
  httpTimeoutMs: number;
  baselineVersion?: string;
  extensionMaxDays: number;
  historyDays: number;
  /** Upgrade windows (issue 16); absent in hand-built configs: the defaults below apply. */
  upgrade?: UpgradeSettings;
  alert: AlertConfig;
  dashboardUrl?: string;
  /**
   * App Service Authentication is on (the platform sets WEBSITE_AUTH_ENABLED): only then are the
   * x-ms-client-principal headers the platform's; without it any caller can write them.
   */
  platformAuth: boolean;
}

export interface UpgradeSettings {
  /** Delays (minutes) of the follow-up rescans queued when an upgrade is observed (HCXMON_UPGRADE_FOLLOWUP_MINUTES). */
  followUpMinutes: readonly number[];
  /** Hours after an observed upgrade by which it should have converged (HCXMON_UPGRADE_WINDOW_HOURS). */
  windowHours: number;
}

/** The upgrade settings of a config, defaults filled in. */
export function upgradeSettings(config: Pick<Config, 'upgrade'>): UpgradeSettings {
  return config.upgrade ?? { followUpMinutes: DEFAULTS.upgradeFollowUpMinutes, windowHours: DEFAULTS.upgradeWindowHours };
}

/**
 * Comma list of minutes, each 1–10080 (a queue message can stay invisible for 7 days at most), at most 10, strictly
 * increasing; empty (`none`) turns follow-up rescans off.
 */
function parseFollowUps(env: Env): readonly number[] {
  const name = SETTINGS.upgradeFollowUpMinutes;
  const raw = blankToUndefined(env[name]);
  if (raw === undefined) return DEFAULTS.upgradeFollowUpMinutes;
  if (raw.toLowerCase() === 'none') return [];
  const parts = raw.split(',').map((p) => p.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= 10080)) throw new ConfigError(name, `expected minutes between 1 and 10080, got "${p}"`);
    if (out.length > 0 && n <= out[out.length - 1]) throw new ConfigError(name, 'expected increasing delays, e.g. 15,60,360');
    out.push(n);
  }
  if (out.length > 10) throw new ConfigError(name, 'expected at most 10 delays');
  return out;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULTS = {
  armEndpoint: 'https://management.azure.com',
  cloudCredentials: 'arm' as CloudCredentialsMode,
  scanSchedule: '0 0 5 * * *',
  concurrency: 8,
  httpTimeoutMs: 15000,
  extensionMaxDays: 30,
  historyDays: 90,
  upgradeFollowUpMinutes: [15, 60, 360] as readonly number[],
  upgradeWindowHours: 8,
  alertStream: 'Custom-HcxComplianceFindings_CL',
  alertMinSeverity: 'high' as Severity,
};

const VERSION_RE = /^\d+(\.\d+){1,4}$/;
const SUBSCRIPTION_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Management group ids: letters, digits, '-', '_', '(', ')', '.'; up to 90 characters (ARM naming rules).
const MANAGEMENT_GROUP_RE = /^[A-Za-z0-9_().-]{1,90}$/;
const SETTING_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHA256_RE = /^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/;

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL');

const connectorSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    url: httpsUrl,
    username: z.string().min(1),
    passwordSetting: z.string().regex(SETTING_NAME_RE, 'must name a setting, not hold a password'),
    applianceUrl: httpsUrl.optional(),
    adminUsername: z.string().min(1).default('admin'),
    adminPasswordSetting: z.string().regex(SETTING_NAME_RE, 'must name a setting, not hold a password').optional(),
    caFile: z.string().min(1).optional(),
    certSha256: z.string().regex(SHA256_RE, 'must be a SHA-256 fingerprint in hex').optional(),
  })
  .strict()
  .refine((c) => !c.applianceUrl || c.adminPasswordSetting, {
    message: 'applianceUrl needs adminPasswordSetting',
    path: ['adminPasswordSetting'],
  });

function blankToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function parseIntSetting(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = blankToUndefined(env[name]);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${n}`);
  return n;
}

function parseConnectors(env: Env): ConnectorConfig[] {
  const name = SETTINGS.connectors;
  const raw = blankToUndefined(env[name]);
  if (raw === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(name, `is not valid JSON (${(err as Error).message}); expected a JSON array of connectors`);
  }
  if (!Array.isArray(json)) throw new ConfigError(name, 'expected a JSON array of connectors');
  const out: ConnectorConfig[] = [];
  json.forEach((item, i) => {
    const parsed = connectorSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length ? issue.path.join('.') : '(item)';
      const label = typeof (item as { name?: unknown })?.name === 'string' ? ` "${(item as { name: string }).name}"` : '';
      throw new ConfigError(name, `connector #${i + 1}${label}: ${where}: ${issue.message}`);
    }
    const c = parsed.data;
    for (const setting of [c.passwordSetting, c.adminPasswordSetting]) {
      if (setting !== undefined && blankToUndefined(env[setting]) === undefined) {
        throw new ConfigError(name, `connector "${c.name}": ${setting} names a setting that is not set`);
      }
    }
    out.push(c);
  });
  const names = new Set<string>();
  for (const c of out) {
    if (names.has(c.name)) throw new ConfigError(name, `connector name "${c.name}" is used twice`);
    names.add(c.name);
  }
  return out;
}

/**
 * NCRONTAB with six fields (second minute hour day month day-of-week), as the Functions timer takes it.
 * Returns the period in hours used by the staleness rule: hourly patterns give their step, anything else a day.
 */
export function parseSchedule(value: string, setting: string = SETTINGS.scanSchedule): number {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ConfigError(setting, `expected an NCRONTAB expression with 6 fields (e.g. "0 0 5 * * *"), got "${value}"`);
  }
  const ranges: [number, number][] = [
    [0, 59],
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
  ];
  const names = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$/i;
  fields.forEach((f, i) => {
    for (const part of f.split(',')) {
      const m = /^(\*|(\w+)(?:-(\w+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) throw new ConfigError(setting, `field ${i + 1} ("${f}") is not valid NCRONTAB`);
      for (const v of [m[2], m[3]]) {
        if (v === undefined) continue;
        if (names.test(v) && (i === 4 || i === 5)) continue;
        const n = Number(v);
        if (!Number.isInteger(n) || n < ranges[i][0] || n > ranges[i][1]) {
          throw new ConfigError(setting, `field ${i + 1} ("${f}") is out of range ${ranges[i][0]}-${ranges[i][1]}`);
        }
      }
    }
  });
  const hour = fields[2];
  if (hour === '*') return 1;
  const step = /^\*\/(\d+)$/.exec(hour);
  if (step) return Math.max(1, Number(step[1]));
  if (hour.includes(',')) {
    const hours = hour
      .split(',')
      .map(Number)
      .sort((a, b) => a - b);
    let gap = 24 - hours[hours.length - 1] + hours[0];
    for (let i = 1; i < hours.length; i++) gap = Math.max(gap, hours[i] - hours[i - 1]);
    return gap;
  }
  return 24;
}

function parseStorage(env: Env): StorageConfig {
  const own = blankToUndefined(env[SETTINGS.storage]);
  if (own !== undefined) return { kind: 'connectionString', connectionString: own, setting: SETTINGS.storage };
  const host = blankToUndefined(env[HOST_STORAGE_SETTING]);
  if (host !== undefined) return { kind: 'connectionString', connectionString: host, setting: HOST_STORAGE_SETTING };
  const tableServiceUri = blankToUndefined(env[`${HOST_STORAGE_SETTING}__tableServiceUri`]);
  const queueServiceUri = blankToUndefined(env[`${HOST_STORAGE_SETTING}__queueServiceUri`]);
  if (tableServiceUri || queueServiceUri) {
    if (!tableServiceUri || !queueServiceUri) {
      throw new ConfigError(
        `${HOST_STORAGE_SETTING}__tableServiceUri`,
        'identity-based storage needs both __tableServiceUri and __queueServiceUri',
      );
    }
    return {
      kind: 'identity',
      tableServiceUri,
      queueServiceUri,
      clientId: blankToUndefined(env[`${HOST_STORAGE_SETTING}__clientId`]),
    };
  }
  return { kind: 'embedded' };
}

function parseSubscriptionList(raw: string, setting: string): string[] {
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of ids) {
    if (!SUBSCRIPTION_RE.test(s)) {
      throw new ConfigError(setting, `"${s}" is not a subscription id (a GUID); expected a comma list`);
    }
  }
  return ids;
}

/**
 * HCXMON_DISCOVERY_SCOPE, with HCXMON_SUBSCRIPTION_IDS kept working: a subscription list alone means
 * `subscriptions:<list>`; nothing at all means `tenant` (every subscription the identity can see, so a private
 * cloud nobody listed is still checked). Both set is refused unless they agree, so no run silently ignores one.
 */
export function parseDiscoveryScope(env: Env): DiscoveryScope {
  const subsRaw = blankToUndefined(env[SETTINGS.subscriptionIds]);
  const listed = subsRaw ? parseSubscriptionList(subsRaw, SETTINGS.subscriptionIds) : [];
  const raw = blankToUndefined(env[SETTINGS.discoveryScope]);
  if (raw === undefined) return listed.length > 0 ? { kind: 'subscriptions', subscriptionIds: listed } : { kind: 'tenant' };
  const sep = raw.indexOf(':');
  const kind = (sep < 0 ? raw : raw.slice(0, sep)).trim().toLowerCase();
  const arg = sep < 0 ? '' : raw.slice(sep + 1).trim();
  let scope: DiscoveryScope;
  if (kind === 'tenant' && arg === '') scope = { kind: 'tenant' };
  else if (kind === 'none' && arg === '') scope = { kind: 'none' };
  else if (kind === 'managementgroup' && MANAGEMENT_GROUP_RE.test(arg))
    scope = { kind: 'managementGroup', managementGroupId: arg };
  else if (kind === 'subscriptions' && arg !== '')
    scope = { kind: 'subscriptions', subscriptionIds: parseSubscriptionList(arg, SETTINGS.discoveryScope) };
  else {
    throw new ConfigError(
      SETTINGS.discoveryScope,
      `expected "tenant", "managementGroup:<id>", "subscriptions:<id,id,…>" or "none", got "${raw.slice(0, 120)}"`,
    );
  }
  if (listed.length > 0) {
    const same =
      scope.kind === 'subscriptions' &&
      scope.subscriptionIds.length === listed.length &&
      scope.subscriptionIds.every((s) => listed.some((l) => l.toLowerCase() === s.toLowerCase()));
    if (!same) {
      throw new ConfigError(
        SETTINGS.subscriptionIds,
        `is set, but ${SETTINGS.discoveryScope}="${raw.slice(0, 120)}" chooses another scope; unset one of them`,
      );
    }
  }
  return scope;
}

export function loadConfig(env: Env = process.env): Config {
  const discoveryScope = parseDiscoveryScope(env);
  const subscriptionIds = discoveryScope.kind === 'subscriptions' ? discoveryScope.subscriptionIds : [];

  const armEndpoint = (blankToUndefined(env[SETTINGS.armEndpoint]) ?? DEFAULTS.armEndpoint).replace(/\/+$/, '');
  if (!httpsUrl.safeParse(armEndpoint).success) {
    throw new ConfigError(SETTINGS.armEndpoint, `expected an https:// URL, got "${armEndpoint}"`);
  }

  const mode = blankToUndefined(env[SETTINGS.cloudCredentials]) ?? DEFAULTS.cloudCredentials;
  if (mode !== 'arm' && mode !== 'none') {
    throw new ConfigError(SETTINGS.cloudCredentials, `expected "arm" or "none", got "${mode}"`);
  }

  const scanSchedule = blankToUndefined(env[SETTINGS.scanSchedule]) ?? DEFAULTS.scanSchedule;
  const scanPeriodHours = parseSchedule(scanSchedule);

  const baselineVersion = blankToUndefined(env[SETTINGS.baselineVersion]);
  if (baselineVersion !== undefined && !VERSION_RE.test(baselineVersion)) {
    throw new ConfigError(SETTINGS.baselineVersion, `expected a version like 4.11.3, got "${baselineVersion}"`);
  }

  const minSeverity = blankToUndefined(env[SETTINGS.alertMinSeverity]) ?? DEFAULTS.alertMinSeverity;
  if (!isSeverity(minSeverity)) {
    throw new ConfigError(SETTINGS.alertMinSeverity, `expected one of critical, high, medium, low, info, got "${minSeverity}"`);
  }
  const alertEndpoint = blankToUndefined(env[SETTINGS.alertEndpoint]);
  if (alertEndpoint !== undefined && !httpsUrl.safeParse(alertEndpoint).success) {
    throw new ConfigError(SETTINGS.alertEndpoint, `expected an https:// URL, got "${alertEndpoint}"`);
  }
  const alertRuleId = blankToUndefined(env[SETTINGS.alertRuleId]);
  if (alertEndpoint !== undefined && alertRuleId === undefined) {
    throw new ConfigError(SETTINGS.alertRuleId, `is required when ${SETTINGS.alertEndpoint} is set (the DCR immutable id)`);
  }

  return {
    subscriptionIds,
    discoveryScope,
    armEndpoint,
    armAccessToken: blankToUndefined(env[SETTINGS.armAccessToken]),
    armCaFile: blankToUndefined(env[SETTINGS.armCaFile]),
    cloudCredentials: mode,
    connectors: parseConnectors(env),
    hcxCaFile: blankToUndefined(env[SETTINGS.hcxCaFile]),
    storage: parseStorage(env),
    scanSchedule,
    scanPeriodHours,
    concurrency: parseIntSetting(env, SETTINGS.concurrency, DEFAULTS.concurrency, 1, 256),
    httpTimeoutMs: parseIntSetting(env, SETTINGS.httpTimeoutMs, DEFAULTS.httpTimeoutMs, 100, 300000),
    baselineVersion,
    extensionMaxDays: parseIntSetting(env, SETTINGS.extensionMaxDays, DEFAULTS.extensionMaxDays, 1, 3650),
    historyDays: parseIntSetting(env, SETTINGS.historyDays, DEFAULTS.historyDays, 1, 3650),
    upgrade: {
      followUpMinutes: parseFollowUps(env),
      windowHours: parseIntSetting(env, SETTINGS.upgradeWindowHours, DEFAULTS.upgradeWindowHours, 1, 720),
    },
    alert: {
      endpoint: alertEndpoint,
      ruleId: alertRuleId,
      stream: blankToUndefined(env[SETTINGS.alertStream]) ?? DEFAULTS.alertStream,
      minSeverity,
    },
    dashboardUrl: blankToUndefined(env[SETTINGS.dashboardUrl]),
    platformAuth: blankToUndefined(env[PLATFORM_AUTH_SETTING])?.toLowerCase() === 'true',
  };
}

/** Reads a secret from the setting a connector names. The value is never logged or put in an error. */
export function readSecret(env: Env, setting: string): string {
  const v = env[setting];
  if (v === undefined || v === '') throw new ConfigError(setting, 'is not set (it should hold a password)');
  return v;
}
