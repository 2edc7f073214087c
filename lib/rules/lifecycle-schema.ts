import { z } from 'zod';
import { orderCatalog, type LifecycleCatalog } from './lifecycle';
import { parseVersion } from './version';

/** The full shape of a lifecycle catalog; kept apart from lifecycle.ts so evaluating rules never loads zod. */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const versionLiteral = z.string().refine((v) => parseVersion(v).ok, 'expected a numeric dotted version');

const entrySchema = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  range: z.object({ min: versionLiteral, below: versionLiteral }),
  released: isoDate.optional(),
  support: z.enum(['dated', 'past', 'not-published']),
  endOfSupport: isoDate.optional(),
  endOfSupportNote: z.string().optional(),
  endOfSupportAlternatives: z.array(z.object({ date: isoDate, source: z.string(), note: z.string() })).optional(),
  builds: z.object({ connector: z.string().optional(), cloud: z.string().optional() }).optional(),
  notes: z.array(z.string()),
  sources: z.array(z.string()),
});

const catalogSchema = z.object({
  schemaVersion: z.literal(1),
  catalogVersion: z.string(),
  asOf: isoDate,
  baseline: versionLiteral,
  baselineNote: z.string(),
  baselineSources: z.array(z.string()),
  policy: z.string(),
  policySources: z.array(z.string()),
  entries: z.array(entrySchema).min(1),
});

/** Validates catalog data (the bundled file, or one a test supplies) and orders it. Throws on a malformed file;
 *  the checks that decide verdicts (a dated line has its date, ranges) are orderCatalog's, which loading runs too. */
export function parseCatalog(data: unknown): LifecycleCatalog {
  const parsed: LifecycleCatalog = catalogSchema.parse(data);
  return orderCatalog(parsed);
}
