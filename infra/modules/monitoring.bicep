// Log Analytics + App Insights, the findings custom table fed through Logs Ingestion (DCE + DCR), the
// per-finding and dead-man's-switch log search alerts, the on-call action group and a workbook.
param location string
param tags object = {}
param resourceToken string
@description('Principal id of the Function App identity (Monitoring Metrics Publisher on the DCR and App Insights).')
param principalId string
param retentionInDays int = 90

@description('On-call e-mail address; empty for none.')
param alertEmail string = ''
@description('On-call SMS: country code (e.g. 1, 44, 49).')
param alertSmsCountryCode string = '1'
@description('On-call SMS number without the country code; empty for none.')
param alertSmsNumber string = ''
@secure()
@description('On-call webhook (PagerDuty, Opsgenie, Teams workflow…); empty for none.')
param alertWebhookUrl string = ''

@description('Hours without a completed scan before the dead-man switch pages (26 h = a daily scan plus slack).')
param scanMissedHours int = 26

var tableName = 'HcxComplianceFindings_CL'
var streamName = 'Custom-HcxComplianceFindings_CL'
var metricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

// Must match AlertRow in lib/alerts/types.ts: the DCR drops columns it does not declare.
var columns = [
  {
    name: 'TimeGenerated'
    type: 'datetime'
  }
  {
    name: 'FindingId'
    type: 'string'
  }
  {
    name: 'RuleId'
    type: 'string'
  }
  {
    name: 'Severity'
    type: 'string'
  }
  {
    name: 'Event'
    type: 'string'
  }
  {
    name: 'Target'
    type: 'string'
  }
  {
    name: 'Subject'
    type: 'string'
  }
  // Not `Title`: Log Analytics reserves that name and the table PUT fails (test/unit/infra-deploy.test.ts).
  {
    name: 'FindingTitle'
    type: 'string'
  }
  {
    name: 'Message'
    type: 'string'
  }
  {
    name: 'Deadline'
    type: 'string'
  }
  {
    name: 'Owner'
    type: 'string'
  }
  {
    name: 'DashboardLink'
    type: 'string'
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Entra-only ingestion: the app authenticates with its identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
    DisableLocalAuth: true
  }
}

resource findingsTable 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: workspace
  name: tableName
  properties: {
    retentionInDays: retentionInDays
    schema: {
      name: tableName
      columns: columns
    }
  }
}

resource dce 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = {
  name: 'dce-${resourceToken}'
  location: location
  tags: tags
  properties: {
    networkAcls: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource dcr 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: 'dcr-${resourceToken}'
  location: location
  tags: tags
  properties: {
    dataCollectionEndpointId: dce.id
    streamDeclarations: {
      '${streamName}': {
        columns: columns
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: 'findings'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          streamName
        ]
        destinations: [
          'findings'
        ]
        transformKql: 'source'
        outputStream: streamName
      }
    ]
  }
  dependsOn: [
    findingsTable
  ]
}

resource dcrPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dcr.id, principalId, metricsPublisherRoleId)
  scope: dcr
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, metricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource oncall 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-hcxmon-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'hcxmon'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'oncall-email'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
    smsReceivers: empty(alertSmsNumber) ? [] : [
      {
        name: 'oncall-sms'
        countryCode: alertSmsCountryCode
        phoneNumber: alertSmsNumber
      }
    ]
    webhookReceivers: empty(alertWebhookUrl) ? [] : [
      {
        name: 'oncall-webhook'
        serviceUri: alertWebhookUrl
        useCommonAlertSchema: true
      }
    ]
  }
}

// One rule per severity band so the Azure Monitor alert severity matches the finding's. Each splits by
// FindingId: one alert per finding, firing while the finding's latest event is not `resolved` and resolving
// by itself (autoMitigate) when the resolved row arrives. A test event fires once and clears after an hour.
// Log search alerts see at most two days of data: a finding with no event for two days drops out and its alert
// resolves; reminders (deadline bands) and escalations raise it again, and the dashboard keeps the truth.
var severityBands = [
  {
    name: 'critical'
    alertSeverity: 0
    severities: '"critical"'
  }
  {
    name: 'high'
    alertSeverity: 1
    severities: '"high"'
  }
  {
    name: 'medium'
    alertSeverity: 2
    severities: '"medium"'
  }
  {
    name: 'low'
    alertSeverity: 3
    severities: '"low", "info"'
  }
]

