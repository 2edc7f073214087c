/**
 * Stands in for the Functions host's `@azure/functions-core` module so `app.*` registrations are captured
 * with the exact metadata the host would receive (jest maps the module here; the local host does the same).
 */
export interface Registration {
  metadata: { name: string; bindings: Record<string, Record<string, unknown>>; [k: string]: unknown };
  callback: (...args: unknown[]) => unknown;
}
export const registrations: Registration[] = [];
export function setProgrammingModel(): void {}
export function registerFunction(metadata: Registration['metadata'], callback: Registration['callback']): { dispose(): void } {
  registrations.push({ metadata, callback });
  return { dispose() {} };
}
export function registerHook(): { dispose(): void } {
  return { dispose() {} };
}
export function log(): void {}
