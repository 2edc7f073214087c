import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  INFRA,
  ROOT,
  arrayItems,
  callArgs,
  calls,
  fileOf,
  get,
  literal,
  loadInfra,
  ofType,
  paramDefault,
  variable,
  type Infra,
  type Node,
  type Resource,
} from '../support/bicep';

/**
 * What a real deployment rejects, or breaks on its second run, that no syntax check sees: reserved column names,
 * names that must be unique per tenant or per redeploy, data-plane rights the README relies on, query validation
 * racing table creation. Each check here failed on the infra/ of issue 13 before it was fixed.
 */

let infra: Infra;
let readme: string;

beforeAll(async () => {
  infra = await loadInfra();
  readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
});

/** The README section under a `## ` heading, up to the next one. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect([heading, start >= 0]).toEqual([heading, true]);
  const next = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, next < 0 ? undefined : next);
}

/**
 * Log Analytics reserves these column names (Microsoft Learn, "Add or delete tables and columns in Azure Monitor
 * Logs", https://learn.microsoft.com/azure/azure-monitor/logs/create-custom-table); names starting with `_` are
 * the standard columns'. The table PUT fails on any of them.
 */
const RESERVED_COLUMNS = [
  'id',
  'BilledSize',
  'IsBillable',
  'InvalidTimeGenerated',
  'TenantId',
  'Title',
  'Type',
  'UniqueId',
  'SourceSystem',
  'MG',
  'ManagementGroupName',
];

/** Custom column types a table accepts (Tables.json, 2022-10-01, ColumnTypeEnum). */
const COLUMN_TYPES = ['string', 'int', 'long', 'real', 'boolean', 'datetime', 'guid', 'dynamic'];

function columnsOf(): { name: string; type: string }[] {
  const monitoring = fileOf(infra, 'modules/monitoring.bicep');
  return arrayItems(variable(monitoring, 'columns')).map((c) => ({
    name: literal(get(c, 'name')) ?? '',
    type: literal(get(c, 'type')) ?? '',
  }));
}

/** The KQL strings of the alert rules and the workbook, with `${tableName}` and `${latestPerFinding}` expanded. */
function kqlQueries(): string[] {
  const monitoring = fileOf(infra, 'modules/monitoring.bicep');
  const table = literal(variable(monitoring, 'tableName'))!;
  const base = variable(monitoring, 'latestPerFinding')!.text;
  const expand = (s: string) =>
    s
      .replace(/^'|'$/g, '')
      .replace(/\$\{latestPerFinding\}/g, base.replace(/^'|'$/g, ''))
      .replace(/\$\{tableName\}/g, table);
  const queries = monitoring.root
    .descendantsOfType('object_property')
    .filter((p) => p.namedChildren[0].text === 'query')
    .map((p) => expand(p.namedChildren[p.namedChildren.length - 1].text));
  expect(queries.length).toBeGreaterThanOrEqual(5);
  return queries;
}

/** Column names a KQL query reads: capitalised identifiers that are neither KQL words nor names it assigns. */
function columnsRead(kql: string): string[] {
  const strings = /"[^"]*"/g;
  const text = kql.replace(strings, '""');
  const assigned = new Set([...text.matchAll(/\b([A-Z]\w*)\s*=(?!=)/g)].map((m) => m[1]));
  const tables = new Set([...text.matchAll(/\b(\w+_CL)\b/g)].map((m) => m[1]));
  return [...new Set([...text.matchAll(/\b([A-Z]\w*)\b/g)].map((m) => m[1]))].filter(
    (w) => !assigned.has(w) && !tables.has(w),
  );
}

