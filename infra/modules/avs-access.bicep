// Grants the monitor's identity the custom AVS reader role in one subscription that holds private clouds.
targetScope = 'subscription'

param roleDefinitionId string
param principalId string
param identityName string

resource avsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, roleDefinitionId, identityName)
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
