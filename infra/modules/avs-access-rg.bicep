// Grants the monitor's identity the custom AVS reader role on one resource group that holds private clouds
// (least privilege: main.bicep's avsResourceGroupIds).
targetScope = 'resourceGroup'

param roleDefinitionId string
param principalId string

resource avsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, roleDefinitionId, principalId)
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