describe('1. custom table: reserved names, types, and one schema from the code to the KQL', () => {
  it('declares no column Log Analytics reserves', () => {
    const reserved = new Set(RESERVED_COLUMNS.map((c) => c.toLowerCase()));
    const bad = columnsOf()
      .map((c) => c.name)
      .filter((n) => reserved.has(n.toLowerCase()) || n.startsWith('_'));
    expect(bad).toEqual([]);
  });

  it('uses only column types a custom table accepts, TimeGenerated a datetime', () => {
    const columns = columnsOf();
    expect(columns.filter((c) => !COLUMN_TYPES.includes(c.type.toLowerCase()))).toEqual([]);
    expect(columns.find((c) => c.name === 'TimeGenerated')?.type.toLowerCase()).toBe('datetime');
    expect(columns.every((c) => /^[A-Za-z][A-Za-z0-9_]*$/.test(c.name))).toBe(true);
  });

  it('table schema = DCR stream = the columns every query reads (the row the code sends: infra.test.ts)', () => {
    const declared = columnsOf().map((c) => c.name);
    const table = ofType(infra, 'Microsoft.OperationalInsights/workspaces/tables')[0];
    const dcr = ofType(infra, 'Microsoft.Insights/dataCollectionRules')[0];
    expect(get(table.body, 'properties.schema.columns')?.text).toBe('columns');
    const streams = get(dcr.body, 'properties.streamDeclarations')!;
    expect(streams.namedChildren.map((p) => get(p.namedChildren[1], 'columns')?.text)).toEqual(['columns']);
    const unknown = kqlQueries().flatMap((q) => columnsRead(q).filter((c) => !declared.includes(c)));
    expect(unknown).toEqual([]);
  });

  it('the KQL column check sees a column the table does not declare (the check can fail)', () => {
    expect(columnsRead('T_CL | summarize arg_max(TimeGenerated, Title) by FindingId | project X = Title')).toEqual([
      'TimeGenerated',
      'Title',
      'FindingId',
    ]);
  });
});

function interpolations(node: Node): string[] {
  return node.descendantsOfType('interpolation').map((i) => i.namedChildren.map((c) => c.text).join(''));
}

