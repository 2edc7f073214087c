// hcx-compliance-monitor on Azure: `azd up` (azure.yaml) or
//   az deployment sub create -l <region> -f infra/main.bicep -p infra/main.parameters.json
// Plain resource declarations only (no br/public: registry modules), so it builds wherever the Bicep CLI runs,
// offline included. test/unit/infra.test.ts checks syntax and policy without the CLI.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource (Flex Consumption must be available there).')
param location string

param resourceGroupName string = ''

@description('Node.js major version of the Functions runtime (22 or 20).')
param nodeVersion string = '22'

// Lists are comma-separated strings so azd can set each from one environment variable (main.parameters.json).
@description('Comma list of subscriptions holding AVS private clouds to discover; empty = this subscription. The identity gets the AVS reader role in each (or only in avsResourceGroupIds).')
param avsSubscriptionIds string = ''

@description('HCXMON_DISCOVERY_SCOPE: empty = the subscriptions of avsSubscriptionIds; managementGroup:<id> (or the tenant root group: managementGroup:<tenant id>) to discover every private cloud below it, after infra/discovery-reader.bicep granted read there. The AVS role (listAdminCredentials) stays where avsSubscriptionIds / avsResourceGroupIds say.')
param discoveryScope string = ''

@description('Least privilege: comma list of resource group ids (/subscriptions/…/resourceGroups/…) holding the private clouds. When set, the AVS reader role is assigned on these groups only, not on whole subscriptions.')
param avsResourceGroupIds string = ''

@allowed([
  'arm'
  'none'
])
param cloudCredentials string = 'arm'

// An array, not a string holding JSON: azd parses an array parameter's "${VAR}" as JSON, whereas a JSON text
// substituted into a string parameter's quotes breaks the parameters file (README "Deploy to Azure").
@description('HCXMON_CONNECTORS: the on-premises HCX Connectors (see README), a JSON array in the azd environment.')
param connectors array = []

@description('Comma list of Key Vault secret names holding connector passwords (each becomes an app setting, - → _, upper case).')
param connectorSecretNames string = ''

@description('NCRONTAB of the daily scan (UTC).')
param scanSchedule string = '0 0 5 * * *'

@allowed([
  'critical'
  'high'
  'medium'
  'low'
  'info'
])
param alertMinSeverity string = 'high'

param baselineVersion string = ''

@description('On-call e-mail; empty for none.')
param alertEmail string = ''
param alertSmsCountryCode string = '1'
@description('On-call SMS number without country code; empty for none.')
param alertSmsNumber string = ''
@secure()
@description('On-call webhook URL; empty for none.')
param alertWebhookUrl string = ''

@description('Existing subnet with a route to the HCX managers; empty = no VNet integration. Flex Consumption needs the Microsoft.App resource provider registered and the subnet delegated to Microsoft.App/environments (README "Deploy to Azure").')
param integrationSubnetId string = ''

@description('Object id of the principal that writes Connector secrets to Key Vault (Key Vault Secrets Officer). Default: whoever deploys; empty for none.')
param secretsOfficerPrincipalId string = deployer().objectId

@description('Client (application) id of an existing Microsoft Entra app registration: App Service Authentication in front of the app, so alert links open for a signed-in person. Who may sign in is set in Entra (assignment required, the on-call group and automation assigned: README). Empty = function keys only.')
param authClientId string = ''

@description('Recover this environment\'s soft-deleted Key Vault instead of creating it: true for the first provision after `azd down`, then false again (README "Redeploy after azd down").')
param keyVaultRecover bool = false

@description('With integrationSubnetId: deny Storage and Key Vault traffic except from that subnet and allowedIpRanges.')
param restrictNetworkAccess bool = false
@description('Comma list of CIDR ranges allowed through the Storage and Key Vault firewalls when restrictNetworkAccess is on (e.g. the deploying workstation).')
param allowedIpRanges string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  app: 'hcx-compliance-monitor'
}
var identityName = 'id-hcxmon-${resourceToken}'
var avsSubscriptions = empty(avsSubscriptionIds) ? [subscription().subscriptionId] : csv(avsSubscriptionIds)
var avsResourceGroups = csv(avsResourceGroupIds)

