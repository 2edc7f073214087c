import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import type { StorageConfig } from '../config';
import { ConfigError } from '../errors';
import { FactsRepository } from './facts';
import { FindingsRepository, OutboxRepository } from './findings';
import { InventoryRepository } from './inventory';
import { ScansRepository } from './scans';
import { SuppressionsRepository } from './suppressions';
import { TargetScanRepository } from './targetScan';
import { tableSetFromConnectionString, tableSetFromServiceUri, type TableSet, type TableSetOptions } from './tables';

export * from './facts';
export * from './findings';
export * from './inventory';
export * from './scans';
export * from './suppressions';
export * from './targetScan';
export { StoreError, type Page } from './tables';

export interface Stores {
  findings: FindingsRepository;
  outbox: OutboxRepository;
  inventory: InventoryRepository;
  scans: ScansRepository;
  suppressions: SuppressionsRepository;
  facts: FactsRepository;
  /** One target's scan in one partition read and one transaction (findings + outbox + inventory + history). */
  targetScans: TargetScanRepository;
  /** The actual table names (with prefix), e.g. for messages and infra checks. */
  tableNames: { findings: string; inventory: string; scans: string; suppressions: string; facts: string };
}

export interface CreateStoresOptions extends TableSetOptions {
  /**
   * For `{ kind: 'embedded' }`: the connection string of the Azurite the caller started (the CLI and dev host start
   * it; lib/ never spawns processes).
   */
  embeddedConnectionString?: string;
}

function storesOver(tables: TableSet): Stores {
  return {
    findings: new FindingsRepository(tables),
    outbox: new OutboxRepository(tables),
    inventory: new InventoryRepository(tables),
    scans: new ScansRepository(tables),
    suppressions: new SuppressionsRepository(tables),
    facts: new FactsRepository(tables),
    targetScans: new TargetScanRepository(tables),
    tableNames: {
      findings: tables.name('findings'),
      // Inventory rows share the target partitions of the findings table.
      inventory: tables.name('findings'),
      scans: tables.name('scans'),
      suppressions: tables.name('suppressions'),
      facts: tables.name('facts'),
    },
  };
}

/**
 * The repositories over one storage account. Tables are created on first use, once per process. A connection
 * string with an http:// table endpoint (Azurite) is allowed without TLS; anything else keeps the SDK's TLS.
 */
export function createStores(storage: StorageConfig, opts: CreateStoresOptions = {}): Stores {
  switch (storage.kind) {
    case 'connectionString':
      return storesOver(tableSetFromConnectionString(storage.connectionString, opts));
    case 'identity': {
      const credential: TokenCredential =
        opts.credential ?? new DefaultAzureCredential(storage.clientId ? { managedIdentityClientId: storage.clientId } : {});
      return storesOver(tableSetFromServiceUri(storage.tableServiceUri, credential, opts));
    }
    case 'embedded':
      if (!opts.embeddedConnectionString) {
        throw new ConfigError(
          'HCXMON_STORAGE',
          'no storage configured: set HCXMON_STORAGE or AzureWebJobsStorage, or start the embedded Azurite first',
        );
      }
      return storesOver(tableSetFromConnectionString(opts.embeddedConnectionString, opts));
  }
}