describe('2-3. names that must be unique per tenant, per subscription and per redeploy', () => {
  it("derives the custom role's roleName (unique per tenant) from the subscription, not only the environment name", () => {
    const main = fileOf(infra, 'main.bicep');
    const role = ofType(infra, 'Microsoft.Authorization/roleDefinitions')[0];
    const roleName = get(role.body, 'properties.roleName')!;
    const parts = interpolations(roleName);
    expect(parts).toContain('resourceToken');
    expect(variable(main, 'resourceToken')?.text).toMatch(/uniqueString\(subscription\(\)\.id,/);
    expect(get(role.body, 'name')?.text).toMatch(/^guid\(subscription\(\)\.id,/);
  });

  it('names every role assignment from the principal id it grants, never from a resource name', () => {
    const assignments = ofType(infra, 'Microsoft.Authorization/roleAssignments');
    expect(assignments.length).toBeGreaterThanOrEqual(8);
    const wrong = assignments.flatMap((a: Resource) => {
      const principal = get(a.body, 'properties.principalId')!.text;
      const guid = calls(get(a.body, 'name')!, 'guid')[0];
      const args = guid ? callArgs(guid).map((n) => n.text) : [];
      const ok = args.includes(principal) && !args.some((t) => /name/i.test(t) && t !== principal);
      return ok ? [] : [`${a.file}:${a.line} ${a.symbol}: guid(${args.join(', ')}) for principal ${principal}`];
    });
    expect(wrong).toEqual([]);
  });
});

describe('4-5. Key Vault: a redeploy after azd down, and a deployer who can write the Connector secrets', () => {
  it('a purge-protected vault with a name stable per environment is recovered on redeploy, as the README walks', () => {
    const vault = ofType(infra, 'Microsoft.KeyVault/vaults')[0];
    expect(get(vault.body, 'properties.enablePurgeProtection')?.text).toBe('true');
    expect(get(vault.body, 'name')?.text).toContain('resourceToken');
    const deploy = section('Deploy to Azure');
    expect(deploy).toMatch(/az keyvault recover --name "?\$\(azd env get-value AZURE_KEY_VAULT_NAME\)"?/);
    expect(deploy.indexOf('az keyvault recover')).toBeLessThan(deploy.lastIndexOf('azd up'));
  });

  it('grants Key Vault Secrets Officer on the vault to a parameter that defaults to the deploying principal', () => {
    const app = fileOf(infra, 'modules/app.bicep');
    const main = fileOf(infra, 'main.bicep');
    const officer = ofType(infra, 'Microsoft.Authorization/roleAssignments').filter(
      (a) =>
        a.file === 'modules/app.bicep' &&
        get(a.body, 'scope')?.text === 'vault' &&
        /keyVaultSecretsOfficer/.test(get(a.body, 'properties.roleDefinitionId')?.text ?? ''),
    );
    expect(officer).toHaveLength(1);
    expect(variable(app, 'roles')?.text).toContain("keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'");
    expect(paramDefault(main, 'secretsOfficerPrincipalId')?.text).toBe('deployer().objectId');
    const params = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(params.parameters.secretsOfficerPrincipalId?.value).toBe('${AZURE_PRINCIPAL_ID}');
  });
});

describe('6-7. VNet integration prerequisites, and alert rules created right after their table', () => {
  it('documents the Microsoft.App provider and the Microsoft.App/environments delegation for VNet integration', () => {
    const deploy = section('Deploy to Azure');
    expect(deploy).toContain('az provider register --namespace Microsoft.App');
    expect(deploy).toMatch(/--delegations Microsoft\.App\/environments/);
    const main = fileOf(infra, 'main.bicep');
    expect(main.text).toMatch(
      /@description\('[^']*Microsoft\.App\/environments[^']*'\)\s*\nparam integrationSubnetId /,
    );
  });

  it('skips query validation on every log search alert over the custom table (the table may not resolve yet)', () => {
    const rules = ofType(infra, 'Microsoft.Insights/scheduledQueryRules');
    expect(rules.length).toBeGreaterThanOrEqual(2);
    const unguarded = rules.filter((r) => get(r.body, 'properties.skipQueryValidation')?.text !== 'true');
    expect(unguarded.map((r) => `${r.file}:${r.line} ${r.symbol}`)).toEqual([]);
  });
});

describe('on-call links that open for a signed-in person', () => {
  it('puts App Service Authentication (Entra, existing registration, one group) in front when configured', () => {
    const auth = ofType(infra, 'Microsoft.Web/sites/config').find(
      (r) => literal(get(r.body, 'name')) === 'authsettingsV2',
    );
    expect(auth).toBeDefined();
    const p = get(auth!.body, 'properties');
    expect(get(p, 'platform.enabled')?.text).toBe('true');
    expect(get(p, 'globalValidation.requireAuthentication')?.text).toBe('true');
    expect(literal(get(p, 'globalValidation.unauthenticatedClientAction'))).toBe('RedirectToLoginPage');
    const aad = get(p, 'identityProviders.azureActiveDirectory');
    expect(get(aad, 'registration.clientId')?.text).toBe('authClientId');
    // No client secret to keep: sign-in uses the ID token.
    expect(get(aad, 'registration.clientSecretSettingName')).toBeUndefined();
    expect(
      arrayItems(get(aad, 'validation.defaultAuthorizationPolicy.allowedPrincipals.groups')).map((n) => n.text),
    ).toEqual(['authGroupId']);
    const app = fileOf(infra, 'modules/app.bicep');
    expect(variable(app, 'signIn')?.text).toBe('!empty(authClientId) && !empty(authGroupId)');
  });

  it('links alerts to the dashboard without a key in the URL', () => {
    const app = fileOf(infra, 'modules/app.bicep');
    const setting = app.root
      .descendantsOfType('object')
      .find((o) => literal(get(o, 'name')) === 'HCXMON_DASHBOARD_URL');
    expect(get(setting, 'value')?.text).toMatch(/\/api\/dashboard/);
    expect(get(setting, 'value')?.text).not.toMatch(/code=|listKeys|functionKeys/i);
  });
});

describe('hardening', () => {
  it('turns off FTP and SCM basic publishing credentials', () => {
    const policies = ofType(infra, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => literal(get(p.body, 'name'))).sort()).toEqual(['ftp', 'scm']);
    for (const p of policies) expect(get(p.body, 'properties.allow')?.text).toBe('false');
  });

  it("sends the vault's audit log to the workspace", () => {
    const diag = ofType(infra, 'Microsoft.Insights/diagnosticSettings').find(
      (d) => get(d.body, 'scope')?.text === 'vault',
    );
    expect(diag).toBeDefined();
    expect(get(diag!.body, 'properties.workspaceId')?.text).toBe('workspaceId');
    expect(arrayItems(get(diag!.body, 'properties.logs')).map((l) => literal(get(l, 'categoryGroup')))).toEqual([
      'audit',
    ]);
  });

  it('closes the Storage and Key Vault firewalls to all but the integration subnet when asked', () => {
    for (const type of ['Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults']) {
      const r = ofType(infra, type)[0];
      const acls = get(r.body, 'properties.networkAcls')!;
      expect([type, acls.type, acls.childForFieldName('condition')?.text]).toEqual([
        type,
        'ternary_expression',
        'restricted',
      ]);
      const on = acls.childForFieldName('consequence')!;
      expect(literal(get(on, 'defaultAction'))).toBe('Deny');
      expect(arrayItems(get(on, 'virtualNetworkRules')).map((v) => get(v, 'id')?.text)).toEqual([
        'integrationSubnetId',
      ]);
    }
  });

  it('maps every main.bicep parameter a user sets to an azd environment variable', () => {
    const main = fileOf(infra, 'main.bicep');
    const declared = main.root.namedChildren
      .filter((n) => n.type === 'parameter_declaration')
      .map((n) => n.namedChildren.find((c) => c.type === 'identifier')!.text);
    const params = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: string }>;
    };
    const notMapped = declared.filter((p) => p !== 'resourceGroupName' && !(p in params.parameters));
    expect(notMapped).toEqual([]);
    expect(Object.keys(params.parameters).filter((p) => !declared.includes(p))).toEqual([]);
    for (const [name, { value }] of Object.entries(params.parameters))
      expect([name, value]).toEqual([name, expect.stringMatching(/^\$\{[A-Z_]+(=.*)?\}$/)]);
    const deploy = section('Deploy to Azure');
    const envVars = Object.values(params.parameters)
      .map((p) => /^\$\{([A-Z_]+)/.exec(p.value)![1])
      .filter((v) => v.startsWith('HCXMON_'));
    expect(envVars.filter((v) => !deploy.includes(v))).toEqual([]);
  });
});

