import type { Evaluation } from '../domain/evaluation';
import type { Appliance, Inventory } from '../domain/inventory';
import { daysSince } from './deadline';
import {
  BOTH,
  CUSTOMER,
  NE_HA_PREREQUISITES,
  REF,
  allSubjects,
  defineRule,
  evaluation,
  lc,
  notCollected,
  readState,
  readVersion,
  type Subject,
} from './common';
import type { RuleContext } from './types';
import { versionLessThan } from './version';

const NOHA = { id: 'hcx-network-extension-without-ha', defaultSeverity: 'medium' } as const;
const GROUP = { id: 'hcx-ne-ha-group-degraded', defaultSeverity: 'high' } as const;
const INCOMPAT = { id: 'hcx-ne-appliance-ha-incompatible', defaultSeverity: 'low' } as const;
const LONG = { id: 'hcx-network-extension-long-lived', defaultSeverity: 'low' } as const;

/** First HCX release whose Network Extension appliances can join an HA group (Microsoft Learn, “Configure HCX network extension high availability”). */
export const NE_HA_FROM = '4.3.0';

export function isNeAppliance(a: Appliance): boolean {
  return /net[-_ ]?ext|network[-_ ]?extension|^ne$/i.test(a.type);
}

const EXTENSIONS = allSubjects('extended-network', 'extended networks');
const GROUPS = allSubjects('ha-group', 'NE HA groups');
const NE_APPLIANCES = allSubjects('appliance', 'Network Extension appliances');

function extSubject(e: { id: string; networkName?: string }): Subject {
  return { id: e.id, name: e.networkName ?? e.id, kind: 'extended-network' };
}

// The parser reports an unnamed HA group member as applianceId '': two blanks are not the same appliance.
function sameRef(a: string | undefined, b: string | undefined): boolean {
  return !!a && a === b;
}

export const networkExtensionWithoutHa = defineRule({
  id: NOHA.id,
  title: 'Extended network without Network Extension HA',
  family: 'ne-ha',
  defaultSeverity: 'medium',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsNeHa, REF.neHa],
  action: 'Activate Network Extension HA on the NE appliances, then extend the network over the HA group.',
  remediation:
    'Protect extended networks from a Network Extension appliance failure with NE HA (Active/Standby): activate High Availability on the NE appliances (Interconnect > Appliances > Activate High Availability), then extend over the HA group (Microsoft Learn, “Configure HCX network extension high availability”). Customer-owned. ' +
    NE_HA_PREREQUISITES,
  needs: ['extensions', 'haGroups'],
  hcxDependent: true,
  naSubject: EXTENSIONS,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.extensions === undefined) return [notCollected(NOHA, inv, EXTENSIONS, 'extensions')];
    return inv.extensions.map((e) => {
      const s = extSubject(e);
      const ev = { source: 'hcx' as const, appliance: e.applianceName ?? e.applianceId, haGroupId: e.haGroupId };
      if (e.haGroupId)
        return evaluation(
          NOHA,
          inv,
          s,
          'pass',
          'info',
          `Network ${s.name} is extended over HA group ${e.haGroupId}.`,
          ev,
        );
      if (inv.haGroups === undefined)
        return evaluation(
          NOHA,
          inv,
          s,
          'unknown',
          'medium',
          'Cannot tell whether its NE appliance is in an HA group: HA groups were not collected.',
          { ...ev, missing: ['haGroups'] },
        );
      if (!e.applianceId && !e.applianceName)
        return evaluation(NOHA, inv, s, 'unknown', 'medium', 'The extension does not name its NE appliance.', ev);
      const group = inv.haGroups.find((g) =>
        g.members.some((m) => sameRef(e.applianceId, m.applianceId) || sameRef(e.applianceName, m.applianceName)),
      );
      if (group)
        return evaluation(
          NOHA,
          inv,
          s,
          'pass',
          'info',
          `Network ${s.name}'s NE appliance is in HA group ${group.name}.`,
          { ...ev, haGroupId: group.id },
        );
      return evaluation(
        NOHA,
        inv,
        s,
        'fail',
        'medium',
        `Network ${s.name} is extended over NE appliance ${e.applianceName ?? e.applianceId}, which is in no HA group.`,
        ev,
      );
    });
  },
});

