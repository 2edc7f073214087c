import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULTS, HOST_STORAGE_SETTING, SETTINGS } from '../../lib/config';
import { QUEUE_CONNECTION } from '../../lib/queue';
import { SCAN_COMPLETED_EVENT, toAlertRow } from '../../lib/alerts';
import {
  INFRA,
  ROOT,
  arrayItems,
  fileOf,
  get,
  literal,
  loadInfra,
  ofType as ofTypeIn,
  paramDefault,
  props,
  syntaxErrors,
  variable,
  walkFiles,
  type BicepFile,
  type Infra,
  type Node,
  type Resource,
} from '../support/bicep';

/**
 * Offline checks of infra/: no Bicep compiler can be installed here, so a tree-sitter-bicep syntax gate plus
 * policy checks over the syntax tree. `bicep build` / what-if still belong where the CLI exists.
 */

let infra: Infra;

function file(rel: string): BicepFile {
  return fileOf(infra, rel);
}

function ofType(type: string): Resource[] {
  return ofTypeIn(infra, type);
}

function oneOfType(type: string): Resource {
  const found = ofType(type);
  expect(found.map((r) => `${r.file}:${r.symbol}`)).toHaveLength(1);
  return found[0];
}

/**
 * Names set by the Function App: the keys of its `appsettings` config resource, following identifiers to their
 * `var` objects and through `union(…)`. Computed keys (`toObject` over the secret names) come back as the call.
 */
function appSettingNames(): { names: Set<string>; computed: Node[] } {
  const config = ofType('Microsoft.Web/sites/config').filter((r) => literal(get(r.body, 'name')) === 'appsettings');
  expect(config.map((r) => `${r.file}:${r.symbol}`)).toHaveLength(1);
  const f = file(config[0].file);
  const expr = get(config[0].body, 'properties');
  expect(expr).toBeDefined();
  const names = new Set<string>();
  const computed: Node[] = [];
  const collect = (node: Node) => {
    if (node.type === 'object') {
      for (const key of props(node).keys()) names.add(key);
    } else if (node.type === 'call_expression' && node.childForFieldName('function')?.text === 'toObject') {
      computed.push(node);
    } else if (node.type === 'identifier') {
      const v = variable(f, node.text);
      if (v) collect(v);
    } else {
      node.namedChildren.forEach(collect);
    }
  };
  collect(expr!);
  return { names, computed };
}

beforeAll(async () => {
  infra = await loadInfra();
});

describe('infra syntax gate (tree-sitter-bicep)', () => {
  it('finds the Bicep files', () => {
    expect(infra.files.map((f) => f.rel)).toEqual(
      expect.arrayContaining(['main.bicep', 'modules/app.bicep', 'modules/monitoring.bicep']),
    );
    expect(infra.parseMs).toBeGreaterThan(0);
  });

  it('parses every file without ERROR or MISSING nodes', () => {
    const problems = infra.files.flatMap((f) => syntaxErrors(f.root).map((e) => `infra/${f.rel}:${e}`));
    expect(problems).toEqual([]);
  });

  it('reports a broken file at the right line (the gate can fail)', () => {
    const broken = [
      "param name string = 'x'",
      "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
      "  name: 'st'",
      '  properties: {',
      "    minimumTlsVersion: 'TLS1_2'",
      '  ',
      '',
    ].join('\n');
    const errors = syntaxErrors(infra.parser.parse(broken).rootNode);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/^[2-7]:\d+ /m);
  });
});

