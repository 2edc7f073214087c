// Grants the monitor's identity the custom AVS reader role in one subscription that holds private clouds.
targetScope = 'subscription'

param roleDefinitionId string
param principalId string

// Named from the principal id, not the identity's name: after `azd down` the old assignment survives with a
// deleted principal, and a PUT of the same name for the new identity's principal is refused.
resource avsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, roleDefinitionId, principalId)
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
