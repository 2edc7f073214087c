import type { QueueClient } from '@azure/storage-queue';
import { z } from 'zod';
import type { UpgradeRecord } from '../domain/finding';
import type { TargetRef } from '../domain/target';
import { ValidationError } from '../errors';
import { targetKey } from '../findings/ids';

/**
 * Follow-up rescans after an observed upgrade (issue 16): one message per configured delay, sent with that delay as
 * its visibility timeout, so the target is rescanned on its own (event-driven) 15 min, 1 h and 6 h later by default.
 * Like the scan queue, a message carries ids only: the worker acts only when the target's stored history holds the
 * upgrade the message names and the step is one the settings define, and resolves the target from configuration and
 * ARM, never from the message.
 */
export const FOLLOWUP_QUEUE = 'hcxmon-followup';
export const FOLLOWUP_POISON_QUEUE = `${FOLLOWUP_QUEUE}-poison`;

export interface FollowUpMessage {
  /** Ids only: the name (display data from ARM or configuration) is read from storage, never from the message. */
  target: Pick<TargetRef, 'id' | 'kind'>;
  /** The upgrade's `firstSeenToAt` (its identity in the target's history). */
  upgradeAt: string;
  /** Index into HCXMON_UPGRADE_FOLLOWUP_MINUTES. */
  step: number;
}

// Unknown keys are stripped: a `name` (messages queued before ids-only) or anything a forged message adds never
// reaches the worker or its logs.
const schema = z.object({
  target: z.object({
    id: z.string().min(1).max(1024),
    kind: z.enum(['avs-private-cloud', 'hcx-connector']),
  }),
  upgradeAt: z.string().min(1).max(40),
  step: z.number().int().min(0).max(9),
});

export function parseFollowUpMessage(raw: unknown): FollowUpMessage {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ValidationError('follow-up message is not JSON', 'message', 'bad_message');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ValidationError(`follow-up message is malformed: ${parsed.error.issues[0].path.join('.')}`, 'message', 'bad_message');
  return parsed.data;
}

/** The follow-up messages of one upgrade, with their delays in minutes. */
export function followUpMessages(
  target: Pick<TargetRef, 'id' | 'kind'>,
  u: UpgradeRecord,
  minutes: readonly number[],
): { message: FollowUpMessage; delayMinutes: number }[] {
  const ref = { id: target.id, kind: target.kind };
  return minutes.map((delayMinutes, step) => ({ message: { target: ref, upgradeAt: u.firstSeenToAt, step }, delayMinutes }));
}

/**
 * Deterministic scan id of one follow-up: a redelivered message finds its scan row (and its target's outcome) and
 * does nothing twice.
 */
export function followUpScanId(msg: FollowUpMessage): string {
  const stamp = msg.upgradeAt.replace(/[^0-9]/g, '').slice(0, 14);
  return `${stamp.slice(0, 8)}T${stamp.slice(8, 14)}-fu${msg.step}-${targetKey(msg.target.id).slice(0, 12)}`;
}

export class FollowUpQueue {
  private ready?: Promise<unknown>;
  /** `delaySeconds` maps a configured delay to the visibility timeout (minutes × 60; tests shorten it). */
  constructor(
    private readonly client: QueueClient,
    private readonly delaySeconds: (minutes: number) => number = (m) => m * 60,
  ) {}

  async send(items: readonly { message: FollowUpMessage; delayMinutes: number }[]): Promise<void> {
    if (items.length === 0) return;
    this.ready ??= this.client.createIfNotExists();
    await this.ready;
    for (const { message, delayMinutes } of items) {
      await this.client.sendMessage(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'), {
        visibilityTimeout: this.delaySeconds(delayMinutes),
      });
    }
  }
}
