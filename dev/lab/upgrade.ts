import type { LabManagerState } from './types';

/**
 * The lab's upgrade knob (issue 16): Microsoft upgrades an HCX Cloud Manager between two scans; its Service Mesh
 * appliances stay on the old version (with an update available, as VMware's procedure says the mesh then shows) and
 * one mesh reads out of sync for `lagScans` scans, then everything converges on the new version.
 */
export interface LabUpgrade {
  toVersion: string;
  /** Scans (version reads) that still see the lagging state, the one that first sees the new version included. */
  lagScans: number;
  /** The state the first mesh reports meanwhile (default `OUT_OF_SYNC`). */
  meshState?: string;
}

/** Applies the upgrade at once (the manager's version), leaving the appliances and the first mesh lagging. */
export function startUpgrade(m: LabManagerState, u: LabUpgrade): void {
  m.version = u.toVersion;
  for (const a of m.appliances) {
    a.updateAvailable = true;
    a.availableVersion = u.toVersion;
  }
  if (m.serviceMeshes[0]) {
    m.serviceMeshes[0].state = u.meshState ?? 'OUT_OF_SYNC';
    m.serviceMeshes[0].updateAvailable = true;
  }
  m.upgradeLag = { toVersion: u.toVersion, scansLeft: Math.max(0, u.lagScans) };
}

/**
 * Called on every version read (`GET …/metainfo/context/support`, once per scan): counts the lagging scans down and
 * converges the estate on the read after the last lagging one.
 */
export function onVersionRead(m: LabManagerState): void {
  const lag = m.upgradeLag;
  if (!lag) return;
  if (lag.scansLeft > 0) {
    lag.scansLeft--;
    return;
  }
  for (const a of m.appliances) {
    a.version = lag.toVersion;
    a.updateAvailable = false;
    delete a.availableVersion;
  }
  for (const mesh of m.serviceMeshes) {
    mesh.state = 'COMMITTED';
    mesh.updateAvailable = false;
  }
  delete m.upgradeLag;
}
