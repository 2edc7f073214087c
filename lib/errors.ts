import type { ErrorClass } from './domain/inventory';

/** Base of every error the product raises on purpose. Messages never carry secrets. */
export class HcxmonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting is missing or malformed. Names the setting and what it expects. */
export class ConfigError extends HcxmonError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

/** A call to ARM, the hybridity API or the appliance API failed. */
export class CollectionError extends HcxmonError {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    readonly details: { source: 'arm' | 'hcx' | 'appliance'; status?: number; call?: string } = { source: 'hcx' },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad input from a user (CLI flag, HTTP parameter, body) → exit 2 / HTTP 400. */
export class ValidationError extends HcxmonError {
  constructor(
    message: string,
    readonly parameter?: string,
    readonly code = 'invalid_parameter',
  ) {
    super(message);
  }
}

/** Unknown id → HTTP 404. */
export class NotFoundError extends HcxmonError {
  constructor(message: string) {
    super(message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
