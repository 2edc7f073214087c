// The Function App on Flex Consumption, its storage (identity only, no shared keys) and Key Vault, with the
// identity's data-plane roles. Every HCXMON_ setting lib/config.ts reads is set here (test/unit/infra.test.ts).
param location string
param tags object = {}
param resourceToken string
param identityId string
param identityClientId string
param identityPrincipalId string

@description('Node.js major version of the Functions runtime.')
param nodeVersion string = '22'
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

param appInsightsConnectionString string
param logsIngestionEndpoint string
param dcrImmutableId string
param alertStream string

@description('Resource id of an existing subnet (delegated to Microsoft.App/environments) that routes to the HCX managers; empty for no VNet integration.')
param integrationSubnetId string = ''

param subscriptionIds string
@description('HCXMON_DISCOVERY_SCOPE; empty = the subscriptions of subscriptionIds.')
param discoveryScope string = ''
param armEndpoint string = ''
param cloudCredentials string = 'arm'
@description('HCXMON_CONNECTORS: JSON array of on-premises HCX Connectors; each passwordSetting names one of the Key Vault–backed settings below.')
param connectorsJson string = '[]'
@description('Key Vault secret names holding connector passwords; each becomes the app setting of the same name with - replaced by _ (e.g. hcx-onprem1-password → HCX_ONPREM1_PASSWORD).')
param connectorSecretNames array = []
param hcxCaFile string = ''
param armCaFile string = ''
param scanSchedule string = '0 0 5 * * *'
param concurrency string = '8'
param httpTimeoutMs string = '15000'
param baselineVersion string = ''
param extensionMaxDays string = '30'
param historyDays string = '90'
param alertMinSeverity string = 'high'
param dashboardUrl string = ''
@description('Recover the soft-deleted vault of this environment (createMode recover) instead of creating it: once, on the first provision after `azd down` (README).')
param keyVaultRecover bool = false
@description('Object id of the principal that writes Connector secrets (Key Vault Secrets Officer on the vault); empty for none.')
param secretsOfficerPrincipalId string = ''

@description('Client (application) id of an existing Microsoft Entra app registration for App Service Authentication; empty = function keys only. Who may sign in is decided by Entra: the registration\'s service principal requires assignment (README).')
param authClientId string = ''

@description('Resource id of the Log Analytics workspace that receives the Key Vault audit log.')
param workspaceId string

@description('With VNet integration: deny Storage and Key Vault traffic except from the integration subnet (service endpoints Microsoft.Storage and Microsoft.KeyVault on it) and these IP ranges (CIDR), e.g. the deploying workstation.')
param restrictNetworkAccess bool = false
param allowedIpRanges array = []

var appName = 'func-${resourceToken}'
var signIn = !empty(authClientId)
var restricted = restrictNetworkAccess && !empty(integrationSubnetId)
// Storage firewall rules take an address or a range up to /30, never /31 or /32 (Microsoft Learn, "Configure Azure
// Storage firewalls and virtual networks", https://learn.microsoft.com/azure/storage/common/storage-network-security):
// a /32 becomes its address, a /31 its two addresses. Key Vault takes every prefix length, so it gets the ranges as given.
var storageIpRules = flatten(map(
  allowedIpRanges,
  range =>
    endsWith(range, '/31')
      ? concat(array(parseCidr(range).network), array(parseCidr(range).broadcast))
      : array(endsWith(range, '/32') ? take(range, length(range) - 3) : range)
))
var deploymentContainer = 'app-package-${take(resourceToken, 20)}'
var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: restricted
      ? {
          defaultAction: 'Deny'
          bypass: 'AzureServices'
          virtualNetworkRules: [
            {
              id: integrationSubnetId
              action: 'Allow'
            }
          ]
          ipRules: [for address in storageIpRules: {
            value: address
            action: 'Allow'
          }]
        }
      : {
          defaultAction: 'Allow'
          bypass: 'AzureServices'
        }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
  properties: {
    publicAccess: 'None'
  }
}

// Blob Data Owner on the account, not only the package container: the Functions host keeps its keys, timer
// schedule status and singleton leases in its own containers (azure-webjobs-hosts, azure-webjobs-secrets).
resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, roles.blobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, roles.queueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, roles.tableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection keeps the name for 90 days after `azd down`. The first provision after it recovers the vault
    // in place (keyVaultRecover, README "Redeploy after azd down"), which brings the Connector secrets back; a
    // recover needs the vault's resource group to exist, and this deployment creates it first.
    enablePurgeProtection: true
    createMode: keyVaultRecover ? 'recover' : 'default'
    publicNetworkAccess: 'Enabled'
    networkAcls: restricted
      ? {
          defaultAction: 'Deny'
          bypass: 'AzureServices'
          virtualNetworkRules: [
            {
              id: integrationSubnetId
            }
          ]
          ipRules: [for range in allowedIpRanges: {
            value: range
          }]
        }
      : {
          defaultAction: 'Allow'
          bypass: 'AzureServices'
        }
  }
}