describe('infra policy', () => {
  it('uses no registry modules and only local module files that exist', () => {
    for (const f of infra.files) {
      expect(f.text).not.toMatch(/['"]br[:/]|['"]ts[:/]/);
      for (const m of f.root.descendantsOfType('module_declaration')) {
        const path = literal(m.namedChildren[1]);
        expect(path).toMatch(/\.bicep$/);
        expect(existsSync(join(INFRA, dirname(f.rel), path!))).toBe(true);
      }
    }
  });

  it('pins an api-version on every resource', () => {
    expect(infra.resources.length).toBeGreaterThan(15);
    const unpinned = infra.resources.filter((r) => !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(r.apiVersion));
    expect(unpinned.map((r) => `${r.file}:${r.line} ${r.typeText}`)).toEqual([]);
  });

  it('storage: no shared keys, TLS 1.2 minimum, no public blobs', () => {
    const accounts = ofType('Microsoft.Storage/storageAccounts');
    expect(accounts.length).toBeGreaterThan(0);
    for (const a of accounts) {
      expect(get(a.body, 'properties.allowSharedKeyAccess')?.text).toBe('false');
      expect(literal(get(a.body, 'properties.minimumTlsVersion'))).toBe('TLS1_2');
      expect(get(a.body, 'properties.allowBlobPublicAccess')?.text).toBe('false');
    }
    for (const f of infra.files) expect(f.text).not.toMatch(/listKeys\(|AccountKey=/);
  });

  it('names every role assignment with guid()', () => {
    const assignments = ofType('Microsoft.Authorization/roleAssignments');
    expect(assignments.length).toBeGreaterThanOrEqual(7);
    for (const a of assignments) {
      const name = get(a.body, 'name');
      expect(`${a.file}:${a.line} ${name?.type} ${name?.childForFieldName('function')?.text}`).toBe(
        `${a.file}:${a.line} call_expression guid`,
      );
    }
  });

  it('grants the identity least privilege: the custom AVS role and the data-plane roles it needs', () => {
    // main.bicep's AVS role; infra/discovery-reader.bicep's is checked in 'discovery across a management group'.
    const roles = ofType('Microsoft.Authorization/roleDefinitions').filter((r) => r.file === 'main.bicep');
    expect(roles).toHaveLength(1);
    const role = roles[0];
    const actions = arrayItems(get(arrayItems(get(role.body, 'properties.permissions'))[0], 'actions')).map((n) =>
      literal(n),
    );
    expect(actions.sort()).toEqual(
      [
        'Microsoft.AVS/privateClouds/read',
        'Microsoft.AVS/privateClouds/addons/read',
        'Microsoft.AVS/privateClouds/hcxEnterpriseSites/read',
        'Microsoft.AVS/privateClouds/listAdminCredentials/action',
      ].sort(),
    );
    const granted = ofType('Microsoft.Authorization/roleAssignments').map(
      (a) => get(a.body, 'properties.roleDefinitionId')?.text ?? '',
    );
    const all = infra.files.map((f) => f.text).join('\n');
    const builtIn = {
      'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
      'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
    };
    for (const [role, id] of Object.entries(builtIn)) expect([role, all.includes(id)]).toEqual([role, true]);
    expect(granted.join('\n')).not.toMatch(/8e3af657|b24988ac|acdd72a7/); // Owner, Contributor, User Access Administrator
    const dcrPublisher = ofType('Microsoft.Authorization/roleAssignments').find(
      (a) => get(a.body, 'scope')?.text === 'dcr',
    );
    expect(dcrPublisher).toBeDefined();
  });

  it('discovery across a management group: a read-only role at the group, the AVS role (listAdminCredentials) still only where the clouds are', () => {
    const f = file('discovery-reader.bicep');
    expect(f.text).toMatch(/^targetScope = 'managementGroup'$/m);
    const [role] = ofType('Microsoft.Authorization/roleDefinitions').filter((r) => r.file === 'discovery-reader.bicep');
    const actions = arrayItems(get(arrayItems(get(role.body, 'properties.permissions'))[0], 'actions')).map((n) =>
      literal(n),
    );
    // What Resource Graph needs to find the clouds and the readable subscriptions; no action, no write.
    expect(actions.sort()).toEqual(['Microsoft.AVS/privateClouds/read', 'Microsoft.Resources/subscriptions/read']);
    expect(get(role.body, 'properties.assignableScopes')?.text.replace(/\s+/g, '')).toBe('[managementGroup().id]');
    const assignments = ofType('Microsoft.Authorization/roleAssignments').filter((r) => r.file === 'discovery-reader.bicep');
    expect(assignments.map((a) => get(a.body, 'properties.roleDefinitionId')?.text)).toEqual(['discoveryReader.id']);
    // The AVS role's scopes do not follow the discovery scope: they stay the subscriptions / resource groups given.
    const avsRole = ofType('Microsoft.Authorization/roleDefinitions').find((r) => r.file === 'main.bicep')!;
    expect(get(avsRole.body, 'properties.assignableScopes')?.text).not.toMatch(/discoveryScope|managementGroup/);
    // main.bicep hands the scope to the app and, with one, no subscription list (the app refuses both at once).
    const main = file('main.bicep');
    expect(literal(paramDefault(main, 'discoveryScope'))).toBe('');
    expect(main.text).toMatch(/subscriptionIds: empty\(discoveryScope\) \? join\(avsSubscriptions, ','\) : ''/);
    expect(main.text).toMatch(/output HCXMON_IDENTITY_PRINCIPAL_ID string = identity\.outputs\.principalId/);
  });

  it('runs on Flex Consumption with a parameterised Node version (default 22) and identity-based deployment storage', () => {
    const plan = oneOfType('Microsoft.Web/serverfarms');
    expect(literal(get(plan.body, 'sku.tier'))).toBe('FlexConsumption');
    const site = oneOfType('Microsoft.Web/sites');
    const runtime = get(site.body, 'properties.functionAppConfig.runtime');
    expect(literal(get(runtime, 'name'))).toBe('node');
    const versionParam = get(runtime, 'version')!.text;
    expect(literal(paramDefault(file(site.file), versionParam))).toBe('22');
    expect(literal(paramDefault(file('main.bicep'), 'nodeVersion'))).toBe('22');
    expect(literal(get(site.body, 'properties.functionAppConfig.deployment.storage.authentication.type'))).toBe(
      'UserAssignedIdentity',
    );
    expect(get(site.body, 'properties.httpsOnly')?.text).toBe('true');
    expect(get(site.body, 'properties.keyVaultReferenceIdentity')).toBeDefined();
    expect(get(site.body, 'properties.virtualNetworkSubnetId')?.text).toMatch(/integrationSubnetId/);
  });

  it('sets every HCXMON_ setting lib/config.ts reads', () => {
    const { names } = appSettingNames();
    const missing = Object.values(SETTINGS).filter((s) => !names.has(s));
    expect(missing).toEqual([]);
  });

  it('sets the identity-based connection of every binding', () => {
    const { names } = appSettingNames();
    const connections = new Set([HOST_STORAGE_SETTING, QUEUE_CONNECTION]);
    const functionsDir = join(ROOT, 'functions');
    const sources = existsSync(functionsDir) ? walkFiles(functionsDir, '.ts') : [];
    for (const src of sources) {
      for (const m of readFileSync(src, 'utf8').matchAll(/connection:\s*['"]([A-Za-z0-9_]+)['"]/g))
        connections.add(m[1]);
    }
    for (const c of connections) {
      expect([c, names.has(`${c}__credential`), names.has(`${c}__clientId`)]).toEqual([c, true, true]);
      expect([c, names.has(`${c}__queueServiceUri`), names.has(`${c}__tableServiceUri`)]).toEqual([c, true, true]);
    }
    for (const suffix of ['blobServiceUri', 'queueServiceUri', 'tableServiceUri']) {
      expect(names.has(`${HOST_STORAGE_SETTING}__${suffix}`)).toBe(true);
    }
    // A connection string would need a shared key.
    expect(names.has(HOST_STORAGE_SETTING)).toBe(false);
  });

  it('puts connector passwords in Key Vault references, never in settings', () => {
    const { computed } = appSettingNames();
    const kvRefs = computed.filter((n) => /@Microsoft\.KeyVault\(VaultName=/.test(n.text));
    expect(kvRefs.length).toBeGreaterThan(0);
    const vault = oneOfType('Microsoft.KeyVault/vaults');
    expect(get(vault.body, 'properties.enableRbacAuthorization')?.text).toBe('true');
    expect(literal(paramDefault(file('main.bicep'), 'connectorSecretNames'))).toBe('');
    expect(paramDefault(file('modules/app.bicep'), 'connectorSecretNames')?.type).toBe('array');
  });

  it('declares the custom table and DCR stream with exactly the columns the dispatcher sends', () => {
    const monitoring = file('modules/monitoring.bicep');
    const columns = arrayItems(variable(monitoring, 'columns')).map((c) => literal(get(c, 'name')));
    const row = toAlertRow({
      id: 'e',
      event: 'opened',
      findingId: 'f',
      ruleId: 'r',
      severity: 'high',
      title: 't',
      message: 'm',
      targetId: 't',
      targetName: 't',
      subjectId: 's',
      subjectName: 's',
      owner: 'customer',
      createdAt: '2026-01-01T00:00:00Z',
    });
    expect(columns.sort()).toEqual(Object.keys(row).sort());
    expect(literal(variable(monitoring, 'streamName'))).toBe(DEFAULTS.alertStream);
    expect(literal(variable(monitoring, 'tableName'))).toBe('HcxComplianceFindings_CL');
    const dcr = oneOfType('Microsoft.Insights/dataCollectionRules');
    expect(get(dcr.body, 'properties.dataCollectionEndpointId')).toBeDefined();
  });

  it('pages per finding (FindingId dimension) and resolves when the latest event is resolved', () => {
    const monitoring = file('modules/monitoring.bicep');
    const rules = ofType('Microsoft.Insights/scheduledQueryRules');
    const perFinding = rules.filter((r) => /finding/.test(literal(get(r.body, 'name')) ?? get(r.body, 'name')!.text));
    expect(perFinding).toHaveLength(1);
    const body = perFinding[0].body;
    const criterion = arrayItems(get(body, 'properties.criteria.allOf'))[0];
    const dimensions = arrayItems(get(criterion, 'dimensions')).map((d) => literal(get(d, 'name')));
    expect(dimensions).toContain('FindingId');
    expect(get(body, 'properties.autoMitigate')?.text).toBe('true');
    const base = literal(variable(monitoring, 'latestPerFinding')) ?? variable(monitoring, 'latestPerFinding')!.text;
    expect(base).toMatch(/arg_max\(TimeGenerated,.*\) by FindingId/);
    expect(base).toMatch(/Event != "resolved"/);
    expect(get(body, 'properties.actions.actionGroups')?.text).toMatch(/oncall\.id/);
  });

  it("has a dead-man's switch on the scan-completed heartbeat within 26 h", () => {
    const monitoring = file('modules/monitoring.bicep');
    const rule = ofType('Microsoft.Insights/scheduledQueryRules').find((r) => r.symbol === 'scanMissed');
    expect(rule).toBeDefined();
    const criterion = arrayItems(get(rule!.body, 'properties.criteria.allOf'))[0];
    expect(get(criterion, 'query')!.text).toContain(`Event == "${SCAN_COMPLETED_EVENT}"`);
    expect(literal(get(criterion, 'operator'))).toBe('LessThan');
    expect(get(criterion, 'threshold')?.text).toBe('1');
    expect(paramDefault(monitoring, 'scanMissedHours')?.text).toBe('26');
  });

  it('wires an action group with e-mail, SMS and webhook receivers from parameters', () => {
    const ag = oneOfType('Microsoft.Insights/actionGroups');
    for (const receivers of ['emailReceivers', 'smsReceivers', 'webhookReceivers']) {
      expect([receivers, arrayItems(get(ag.body, `properties.${receivers}`)).length]).toEqual([receivers, 1]);
    }
    expect(oneOfType('Microsoft.Insights/workbooks')).toBeDefined();
  });

  it('azure.yaml deploys the Functions app as service api', () => {
    const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml).toMatch(/^services:\n {2}api:\n(?: {4}.*\n)*? {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}language: (ts|js)$/m);
    expect(yaml).toMatch(/^ {2}path: infra$/m);
  });
});
