/** A target is one monitored HCX system: the Microsoft-managed HCX Cloud Manager of an AVS private cloud,
 *  or a customer-managed on-premises HCX Connector. */
export type TargetKind = 'avs-private-cloud' | 'hcx-connector';

export const TARGET_KINDS: readonly TargetKind[] = ['avs-private-cloud', 'hcx-connector'];

/** Who acts on a finding: AVS upgrades the Cloud Manager; everything else is the customer's. */
export type Owner = 'microsoft' | 'customer';

/** TLS trust for one HCX endpoint, on top of the system store and HCXMON_HCX_CA_FILE. */
export interface TrustOptions {
  /** PEM bundle trusted for this target only. */
  caFile?: string;
  /** SHA-256 fingerprint (hex, colons optional) of the certificate the manager must present. */
  certSha256?: string;
}

/**
 * Everything needed to scan one target, and nothing secret. It never travels in a queue message (a message carries
 * only a TargetRef: id, name, kind) and scan rows store only the TargetRef too: the worker rebuilds the Target from
 * configuration and ARM (lib/collect/resolve.ts). Secrets are resolved at scan time (connector passwords from the
 * settings they name, cloudadmin credentials from ARM listAdminCredentials) and live only in memory for that scan.
 */
export interface Target {
  /** Lower-case ARM resource id for a private cloud; `connector:<name>` for a connector. */
  id: string;
  name: string;
  kind: TargetKind;
  /** Base URL of the hybridity API (port 443), e.g. `https://hcx.x.westeurope.avs.azure.com/`. */
  hcxUrl?: string;
  /** Base URL of the appliance-management API (port 9443); connectors only, when configured. */
  applianceUrl?: string;
  trust?: TrustOptions;
  /** Private clouds: where ARM says the cloud lives. */
  arm?: {
    subscriptionId: string;
    resourceGroup: string;
    privateCloudName: string;
    location?: string;
    /** As the discovery listing reported it: set, the scan of this target trusts it instead of re-reading the cloud. */
    provisioningState?: string;
    /** From Resource Graph discovery: the cloud's SKU (AV36, AV36P, AV52, …). */
    sku?: string;
    /** The subscription's tenant (a customer's, for a subscription managed through Azure Lighthouse). */
    tenantId?: string;
    /** The subscription is another tenant's, delegated to this identity through Azure Lighthouse. */
    delegated?: boolean;
  };
  /** Connectors: the SSO user for the hybridity API and the names of the settings that hold passwords. */
  connector?: { username: string; passwordSetting: string; adminUsername?: string; adminPasswordSetting?: string };
}

export type TargetRef = Pick<Target, 'id' | 'name' | 'kind'>;

export function connectorTargetId(name: string): string {
  return `connector:${name}`;
}

export function privateCloudTargetId(armResourceId: string): string {
  return armResourceId.toLowerCase();
}
