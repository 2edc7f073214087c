import catalogJson from './lifecycle.json';
import { compareVersions, parseVersion, type HcxVersion } from './version';

/**
 * The HCX lifecycle catalog: versioned data (lifecycle.json), not code. Every version finding shows the
 * catalog's `asOf`, so a stale catalog is visible; deadlines are recomputed from it on every scan.
 * Its full shape (dates, version literals) is checked by `parseCatalog` in lifecycle-schema.ts.
 */

export interface LifecycleEntry {
  id: string;
  label: string;
  /** `min` inclusive, `below` exclusive, compared numerically. */
  range: { min: string; below: string };
  released?: string;
  /** dated: `endOfSupport` is published; past: out of support, date not published; not-published: no date yet. */
  support: 'dated' | 'past' | 'not-published';
  endOfSupport?: string;
  endOfSupportNote?: string;
  endOfSupportAlternatives?: { date: string; source: string; note: string }[];
  builds?: { connector?: string; cloud?: string };
  notes: string[];
  sources: string[];
}

export interface LifecycleCatalog {
  schemaVersion: 1;
  catalogVersion: string;
  asOf: string;
  /** AVS-validated baseline version; HCXMON_BASELINE_VERSION overrides it. */
  baseline: string;
  baselineNote: string;
  baselineSources: string[];
  policy: string;
  policySources: string[];
  entries: LifecycleEntry[];
}

/**
 * The catalog with its lines in version order. Refuses what would make a verdict wrong rather than malformed: an
 * empty or overlapping range, a version that does not parse, a "dated" line without its date (or a date on a
 * line that is not "dated").
 */
export function orderCatalog(catalog: LifecycleCatalog): LifecycleCatalog {
  for (const e of catalog.entries) {
    if ((e.support === 'dated') !== (e.endOfSupport !== undefined)) {
      throw new Error(`lifecycle entry ${e.id}: endOfSupport is required exactly when support is "dated"`);
    }
  }
  const sorted = [...catalog.entries].sort((a, b) => cmp(a.range.min, b.range.min));
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (cmp(e.range.min, e.range.below) >= 0) throw new Error(`lifecycle entry ${e.id}: empty range`);
    if (i > 0 && cmp(sorted[i - 1].range.below, e.range.min) > 0) {
      throw new Error(`lifecycle entries ${sorted[i - 1].id} and ${e.id} overlap`);
    }
  }
  return { ...catalog, entries: sorted };
}

function cmp(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa.ok) throw new Error(`lifecycle catalog: ${a} is not a version`);
  if (!pb.ok) throw new Error(`lifecycle catalog: ${b} is not a version`);
  return compareVersions(pa.version, pb.version);
}

/**
 * The bundled catalog. Ordered and range-checked at load; its full shape is checked against the schema by the unit
 * tests (parseCatalog), so loading it needs no schema library: zod is 95 of the 115 modules the rules would
 * otherwise load, paid again by every cold start and every test file.
 */
export const DEFAULT_CATALOG: LifecycleCatalog = orderCatalog(catalogJson as LifecycleCatalog);

export function inRange(entry: LifecycleEntry, v: HcxVersion): boolean {
  const min = parseVersion(entry.range.min);
  const below = parseVersion(entry.range.below);
  return min.ok && below.ok && compareVersions(v, min.version) >= 0 && compareVersions(v, below.version) < 0;
}

/** The release line a version belongs to, if catalogued. */
export function supportLine(catalog: LifecycleCatalog, v: HcxVersion): LifecycleEntry | undefined {
  return catalog.entries.find((e) => inRange(e, v));
}

/** True when the version is below every catalogued line: past support under the N-2 policy. */
export function isOlderThanCatalog(catalog: LifecycleCatalog, v: HcxVersion): boolean {
  return catalog.entries.every((e) => {
    const min = parseVersion(e.range.min);
    return min.ok && compareVersions(v, min.version) < 0;
  });
}

export type SupportStatus =
  /** A published end-of-support date (may be in the past or the future relative to asOf). */
  | { kind: 'dated'; entry: LifecycleEntry; endOfSupport: string }
  /** Out of support without a published date: a past line, or older than every catalogued line (N-2). */
  | { kind: 'past'; entry?: LifecycleEntry; reason: string }
  /** No end-of-support date published (a current line, or a version newer than the catalog knows). */
  | { kind: 'no-date'; entry?: LifecycleEntry; reason: string };

export function supportStatus(catalog: LifecycleCatalog, v: HcxVersion): SupportStatus {
  const entry = supportLine(catalog, v);
  if (entry) {
    // The schema allows endOfSupport exactly on 'dated' lines, so the date alone tells a dated line.
    if (entry.endOfSupport !== undefined) return { kind: 'dated', entry, endOfSupport: entry.endOfSupport };
    if (entry.support === 'past') {
      return { kind: 'past', entry, reason: `${entry.label} is past end of support (N-2 policy)` };
    }
    return { kind: 'no-date', entry, reason: `no end-of-support date published for ${entry.label}` };
  }
  if (isOlderThanCatalog(catalog, v)) {
    return { kind: 'past', reason: 'older than every catalogued release line: past support (N-2 policy)' };
  }
  return {
    kind: 'no-date',
    reason: 'version not in the lifecycle catalog: no end-of-support date published (catalog may be stale)',
  };
}

/** End-of-support date (YYYY-MM-DD) of the version's line, when published. */
export function endOfSupportDate(catalog: LifecycleCatalog, v: HcxVersion): string | undefined {
  // Only a 'dated' line carries endOfSupport (the schema requires it there and refuses it elsewhere).
  return supportLine(catalog, v)?.endOfSupport;
}

/** The baseline version targets should reach: the operator's override, else the catalog's AVS-validated one. */
export function baselineVersion(
  catalog: LifecycleCatalog,
  override?: string,
): { version: string; source: 'setting' | 'catalog' } {
  const o = override?.trim();
  return o ? { version: o, source: 'setting' } : { version: catalog.baseline, source: 'catalog' };
}
