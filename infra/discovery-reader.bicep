// Discovery across a management group (or the whole tenant: its root management group's id is the tenant id),
// for HCXMON_DISCOVERY_SCOPE=managementGroup:<id>. A separate deployment because it is a management-group
// deployment, run by someone with rights there (azd's subscription deployment usually has none):
//   az deployment mg create -l <region> -m <managementGroupId> -f infra/discovery-reader.bicep \
//     -p principalId=<HCXMON_IDENTITY_PRINCIPAL_ID output of main.bicep>
// Least privilege: read private clouds and subscriptions below the group — what Resource Graph needs to find
// them — and nothing else. listAdminCredentials stays with main.bicep's AVS role, only where the clouds are.
targetScope = 'managementGroup'

@description('Object id of the Function App identity (main.bicep output HCXMON_IDENTITY_PRINCIPAL_ID).')
param principalId string

resource discoveryReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, 'hcxmon-discovery-reader')
  properties: {
    roleName: 'HCX Compliance Monitor discovery reader (${managementGroup().name})'
    description: 'Finds AVS private clouds through Azure Resource Graph: reads private clouds and subscriptions, nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.AVS/privateClouds/read'
          'Microsoft.Resources/subscriptions/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      managementGroup().id
    ]
  }
}

// Named from the principal id: after `azd down` a new identity gets its own assignment instead of a refused PUT.
resource discoveryReaderAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, discoveryReader.id, principalId)
  properties: {
    roleDefinitionId: discoveryReader.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
