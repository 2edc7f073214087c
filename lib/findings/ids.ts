import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';

/**
 * Table keys and finding ids.
 *
 * Table Storage rejects `/ \ # ?` and control characters in PartitionKey/RowKey (Azurite answers `/` with a 500),
 * and target ids are ARM resource ids full of slashes, so target partitions are keyed by a hash of the target id
 * (the id itself is stored in a `targetId` column). A finding id carries its target's hash so any finding can be
 * read with one point query, and is plain `[a-z0-9.-]` so it also sits safely in URLs.
 */

const TARGET_HASH_CHARS = 20;
const SUBJECT_HASH_CHARS = 20;

function sha256Hex(text: string): string {
  const hash = createHash('sha256');
  // Stryker disable next-line StringLiteral: an empty encoding name is Node's default, utf8 (golden ids pin the bytes).
  hash.update(text, 'utf8');
  return hash.digest('hex');
}

const targetKeys = new Map<string, string>();

/** PartitionKey of everything stored about one target (findings, inventory, facts). */
export function targetKey(targetId: string): string {
  let key = targetKeys.get(targetId);
  if (key === undefined) {
    key = sha256Hex(`target\u0000${targetId}`).slice(0, TARGET_HASH_CHARS);
    // Every finding id of a target repeats this hash; a bounded memo keeps a 1000-target scan from redoing it.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when the memo is cleared changes memory, not a key.
    if (targetKeys.size >= 10_000) targetKeys.clear();
    targetKeys.set(targetId, key);
  }
  return key;
}

/**
 * Deterministic id of the finding of `ruleId` about `subjectId` of `targetId`: `<ruleId>.<targetKey>.<hash>`.
 * Rule ids are kebab-case, so the dots split unambiguously.
 */
export function findingId(ruleId: string, targetId: string, subjectId: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(ruleId)) throw new ValidationError(`rule id "${ruleId}" is not kebab-case`, 'ruleId');
  const subject = sha256Hex(`${ruleId}\u0000${targetId}\u0000${subjectId}`).slice(0, SUBJECT_HASH_CHARS);
  return `${ruleId}.${targetKey(targetId)}.${subject}`;
}

const FINDING_ID_RE = new RegExp(`^([a-z0-9][a-z0-9-]*)\\.([0-9a-f]{${TARGET_HASH_CHARS}})\\.([0-9a-f]{${SUBJECT_HASH_CHARS}})$`);

export interface ParsedFindingId {
  ruleId: string;
  targetKey: string;
}

/** Splits a finding id into the parts that locate it; `undefined` when it is not one of ours (→ 404, not 500). */
export function parseFindingId(id: string): ParsedFindingId | undefined {
  const m = FINDING_ID_RE.exec(id);
  return m ? { ruleId: m[1], targetKey: m[2] } : undefined;
}

export function isFindingId(id: string): boolean {
  return FINDING_ID_RE.test(id);
}

/** Deterministic alert event id: a replay of the same scan produces the same outbox RowKey. */
export function alertEventId(findingIdValue: string, event: string, discriminator: string): string {
  return `e${sha256Hex(`${findingIdValue}\u0000${event}\u0000${discriminator}`).slice(0, 31)}`;
}

// `!` starts an escape, so it is escaped too; `'` and `%` are legal but trip URL building in some clients.
// eslint-disable-next-line no-control-regex
const UNSAFE_KEY_CHARS = /[/\\#?%!'\u0000-\u001f\u007f-\u009f]/g;
const MAX_KEY_CHARS = 512;

/**
 * Reversible key encoding for free text (rule ids, fact names, subject ids) used as a PartitionKey/RowKey:
 * unsafe characters become `!xx` (two hex digits). Readable for the common case, decodable with {@link decodeKey}.
 */
export function encodeKey(value: string): string {
  const encoded = value.replace(UNSAFE_KEY_CHARS, (c) => `!${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (encoded.length === 0) throw new ValidationError('an empty value cannot be a table key');
  if (encoded.length > MAX_KEY_CHARS) {
    // Table keys are limited to 1 KiB; long values keep a readable head and a hash (no longer reversible:
    // callers keep the original in a column).
    return `${encoded.slice(0, MAX_KEY_CHARS - 66)}~h${sha256Hex(value)}`;
  }
  return encoded;
}

export function decodeKey(key: string): string {
  return key.replace(/!([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Whether a string is acceptable as a key as-is (used to check what we build). */
export function isSafeKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex
  const bad = /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key);
  return !bad && key.length > 0 && key.length <= 1024;
}