var latestPerFinding = '${tableName} | where isnotempty(FindingId) | summarize arg_max(TimeGenerated, Event, Severity, RuleId, Target, Subject, FindingTitle, DashboardLink) by FindingId | where Event != "resolved" | where not(Event == "test" and TimeGenerated < ago(1h))'

resource findingAlerts 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = [for band in severityBands: {
  name: 'alert-hcxmon-finding-${band.name}-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'HCX compliance finding (${band.name})'
    description: 'An HCX compliance finding of severity ${band.name} is open. Open the DashboardLink for evidence, deadline and remediation.'
    severity: band.alertSeverity
    enabled: true
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    overrideQueryTimeRange: 'P2D'
    criteria: {
      allOf: [
        {
          query: '${latestPerFinding} | where Severity in (${band.severities})'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'FindingId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'RuleId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'Target'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'DashboardLink'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    // The custom table can take minutes to resolve in queries after its PUT returns; validating the query at
    // creation would fail the rule, and with it the deployment. The query is checked offline instead.
    skipQueryValidation: true
    actions: {
      actionGroups: [
        oncall.id
      ]
    }
  }
  dependsOn: [
    findingsTable
  ]
}]

// Dead-man's switch: the app writes an Event == "scan-completed" row through the same ingestion path after every
// scan (AlertDispatcher.recordScanCompleted), so silence means the scan, the dispatcher or ingestion is broken.
resource scanMissed 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {
  name: 'alert-hcxmon-scan-missed-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'HCX compliance monitor: no completed scan in ${scanMissedHours} h'
    description: 'No scan-completed heartbeat reached ${tableName} in ${scanMissedHours} hours. Check the Function App (scheduleScan, dispatchAlerts), its identity and the data collection rule.'
    severity: 1
    enabled: true
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    criteria: {
      allOf: [
        {
          query: '${tableName} | where Event == "scan-completed" and TimeGenerated > ago(${scanMissedHours}h)'
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    // The custom table can take minutes to resolve in queries after its PUT returns; validating the query at
    // creation would fail the rule, and with it the deployment. The query is checked offline instead.
    skipQueryValidation: true
    actions: {
      actionGroups: [
        oncall.id
      ]
    }
  }
  dependsOn: [
    findingsTable
  ]
}

var workbookContent = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'intro'
      content: {
        json: '## HCX compliance findings\nEvents the monitor sent to Azure Monitor (opened, escalated, resolved, reminder, test) and its scan heartbeats. The HTTP API and dashboard hold the full state, including findings below the paging threshold.'
      }
    }
    {
      type: 3
      name: 'open-findings'
      content: {
        version: 'KqlItem/1.0'
        title: 'Paged findings not yet resolved (latest event per finding)'
        query: '${tableName} | where isnotempty(FindingId) and Event != "test" | summarize arg_max(TimeGenerated, *) by FindingId | where Event != "resolved" | project LastEvent = TimeGenerated, Severity, Event, Target, Subject, RuleId, FindingTitle, Deadline, Owner, DashboardLink | order by Deadline asc, Severity asc'
        size: 0
        timeContext: {
          durationMs: 7776000000
        }
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        visualization: 'table'
      }
    }
    {
      type: 3
      name: 'events-per-day'
      content: {
        version: 'KqlItem/1.0'
        title: 'Alert events per day'
        query: '${tableName} | where isnotempty(FindingId) | summarize Events = count() by bin(TimeGenerated, 1d), Event'
        size: 0
        timeContext: {
          durationMs: 2592000000
        }
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        visualization: 'barchart'
      }
    }
    {
      type: 3
      name: 'scans'
      content: {
        version: 'KqlItem/1.0'
        title: 'Completed scans'
        query: '${tableName} | where Event == "scan-completed" | project TimeGenerated, Scan = Subject, Message | order by TimeGenerated desc'
        size: 0
        timeContext: {
          durationMs: 1209600000
        }
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        visualization: 'table'
      }
    }
  ]
  fallbackResourceIds: [
    workspace.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'hcxmon-findings-workbook', resourceToken)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'HCX compliance findings'
    category: 'workbook'
    sourceId: workspace.id
    serializedData: string(workbookContent)
  }
}

output workspaceId string = workspace.id
output appInsightsConnectionString string = appInsights.properties.ConnectionString
output logsIngestionEndpoint string = dce.properties.logsIngestion.endpoint
output dcrImmutableId string = dcr.properties.immutableId
output streamName string = streamName
output actionGroupId string = oncall.id