describe('names and role ids', () => {
  /** Microsoft Learn, "Azure built-in roles", https://learn.microsoft.com/azure/role-based-access-control/built-in-roles */
  const BUILT_IN: Record<string, string> = {
    blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', // Storage Blob Data Owner
    queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88', // Storage Queue Data Contributor
    tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', // Storage Table Data Contributor
    keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6', // Key Vault Secrets User
    keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7', // Key Vault Secrets Officer
    metricsPublisherRoleId: '3913510d-42f4-4e42-8a64-420c390055eb', // Monitoring Metrics Publisher
  };

  it('gives every built-in role id the GUID of the role its name says', () => {
    const app = fileOf(infra, 'modules/app.bicep');
    const monitoring = fileOf(infra, 'modules/monitoring.bicep');
    const declared: Record<string, string | undefined> = {};
    for (const p of variable(app, 'roles')!.namedChildren.filter((n) => n.type === 'object_property'))
      declared[p.namedChildren[0].text] = literal(p.namedChildren[1]);
    declared.metricsPublisherRoleId = literal(variable(monitoring, 'metricsPublisherRoleId'));
    expect(declared).toEqual(BUILT_IN);
  });

  it('derives every globally unique resource name from the per-subscription, per-environment token', () => {
    const global = [
      'Microsoft.Storage/storageAccounts',
      'Microsoft.KeyVault/vaults',
      'Microsoft.Web/sites',
      'Microsoft.Web/serverfarms',
    ].flatMap((t) => ofType(infra, t));
    expect(global).toHaveLength(4);
    for (const r of global) {
      const name = get(r.body, 'name')!;
      const text = name.type === 'identifier' ? variable(fileOf(infra, r.file), name.text)?.text : name.text;
      expect([r.symbol, text]).toEqual([r.symbol, expect.stringContaining('${resourceToken}')]);
    }
    expect(variable(fileOf(infra, 'main.bicep'), 'resourceToken')?.text).toBe(
      'toLower(uniqueString(subscription().id, environmentName, location))',
    );
  });
});