// Who read which secret, in the same workspace as the findings.
resource vaultAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The vault uses RBAC, where Owner has no data-plane rights: without this the README's
// `az keyvault secret set` for a Connector password gets 403.
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(vault.id, secretsOfficerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: secretsOfficerPrincipalId
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

// Connector passwords never sit in settings or parameters: each setting is a Key Vault reference resolved by
// the platform with the app's user-assigned identity (keyVaultReferenceIdentity).
var secretSettings = toObject(
  connectorSecretNames,
  secretName => toUpper(replace(secretName, '-', '_')),
  secretName => '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${secretName})'
)

var baseSettings = {
  // Host storage for the queue trigger, timers and keys: identity-based, no connection string.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  // DefaultAzureCredential (ARM, Logs Ingestion) picks the user-assigned identity from this.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  HCXMON_SUBSCRIPTION_IDS: subscriptionIds
  HCXMON_DISCOVERY_SCOPE: discoveryScope
  HCXMON_ARM_ENDPOINT: armEndpoint
  // Empty in Azure: the managed identity gets ARM tokens. Only CI and the lab set a pre-obtained token.
  HCXMON_ARM_ACCESS_TOKEN: ''
  HCXMON_ARM_CA_FILE: armCaFile
  HCXMON_CLOUD_CREDENTIALS: cloudCredentials
  HCXMON_CONNECTORS: connectorsJson
  HCXMON_HCX_CA_FILE: hcxCaFile
  // Empty: the app's own tables use the identity-based AzureWebJobsStorage__tableServiceUri above.
  HCXMON_STORAGE: ''
  HCXMON_SCAN_SCHEDULE: scanSchedule
  HCXMON_CONCURRENCY: concurrency
  HCXMON_HTTP_TIMEOUT_MS: httpTimeoutMs
  HCXMON_BASELINE_VERSION: baselineVersion
  HCXMON_EXTENSION_MAX_DAYS: extensionMaxDays
  HCXMON_HISTORY_DAYS: historyDays
  // Upgrade windows (README "Upgrade windows"): follow-up rescans after an observed upgrade, and its convergence window.
  HCXMON_UPGRADE_FOLLOWUP_MINUTES: '15,60,360'
  HCXMON_UPGRADE_WINDOW_HOURS: '8'
  HCXMON_ALERT_ENDPOINT: logsIngestionEndpoint
  HCXMON_ALERT_RULE_ID: dcrImmutableId
  HCXMON_ALERT_STREAM: alertStream
  HCXMON_ALERT_MIN_SEVERITY: alertMinSeverity
  // The host name the platform gave the app, the one the sign-in redirect URI is registered for (README): a new app
  // may get a unique default host name (<name>-<hash>.<region>-01.azurewebsites.net), not <name>.azurewebsites.net.
  HCXMON_DASHBOARD_URL: empty(dashboardUrl) ? 'https://${site.properties.defaultHostName}/api/dashboard' : dashboardUrl
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(integrationSubnetId) ? null : integrationSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
  dependsOn: [
    blobOwner
    queueContributor
    tableContributor
    secretsUser
    packageContainer
  ]
}

// The settings, in their own resource so that they can name the site's own host name (HCXMON_DASHBOARD_URL). This
// PUT replaces every app setting: all of them are here.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(baseSettings, secretSettings)
}

// Deployment goes through Entra (azd, Core Tools with az login); user-scope and site-scope basic credentials off.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Sign-in with Microsoft Entra ID in front of the app, so the dashboard link an alert carries opens for a person:
// every request must be signed in (browsers are sent to the sign-in page). Who may sign in is Entra's decision, not
// a claim check here: the registration's service principal has appRoleAssignmentRequired, and only principals
// assigned to it (the on-call group, automation service principals or managed identities) get a token at all (README).
// No allowedPrincipals: `groups` reads the token's groups claim, which an ID token caps (Microsoft Learn, "Configure
// group claims for applications by using Microsoft Entra ID"), and `identities` is an allowlist of object ids that
// would refuse every person not listed (Microsoft Learn, "Configure your App Service or Azure Functions app to use
// Microsoft Entra sign-in", https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad).
// The app then serves the dashboard and read routes without a key (lib/api/appServiceAuth.ts); writes still need the
// admin key. No client secret: browser sign-in uses the ID token (the registration has ID token issuance on, README).
// Deployed whether sign-in is on or not: turning it off must switch off a configuration an earlier deployment left.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: signIn
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: signIn
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: signIn
            ? [
                authClientId
                'api://${authClientId}'
              ]
            : []
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
  // One site configuration write at a time: the settings first.
  dependsOn: [
    appSettings
  ]
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output keyVaultName string = vault.name
output storageAccountName string = storage.name
