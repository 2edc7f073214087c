import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import type { TargetRef } from './domain/target';
import { ValidationError } from './errors';

/** The fan-out queue: one message per target per scan (DESIGN §1). */
export const SCAN_QUEUE = 'hcxmon-scan';
/** Where the Functions host moves a message after maxDequeueCount failures. */
export const SCAN_POISON_QUEUE = `${SCAN_QUEUE}-poison`;
/** The binding connection the queue trigger reads (host storage). */
export const QUEUE_CONNECTION = 'AzureWebJobsStorage';

/**
 * What identifies one unit of work, and nothing else: anyone who can write to the queue can write a message, so
 * the worker acts only on a target its scan row lists while that scan runs, evaluates at the row's asOf, and
 * resolves everything it connects with (URLs, trust, the settings that hold passwords) from configuration and ARM by
 * the target's id (lib/collect/resolve.ts), never from the message.
 */
export interface ScanMessage {
  /** The scan row the worker checks the message against: it must exist, be running and list the target. */
  scanId: string;
  /** ISO instant the scan evaluates at. Informational: the worker evaluates at the scan row's asOf. */
  asOf: string;
  target: TargetRef;
  /** How many targets the scan covers. Informational: the worker counts the scan row's targets. */
  expected?: number;
}

// Unknown keys are stripped, not passed on: messages queued by earlier versions carried URLs, trust and setting
// names, and a forged message may too; none of it may reach the worker.
const targetSchema = z.object({
  id: z.string().min(1).max(1024),
  name: z.string().min(1).max(256),
  kind: z.enum(['avs-private-cloud', 'hcx-connector']),
});

const messageSchema = z.object({
  scanId: z.string().min(1),
  asOf: z.string().min(1),
  target: targetSchema,
  expected: z.number().int().min(0).optional(),
});

/**
 * A well-formed message the worker will not act on: its scan row does not exist, is no longer running, or does not
 * list its target. Nothing is collected and no credential is read; the trigger logs it and does not retry it.
 */
export class MessageRefused extends ValidationError {
  constructor(message: string) {
    super(message, 'message', 'message_refused');
  }
}

/** Queue triggers hand over the parsed JSON (or a string when it is not JSON); both are accepted. */
export function parseScanMessage(raw: unknown): ScanMessage {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ValidationError('scan message is not JSON', 'message', 'bad_message');
    }
  }
  const parsed = messageSchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(
      `scan message is malformed: ${parsed.error.issues[0].path.join('.')}`,
      'message',
      'bad_message',
    );
  }
  return parsed.data;
}

export type QueueConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; queueServiceUri: string; credential: TokenCredential };

export function queueClient(conn: QueueConnection, name: string): QueueClient {
  const service =
    conn.kind === 'connectionString'
      ? QueueServiceClient.fromConnectionString(conn.connectionString)
      : new QueueServiceClient(conn.queueServiceUri, conn.credential);
  return service.getQueueClient(name);
}

/** Enqueues as the Functions queue trigger expects by default: base64 of the JSON text. */
export class ScanQueue {
  private ready?: Promise<unknown>;
  constructor(private readonly client: QueueClient) {}

  async send(messages: ScanMessage[]): Promise<void> {
    this.ready ??= this.client.createIfNotExists();
    await this.ready;
    // A handful at a time: a 1000-target scan should not open 1000 sockets at once.
    for (let i = 0; i < messages.length; i += 16) {
      await Promise.all(
        messages
          .slice(i, i + 16)
          .map((m) => this.client.sendMessage(Buffer.from(JSON.stringify(m), 'utf8').toString('base64'))),
      );
    }
  }
}