const KNOWN_ROLE = /^(active|standby)$/;

export const neHaGroupDegraded = defineRule({
  id: GROUP.id,
  title: 'Network Extension HA group degraded',
  family: 'ne-ha',
  defaultSeverity: 'high',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsNeHa, REF.neHa],
  action:
    'Restore one Active and one Standby member (Interconnect > HA Management: Force Sync, Redeploy or a manual failover).',
  remediation:
    'An NE HA group needs one Active and one Standby member to protect its networks. In the HCX UI (Interconnect > HA Management) check the group details, then use Force Sync, Redeploy or a manual failover as appropriate; HA has no pre-emption (Microsoft Learn, “Configure HCX network extension high availability”). Customer-owned. ' +
    NE_HA_PREREQUISITES,
  needs: ['haGroups'],
  hcxDependent: true,
  naSubject: GROUPS,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.haGroups === undefined) return [notCollected(GROUP, inv, GROUPS, 'haGroups')];
    return inv.haGroups.map((g) => {
      const s: Subject = { id: g.id, name: g.name, kind: 'ha-group' };
      const roles = g.members.map((m) => lc(m.role));
      const problems: string[] = [];
      // At most one reason the roles cannot be read (no members, or roles we cannot read).
      let unread: string | undefined;
      // Role values are undocumented (hcx-api.md §7.3): a missing or unfamiliar role is unknown, not "no Active".
      const unreadRoles = g.members.filter((m) => !KNOWN_ROLE.test(lc(m.role)));
      if (g.members.length === 0) unread = 'no member reported';
      else if (unreadRoles.length)
        unread = `member role${unreadRoles.length > 1 ? 's' : ''} ${unreadRoles.map((m) => m.role ?? 'not reported').join(', ')}`;
      else {
        if (!roles.includes('active')) problems.push('no Active member');
        if (!roles.includes('standby')) problems.push('no Standby member');
      }
      for (const [label, value] of [
        ['group state', g.groupState],
        ['availability', g.availabilityState],
      ] as const) {
        // RULES.md: a state that reads degraded, failed, down or error fails; other values are not evidence of a fault.
        if (readState(value) === 'bad') problems.push(`${label} ${value}`);
      }
      const ev = {
        source: 'hcx' as const,
        roles: g.members.map((m) => m.role),
        groupState: g.groupState,
        availabilityState: g.availabilityState,
        statusMessage: g.statusMessage,
      };
      if (problems.length)
        return evaluation(
          GROUP,
          inv,
          s,
          'fail',
          'high',
          `NE HA group ${g.name} is degraded: ${problems.join('; ')}.${g.statusMessage ? ` ${g.statusMessage}` : ''}`,
          ev,
        );
      if (unread)
        return evaluation(
          GROUP,
          inv,
          s,
          'unknown',
          'high',
          `Cannot confirm NE HA group ${g.name} is healthy: ${unread}.`,
          { ...ev, unread: [unread] },
        );
      return evaluation(GROUP, inv, s, 'pass', 'info', `NE HA group ${g.name} has an Active and a Standby member.`, ev);
    });
  },
});

