/**
 * A queued target, resolved from what this process trusts. A queue message is data: whoever can write to the queue
 * chooses its content, so it may only say WHICH target to scan. How to reach it and log in to it comes from
 * configuration (a Connector: HCXMON_CONNECTORS) or from ARM at its configured origin (a private cloud: the scan
 * reads the cloud, its HCX endpoint and cloudadmin credentials from ARM).
 */
import type { Config } from '../config';
import type { Target, TargetRef } from '../domain/target';
import { ValidationError } from '../errors';
import { connectorTargets } from './avs';

/** A message the worker will not act on; recorded as a failed target, never retried (retrying cannot fix it). */
export class TargetRefused extends ValidationError {
  constructor(message: string) {
    super(message, 'target', 'target_refused');
  }
}

// Lower-case ARM resource id (privateCloudTargetId); names as ARM allows them, nothing that could leave the path.
const PRIVATE_CLOUD_ID_RE =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourcegroups\/([\p{L}\p{N}._()-]{1,90})\/providers\/microsoft\.avs\/privateclouds\/([\p{L}\p{N}._-]{1,80})$/u;

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * `discovered`: the target ids of the message's scan (its scan row), which the worker passes when the discovery
 * scope is a tenant or a management group — there is no configured subscription list to check against then.
 */
export function resolveQueuedTarget(config: Config, ref: TargetRef, discovered?: ReadonlySet<string>): Target {
  if (ref.kind === 'hcx-connector') {
    const t = connectorTargets(config).find((c) => c.id === ref.id);
    if (!t) throw new TargetRefused(`${clip(ref.id)} is not a Connector in HCXMON_CONNECTORS; message refused`);
    return t;
  }
  const m = PRIVATE_CLOUD_ID_RE.exec(ref.id);
  if (!m) throw new TargetRefused(`${clip(ref.id)} is not an AVS private cloud resource id; message refused`);
  // `.` and `..` would be resolved as path segments by the URL the ARM request is built from (a resource group `..`
  // climbs out of the cloud's own path to a subscription-wide action); ARM forbids names ending in a period anyway.
  if (m[2].endsWith('.') || m[3].endsWith('.')) {
    throw new TargetRefused(`${clip(ref.id)} has a resource group or cloud name ending in '.'; message refused`);
  }
  let subscriptionId = config.subscriptionIds.find((s) => s.toLowerCase() === m[1]);
  const scope = config.discoveryScope?.kind ?? 'subscriptions';
  if (scope !== 'subscriptions') {
    // Tenant / management-group scope (issue 15): the cloud must be one this scan's discovery found, so a message
    // can name a cloud of the scope but never widen it. Kept apart from the subscription-list check below.
    if (!discovered?.has(ref.id)) {
      throw new TargetRefused(`${clip(ref.id)} is not a private cloud this scan discovered; message refused`);
    }
    subscriptionId = m[1];
  }
  if (!subscriptionId) {
    throw new TargetRefused(`${clip(ref.id)} is not in a subscription of HCXMON_SUBSCRIPTION_IDS; message refused`);
  }
  const privateCloudName = m[3];
  // No hcxUrl and no provisioningState: the scan reads both from ARM. The message's name is kept only when it is
  // the cloud's own name in another case (ids are lower case; ARM names are not).
  return {
    id: ref.id,
    name: ref.name.toLowerCase() === privateCloudName ? ref.name : privateCloudName,
    kind: 'avs-private-cloud',
    arm: { subscriptionId, resourceGroup: m[2], privateCloudName },
  };
}
