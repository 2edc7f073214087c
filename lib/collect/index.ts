/** The collectors' public API, for the scan pipeline. */
export {
  discoverTargets,
  connectorTargets,
  createArmClientFactory,
  cloudAdminCredentials,
  staticTokenCredential,
  type ArmClientFactory,
  type AvsClient,
  type DiscoveryError,
  type DiscoveryResult,
} from './avs';
export {
  discoverEstate,
  createArmRest,
  type ArmRest,
  type DiscoverDeps,
  type DiscoveredSubscription,
  type DiscoveryStats,
  type EstateDiscovery,
} from './discovery';
export { collectInventory, type CollectDeps, type CollectStats } from './inventory';
export { HybridityClient, ApplianceClient, type Credentials } from './hcx/client';
export { HttpTransport, type TransportStats } from './hcx/http';
export { resolveQueuedTarget, TargetRefused } from './resolve';
