import type { ArmFaults, LabCloudSpec, LabManagerState, LabRequestRecord, LabSubscriptionSpec } from './types';

/** Shared, mutable state of one running lab: what the servers read on every request. */
export interface LabContext {
  managers: Map<string, LabManagerState>;
  /** Private clouds per subscription (lower-case subscription id), in scenario order. */
  clouds: Map<string, LabCloudSpec[]>;
  /** ARM-side secrets per cloud manager id: the NSX password listAdminCredentials returns next to vCenter's. */
  nsxPasswords: Map<string, string>;
  requests: LabRequestRecord[];
  /** Requests being answered, keyed by `server/manager` (what `inFlight` of a request record counts). */
  open: Map<string, number>;
  armToken: string;
  armFaults: ArmFaults;
  /** Remaining throttle answers (decremented per 429 sent), keyed by manager id or `arm`. */
  throttleLeft: Map<string, number>;
  armPageSize: number;
  /** Every scenario subscription (forbidden ones included), for GET /subscriptions and Resource Graph. */
  subscriptions: LabSubscriptionSpec[];
  /** Lower-case ids of subscriptions the identity cannot read (ARM answers 403). */
  forbiddenSubscriptions: Set<string>;
  /** The identity's home tenant. */
  tenantId: string;
  graphPageRows: number;
  /** Subscriptions per page of GET /subscriptions (ARM pages the list with an absolute nextLink). */
  subscriptionPageSize: number;
  graphQuota: { limit: number; used: number };
  origins: { arm: string; hcx: string; appliance: string; untrusted: string; dead: string };
  /** hybridity tokens → manager id and calls made with it. */
  sessions: Map<string, { managerId: string; calls: number }>;
  /** Managers whose `tokenExpiryAfterCalls` has not fired yet since it was set: it expires one session, once. */
  sessionExpiryArmed: Set<string>;
  /** A delay that stop() can cancel (no timers left behind). */
  delay(ms: number): Promise<void>;
  hcxUrl(managerId: string): string;
  applianceUrl(managerId: string): string | undefined;
}

export function record(
  ctx: LabContext,
  server: LabRequestRecord['server'],
  manager: string | undefined,
  method: string,
  path: string,
  status: number,
  inFlight?: number,
): void {
  ctx.requests.push({
    at: Date.now(),
    server,
    manager,
    method,
    path,
    status,
    ...(inFlight !== undefined ? { inFlight } : {}),
  });
}
