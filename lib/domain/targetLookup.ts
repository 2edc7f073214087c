import { ValidationError } from '../errors';

/**
 * A target is named by its id or by its name, the same everywhere (CLI options and arguments, API parameters and
 * paths). Ids and names compare case-insensitively, as the scan's own target filter does (lib/scan.ts startScan).
 */

export interface KnownTarget {
  targetId: string;
  targetName: string;
}

/** The id of the one known target with that id or name; undefined when none has it. Two targets of one name throw. */
export function findTarget(raw: string, known: readonly KnownTarget[], parameter: string): string | undefined {
  const want = raw.trim().toLowerCase();
  const byId = known.find((t) => t.targetId.toLowerCase() === want);
  if (byId) return byId.targetId;
  const byName = known.filter((t) => t.targetName.toLowerCase() === want);
  if (byName.length > 1) {
    throw new ValidationError(
      `${parameter}: ${byName.length} targets are named "${raw}"; name one by its id (${byName.map((t) => t.targetId).join(', ')})`,
      parameter,
    );
  }
  return byName[0]?.targetId;
}

/**
 * Like findTarget, but a target no scan has seen is refused: a filter on it would answer an empty list (read as "all
 * clear"), a suppression or a fact for it could never apply. `hint` says where the known targets are listed.
 */
export function requireTarget(raw: string, known: readonly KnownTarget[], parameter: string, hint: string): string {
  const id = findTarget(raw, known, parameter);
  if (id === undefined)
    throw new ValidationError(
      `${parameter}: no scanned target has the id or name "${raw.slice(0, 200)}" (${hint})`,
      parameter,
    );
  return id;
}