// 'a, b,,c' → ['a', 'b', 'c']
func csv(list string) array => filter(map(split(list, ','), item => trim(item)), item => !empty(item))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

// Least privilege for discovery: read private clouds, add-ons and HCX enterprise sites, and fetch the
// cloudadmin credentials (listAdminCredentials) used to log in to the HCX Cloud Manager. Nothing else.
resource avsReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'hcxmon-avs-reader', resourceToken)
  properties: {
    // roleName is unique per tenant: the environment name alone collides across subscriptions.
    roleName: 'HCX Compliance Monitor AVS Reader (${environmentName}-${resourceToken})'
    description: 'Reads AVS private clouds, HCX add-ons and HCX enterprise sites, and lists the private cloud admin credentials for HCX login.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.AVS/privateClouds/read'
          'Microsoft.AVS/privateClouds/addons/read'
          'Microsoft.AVS/privateClouds/hcxEnterpriseSites/read'
          'Microsoft.AVS/privateClouds/listAdminCredentials/action'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: empty(avsResourceGroups) ? map(avsSubscriptions, sub => '/subscriptions/${sub}') : avsResourceGroups
  }
}

module identity 'modules/identity.bicep' = {
  name: 'hcxmon-identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module avsAccess 'modules/avs-access.bicep' = [for sub in (empty(avsResourceGroups) ? avsSubscriptions : []): {
  // Deployment names are per subscription (or resource group), shared by every environment deploying there.
  name: 'hcxmon-avs-access-${resourceToken}-${uniqueString(sub)}'
  scope: subscription(sub)
  params: {
    roleDefinitionId: avsReader.id
    principalId: identity.outputs.principalId
  }
}]

module avsAccessRg 'modules/avs-access-rg.bicep' = [for rgId in avsResourceGroups: {
  name: 'hcxmon-avs-access-${resourceToken}-${uniqueString(rgId)}'
  scope: resourceGroup(split(rgId, '/')[2], split(rgId, '/')[4])
  params: {
    roleDefinitionId: avsReader.id
    principalId: identity.outputs.principalId
  }
}]

module monitoring 'modules/monitoring.bicep' = {
  name: 'hcxmon-monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    principalId: identity.outputs.principalId
    alertEmail: alertEmail
    alertSmsCountryCode: alertSmsCountryCode
    alertSmsNumber: alertSmsNumber
    alertWebhookUrl: alertWebhookUrl
  }
}

module app 'modules/app.bicep' = {
  name: 'hcxmon-app'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    identityPrincipalId: identity.outputs.principalId
    nodeVersion: nodeVersion
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    logsIngestionEndpoint: monitoring.outputs.logsIngestionEndpoint
    dcrImmutableId: monitoring.outputs.dcrImmutableId
    alertStream: monitoring.outputs.streamName
    integrationSubnetId: integrationSubnetId
    // A management-group scope replaces the subscription list (the app refuses both at once).
    subscriptionIds: empty(discoveryScope) ? join(avsSubscriptions, ',') : ''
    discoveryScope: discoveryScope
    cloudCredentials: cloudCredentials
    connectorsJson: string(connectors)
    connectorSecretNames: csv(connectorSecretNames)
    scanSchedule: scanSchedule
    baselineVersion: baselineVersion
    alertMinSeverity: alertMinSeverity
    secretsOfficerPrincipalId: secretsOfficerPrincipalId
    authClientId: authClientId
    keyVaultRecover: keyVaultRecover
    workspaceId: monitoring.outputs.workspaceId
    restrictNetworkAccess: restrictNetworkAccess
    allowedIpRanges: csv(allowedIpRanges)
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
output HCXMON_ALERT_ENDPOINT string = monitoring.outputs.logsIngestionEndpoint
output HCXMON_ALERT_RULE_ID string = monitoring.outputs.dcrImmutableId
// For infra/discovery-reader.bicep (discovery across a management group).
output HCXMON_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output ACTION_GROUP_ID string = monitoring.outputs.actionGroupId
output SERVICE_API_URI string = 'https://${app.outputs.defaultHostName}'
output HCXMON_SIGN_IN string = empty(authClientId) ? 'keys' : 'entra'
// The custom role's name, for cleaning up its assignments (README "Redeploy after azd down").
output AVS_READER_ROLE_NAME string = avsReader.properties.roleName
