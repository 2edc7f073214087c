import { startAzurite } from '../../dev/azurite';

/** One in-memory Azurite for the whole integration run; each test uses its own table/queue names. */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  process.env.HCXMON_TEST_STORAGE = azurite.connectionString;
  process.env.HCXMON_TEST_AZURITE_PIDS = azurite.pids.join(',');
  (globalThis as { __AZURITE__?: { stop(): Promise<void> } }).__AZURITE__ = azurite;
}
