/**
 * HCX version strings, parsed and compared numerically.
 *
 * Hand-written on purpose: the `semver` package only accepts exactly three parts, and HCX 9.x versions have four
 * or five (`9.0.0.00000`, `9.0.0.0.24597083`), while HCX 4.x uses `x.y.z` with the build number reported
 * separately. Comparing strings would put 4.9 after 4.10, so every part is compared as a number.
 *
 * Never throws: an unparsable version is an explicit `{ ok: false, reason }` so a rule can report `unknown`.
 */

export interface HcxVersion {
  /** The string as given (trimmed). */
  raw: string;
  /** Release parts, at most four: `[4, 11, 3]`, `[9, 0, 0, 0]`. */
  parts: number[];
  /** Build number: the fifth part of a 9.x version, or one given separately (`4.11.3 build 24972695`). */
  build?: string;
  major: number;
  minor: number;
  patch: number;
}

export type ParsedVersion = { ok: true; version: HcxVersion } | { ok: false; reason: string };

const MAX_RELEASE_PARTS = 4;
// Optional leading "v", 2–5 dotted numeric parts, then optionally a build in one of the shapes HCX prints.
const VERSION_RE = /^v?(\d{1,10}(?:\.\d{1,10}){1,4})(?:\s*(?:\(|build\s*|[-+]\s*)(\d{1,12})\)?)?$/i;

export function parseVersion(input: string | undefined | null): ParsedVersion {
  if (input === undefined || input === null) return { ok: false, reason: 'no version reported' };
  if (typeof input !== 'string') return { ok: false, reason: 'version is not a string' };
  const raw = input.trim();
  if (raw === '') return { ok: false, reason: 'empty version string' };
  const m = VERSION_RE.exec(raw);
  if (!m) return { ok: false, reason: `unparsable version "${raw.slice(0, 40)}"` };
  const all = m[1].split('.').map((p) => Number(p));
  let parts = all;
  let build = m[2];
  if (all.length > MAX_RELEASE_PARTS) {
    // 9.x: `9.0.0.0.24597083` carries the build as its fifth part; Connector and Cloud builds differ by design.
    if (build !== undefined) return { ok: false, reason: `unparsable version "${raw.slice(0, 40)}" (two builds)` };
    parts = all.slice(0, MAX_RELEASE_PARTS);
    build = String(all[MAX_RELEASE_PARTS]);
  }
  return {
    ok: true,
    version: { raw, parts, build, major: parts[0], minor: parts[1] ?? 0, patch: parts[2] ?? 0 },
  };
}

/**
 * Numeric comparison of the release parts (missing parts count as 0, so 4.11 == 4.11.0). Builds are ignored:
 * an HCX Connector and its Cloud Manager run the same release under different build numbers.
 */
export function compareVersions(a: HcxVersion, b: HcxVersion): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Compares two version strings; `undefined` when either cannot be parsed. */
export function compareVersionStrings(a: string | undefined, b: string | undefined): number | undefined {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa.ok || !pb.ok) return undefined;
  return compareVersions(pa.version, pb.version);
}

export function versionLessThan(a: HcxVersion, b: string): boolean {
  const pb = parseVersion(b);
  if (!pb.ok) throw new Error(`internal: bad version literal ${b}`);
  return compareVersions(a, pb.version) < 0;
}

/** Largest part index where two versions differ: 0 major, 1 minor, ≥ 2 patch (or finer); -1 when equal. */
export function firstDifference(a: HcxVersion, b: HcxVersion): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) if ((a.parts[i] ?? 0) !== (b.parts[i] ?? 0)) return i;
  return -1;
}

export function formatVersion(v: HcxVersion): string {
  return v.build ? `${v.parts.join('.')} (build ${v.build})` : v.parts.join('.');
}
