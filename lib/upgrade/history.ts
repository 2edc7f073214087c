import type { TargetHistory, UpgradeRecord, VersionObservation } from '../domain/finding';
import type { Inventory } from '../domain/inventory';
import { compareVersionStrings, parseVersion } from '../rules/version';
import { convergenceChecklist } from './checklist';

/** Upgrades kept in the compact history row (a target upgrades a few times a year). */
const MAX_UPGRADES = 10;

/**
 * The version the previous scans saw last (the observation with the newest lastSeenAt) among versions that parse: an
 * unreadable version string once read is no version to upgrade from (the next readable one is compared with the
 * readable one before it).
 */
function lastSeenVersion(h: TargetHistory): { version: string; lastSeenAt: string } | undefined {
  let best: { version: string; lastSeenAt: string } | undefined;
  for (const v of h.versions) {
    if (!parseVersion(v.version).ok) continue;
    if (!best || v.lastSeenAt > best.lastSeenAt) best = { version: v.version, lastSeenAt: v.lastSeenAt };
  }
  return best;
}

/**
 * An upgrade event: this scan read a manager version numerically higher than the one the previous scans read last.
 * A scan that could not read the version (undefined, or a string that does not parse) is no event: it neither starts
 * nor hides one. A downgrade (a snapshot rollback) is no upgrade and neither is the same version written otherwise
 * (4.11.3 / 4.11.3.0): either would send an "upgraded" alert and queue follow-ups for an upgrade that did not happen.
 * A collection older than the last observation (an out-of-order write) is no event either.
 */
export function detectUpgrade(prev: TargetHistory, inv: Inventory): UpgradeRecord | undefined {
  const version = inv.manager?.version;
  const last = lastSeenVersion(prev);
  if (!version || !last || last.version === version || inv.collectedAt <= last.lastSeenAt) return undefined;
  const cmp = compareVersionStrings(version, last.version);
  if (cmp === undefined || cmp <= 0) return undefined;
  const u: UpgradeRecord = {
    fromVersion: last.version,
    toVersion: version,
    lastSeenFromAt: last.lastSeenAt,
    firstSeenToAt: inv.collectedAt,
  };
  if (prev.lastExtensionCount !== undefined) u.extensionsBefore = prev.lastExtensionCount;
  return u;
}

/** The latest upgrade of a history, if any. */
export function latestUpgrade(h: Pick<TargetHistory, 'upgrades'>): UpgradeRecord | undefined {
  const list = h.upgrades ?? [];
  return list.length > 0 ? list[list.length - 1] : undefined;
}

/**
 * Folds this scan into the upgrade part of the history: a new upgrade is appended; the latest upgrade not yet
 * converged gets `convergedAt` when this scan's checklist passes (on the version it upgraded to).
 */
export function foldUpgrades(prev: TargetHistory, next: TargetHistory, inv: Inventory): TargetHistory {
  const upgrades = (prev.upgrades ?? []).map((u) => ({ ...u }));
  const fresh = detectUpgrade(prev, inv);
  if (fresh) upgrades.push(fresh);
  const latest = upgrades[upgrades.length - 1];
  if (
    latest &&
    !latest.convergedAt &&
    inv.manager?.version === latest.toVersion &&
    inv.collectedAt >= latest.firstSeenToAt
  ) {
    if (convergenceChecklist(inv, latest).status === 'pass') latest.convergedAt = inv.collectedAt;
  }
  const out: TargetHistory = { ...next };
  if (upgrades.length > 0) out.upgrades = upgrades.slice(-MAX_UPGRADES);
  const ext = inv.extensions?.length ?? prev.lastExtensionCount;
  if (ext !== undefined) out.lastExtensionCount = ext;
  return out;
}

/** Versions kept in the compact history (a target changes version a few times a year). */
const MAX_VERSIONS = 100;

/** The target's history after one collection: the versions seen (with first/last seen), the last successful collection, the upgrades. */
export function updateHistory(h: TargetHistory, inv: Inventory): TargetHistory {
  const versions: VersionObservation[] = h.versions.map((v) => ({ ...v }));
  const version = inv.manager?.version;
  if (version) {
    const at = inv.collectedAt;
    const seen = versions.find((v) => v.version === version);
    if (seen) {
      if (at < seen.firstSeenAt) seen.firstSeenAt = at;
      if (at > seen.lastSeenAt) seen.lastSeenAt = at;
    } else {
      versions.push({ version, firstSeenAt: at, lastSeenAt: at });
    }
  }
  versions.sort((a, b) => (a.firstSeenAt < b.firstSeenAt ? -1 : a.firstSeenAt > b.firstSeenAt ? 1 : 0));
  const next: TargetHistory = { versions: versions.slice(-MAX_VERSIONS) };
  // "Successful" = the manager answered (its identity/version was read); ARM-only data does not count.
  const success = inv.manager !== undefined ? inv.collectedAt : undefined;
  const last = [h.lastSuccessfulCollectionAt, success]
    .filter((x): x is string => x !== undefined)
    .sort()
    .pop();
  if (last) next.lastSuccessfulCollectionAt = last;
  // A version change between two scans is an upgrade event (issue 16), kept with its bracket and convergence.
  return foldUpgrades(h, next, inv);
}