export const neApplianceHaIncompatible = defineRule({
  id: INCOMPAT.id,
  title: 'Network Extension appliance too old for HA',
  family: 'ne-ha',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsNeHa, REF.upgradeMesh],
  action: 'Upgrade the Network Extension appliances to HCX 4.3.0 or later so they can join an HA group.',
  remediation:
    'Only Network Extension appliances upgraded to HCX 4.3.0 or later can be added to HA groups (Microsoft Learn, “Configure HCX network extension high availability”). Upgrade the Service Mesh appliances (customer-managed, Microsoft Learn, “Upgrade HCX on Azure VMware Solution”). ' +
    NE_HA_PREREQUISITES,
  needs: ['appliances'],
  hcxDependent: true,
  naSubject: NE_APPLIANCES,
  evaluate(inv: Inventory): Evaluation[] {
    if (inv.appliances === undefined) return [notCollected(INCOMPAT, inv, NE_APPLIANCES, 'appliances')];
    return inv.appliances.filter(isNeAppliance).map((a) => {
      const s: Subject = { id: a.id, name: a.name, kind: 'appliance' };
      const v = readVersion(a.version, `NE appliance ${a.name}`);
      const ev = { source: 'hcx' as const, version: a.version, type: a.type };
      if (!v.ok)
        return evaluation(
          INCOMPAT,
          inv,
          s,
          'unknown',
          'low',
          `Cannot tell whether ${a.name} can join an HA group: ${v.reason}.`,
          ev,
        );
      if (versionLessThan(v.version, NE_HA_FROM)) {
        return evaluation(
          INCOMPAT,
          inv,
          s,
          'fail',
          'low',
          `NE appliance ${a.name} runs ${v.raw}, below ${NE_HA_FROM}: it cannot join an HA group.`,
          ev,
        );
      }
      return evaluation(
        INCOMPAT,
        inv,
        s,
        'pass',
        'info',
        `NE appliance ${a.name} runs ${v.raw} and can join an HA group.`,
        ev,
      );
    });
  },
});

export const networkExtensionLongLived = defineRule({
  id: LONG.id,
  title: 'Network extended for longer than the migration window',
  family: 'ne-ha',
  defaultSeverity: 'low',
  owner: CUSTOMER,
  appliesTo: BOTH,
  references: [REF.avsNeHa, REF.planning],
  action: "Finish migrating the network's VMs, then unextend it and cut the gateway over to Azure VMware Solution.",
  remediation:
    'Layer-2 extension is a migration aid, not a permanent network design: finish migrating the VMs on the network, then unextend it (HCX > Network Extension > Unextend) and cut the gateway over to AVS. ' +
    'The threshold is HCXMON_EXTENSION_MAX_DAYS (30 by default). Customer-owned.',
  needs: ['extensions'],
  hcxDependent: true,
  naSubject: EXTENSIONS,
  evaluate(inv: Inventory, ctx: RuleContext): Evaluation[] {
    if (inv.extensions === undefined) return [notCollected(LONG, inv, EXTENSIONS, 'extensions')];
    const max = ctx.settings.extensionMaxDays;
    return inv.extensions.map((e) => {
      const s = extSubject(e);
      const raw = e.createdAt ? daysSince(ctx.asOf, e.createdAt) : undefined;
      if (raw === undefined)
        return evaluation(
          LONG,
          inv,
          s,
          'unknown',
          'low',
          `Network ${s.name}: the extension's creation date was not reported.`,
          { source: 'hcx', createdAt: e.createdAt, ageDays: undefined, maxDays: max },
        );
      // An --as-of before the creation date would give a negative age: clamp to 0 and say why.
      const age = Math.max(0, raw);
      const ev = { source: 'hcx' as const, createdAt: e.createdAt, ageDays: age, maxDays: max };
      if (age > max)
        return evaluation(
          LONG,
          inv,
          s,
          'fail',
          'low',
          `Network ${s.name} has been extended for ${age} days (more than ${max}).`,
          ev,
        );
      // Stryker disable next-line OptionalChaining: raw was computed from createdAt, so createdAt is set here
      const created = e.createdAt?.slice(0, 10);
      const future =
        raw < 0 ? ` (created ${created}, after the evaluation date ${ctx.asOf.toISODate()}: age counted as 0)` : '';
      return evaluation(
        LONG,
        inv,
        s,
        'pass',
        'info',
        `Network ${s.name} has been extended for ${age} days (limit ${max})${future}.`,
        ev,
      );
    });
  },
});

export const NE_HA_RULES = [
  networkExtensionWithoutHa,
  neHaGroupDegraded,
  neApplianceHaIncompatible,
  networkExtensionLongLived,
];
