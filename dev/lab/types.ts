/**
 * The lab: a simulated AVS + HCX estate over real HTTPS (a CA generated at start), used by the tests, the demo
 * and the benchmarks. This file is the contract between the lab and everything that drives it.
 */

/** Fault knobs, per manager (hcx-api.md §14.4). All optional; set at start from a scenario or at run time. */
export interface ManagerFaults {
  /** Nothing listens at the manager's address (connection refused). */
  unreachable?: boolean;
  /** Added latency per request, in ms (for timeouts and benchmarks). */
  latencyMs?: number;
  /** Answer 5xx (default 500) on requests whose path contains this string. */
  http5xxOnPath?: string;
  http5xxStatus?: number;
  /** Answer 429 with this Retry-After (seconds) this many times, then serve normally. */
  throttle?: { times: number; retryAfterSeconds: number; onPath?: string };
  /** Sessions expire after this many authenticated calls (the next call gets 401). */
  tokenExpiryAfterCalls?: number;
  /** Answer `{"items": [` (truncated JSON) on requests whose path contains this string. */
  malformedJsonOnPath?: string;
  /** Serve this manager with a certificate from a CA the product does not trust. */
  wrongCertificate?: boolean;
  /** The appliance-management (9443) interface is down (connection refused). */
  applianceUnreachable?: boolean;
}

export interface ArmFaults {
  /** 429 with Retry-After this many times on paths containing `onPath` (or any path). */
  throttle?: { times: number; retryAfterSeconds: number; onPath?: string };
  /** 5xx on paths containing this string. */
  http5xxOnPath?: string;
}

export interface LabRequestRecord {
  at: number;
  server: 'arm' | 'hcx' | 'appliance';
  /** Manager id for hcx/appliance requests. */
  manager?: string;
  method: string;
  path: string;
  status: number;
}

export interface LabHandle {
  /** https://127.0.0.1:PORT — set as HCXMON_ARM_ENDPOINT. */
  armEndpoint: string;
  /** Bearer token the fake ARM accepts — HCXMON_ARM_ACCESS_TOKEN. */
  armToken: string;
  /** PEM file of the generated CA; trusted for ARM (HCXMON_ARM_CA_FILE) and HCX (HCXMON_HCX_CA_FILE). */
  caFile: string;
  caPem: string;
  subscriptionIds: string[];
  /**
   * Every setting that points the product at this lab: HCXMON_SUBSCRIPTION_IDS, HCXMON_ARM_ENDPOINT,
   * HCXMON_ARM_ACCESS_TOKEN, HCXMON_ARM_CA_FILE, HCXMON_HCX_CA_FILE, HCXMON_CONNECTORS and the password
   * settings the connectors name. Secrets included: never print it whole.
   */
  env: Record<string, string>;
  /** The passwords the lab accepts (tests use them as canaries that must never leak). */
  secrets: string[];
  /** Manager ids (one per private cloud and per connector) in scenario order. */
  managerIds: string[];
  /** Change a manager's faults at run time (merged; pass `{}` to clear). */
  setFaults(managerId: string, faults: ManagerFaults): void;
  setArmFaults(faults: ArmFaults): void;
  /** Mutate a manager's simulated state at run time (e.g. remove WAN-Opt from a mesh). */
  updateManager(managerId: string, mutate: (state: LabManagerState) => void): void;
  requests: LabRequestRecord[];
  stop(): Promise<void>;
}

/** A manager's simulated state, in the lab's own words; the servers render it to the HCX wire shapes. */
export interface LabManagerState {
  id: string;
  role: 'cloud' | 'connector';
  name: string;
  version: string;
  build: string;
  endpointId: string;
  [key: string]: unknown;
}
