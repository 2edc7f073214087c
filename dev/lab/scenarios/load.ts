import { readFileSync } from 'node:fs';
import type { LabScenario } from '../types';
import { demoScenario } from './demo';
import { generateEstate } from './generate';

/**
 * Resolves a scenario argument as the CLI takes it: `demo`, `generated:<n>` (generateEstate), or the path of a
 * JSON file in the LabScenario shape (see dev/lab/scenarios/minimal.json).
 */
export function loadScenario(spec: string): LabScenario {
  if (spec === 'demo') return demoScenario();
  const gen = /^generated:(\d+)$/.exec(spec);
  if (gen) return generateEstate(Number(gen[1]));
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (err) {
    throw new Error(`lab: cannot read scenario "${spec}": ${(err as Error).message}`);
  }
  const s = json as Partial<LabScenario>;
  if (typeof s?.name !== 'string' || !Array.isArray(s.subscriptions) || !Array.isArray(s.connectors)) {
    throw new Error(`lab: scenario "${spec}" needs "name", "subscriptions" [] and "connectors" []`);
  }
  for (const sub of s.subscriptions) {
    if (typeof sub?.id !== 'string' || !Array.isArray(sub.clouds))
      throw new Error(`lab: scenario "${spec}": each subscription needs "id" and "clouds" []`);
    for (const c of sub.clouds) {
      if (!c?.id || !c.name || !c.resourceGroup || c.hcxAddon === undefined) {
        throw new Error(
          `lab: scenario "${spec}": cloud ${JSON.stringify(c?.id)} needs id, name, resourceGroup and hcxAddon (null for none)`,
        );
      }
      if (c.manager && typeof c.manager.version !== 'string')
        throw new Error(`lab: scenario "${spec}": cloud "${c.id}" manager needs a version`);
    }
  }
  for (const c of s.connectors) {
    if (!c?.id || typeof c.manager?.version !== 'string')
      throw new Error(`lab: scenario "${spec}": each connector needs "id" and "manager.version"`);
  }
  return s as LabScenario;
}
