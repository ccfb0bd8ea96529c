// The bot on Azure: a user-assigned managed identity (the bot's identity towards Bot Framework,
// Blob Storage and, once an administrator grants it, Graph, Dataverse, Power Platform and
// Business Central), an App Service on Linux with Node 20, an Azure Bot with the Teams channel,
// and a Storage account whose blob container holds the shared state of every instance.
// Deployed by `atk provision` (m365agents.yml); outputs go to env/.env.<environment>.

@maxLength(20)
@minLength(4)
@description('Prefix of every resource name.')
param resourceBaseName string

@description('App Service plan SKU. B1 or higher (Always On); scale out with P1v3 and more instances.')
param webAppSku string = 'B1'

@description('Instances of the bot; more than one share state through the Storage account.')
@minValue(1)
param instanceCount int = 1

@maxLength(42)
param botDisplayName string = 'BC Sales Setup'

param location string = resourceGroup().location

@description('The Entra tenant to set up (default: this subscription\'s tenant).')
param tenantId string = tenant().tenantId

@description('The Sales environment, https://<org>.crm<N>.dynamics.com')
param dataverseUrl string

@description('The Power Platform environment id of that environment.')
param bapEnvironmentId string

@description('The Business Central environment name.')
param bcEnvironment string = 'Production'

@description('Optional: the Business Central company id.')
param bcCompanyId string = ''

@description('Optional: client id of Business Central\'s application user in Dataverse.')
param bcAppId string = ''

@description('Who may use the bot: an Entra group id (or ADMIN_IDS, comma-separated object ids).')
param adminGroupId string = ''
param adminIds string = ''

@description('Who may approve plans (default: the admins).')
param approverGroupId string = ''
param approverIds string = ''

@description('first: one approval is enough; all: every approver must approve.')
@allowed([
  'first'
  'all'
])
param approvalMode string = 'first'

@description('The requester may not approve their own plan.')
param approvalTwoPerson bool = false

@description('How long a request for approval stays open.')
param approvalExpiryHours int = 24

@description('How long a run\'s lease lasts before another instance may take the run over.')
param runLeaseMs int = 60000

var suffix = uniqueString(resourceGroup().id, resourceBaseName)
var storageAccountName = take(toLower('${replace(resourceBaseName, '-', '')}${suffix}'), 24)
var containerName = 'bc-sales-setup'
// Built-in role: Storage Blob Data Contributor.
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-identity'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: the bot reaches it as its managed identity.
    allowSharedKeyAccess: false
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource blobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, blobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: '${resourceBaseName}-${suffix}'
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'npm start'
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/healthz'
      appSettings: [
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: '1'
        }
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
        // src/config.ts, tenant mode
        {
          name: 'MODE'
          value: 'tenant'
        }
        {
          name: 'LOG_LEVEL'
          value: 'info'
        }
        {
          name: 'TENANT_ID'
          value: tenantId
        }
        {
          name: 'DATAVERSE_URL'
          value: dataverseUrl
        }
        {
          name: 'BAP_ENVIRONMENT_ID'
          value: bapEnvironmentId
        }
        {
          name: 'BC_ENVIRONMENT'
          value: bcEnvironment
        }
        {
          name: 'BC_COMPANY_ID'
          value: bcCompanyId
        }
        {
          name: 'BC_APP_ID'
          value: bcAppId
        }
        // Who may use the bot and approve plans (src/approvals/policy.ts).
        {
          name: 'ADMIN_GROUP_ID'
          value: adminGroupId
        }
        {
          name: 'ADMIN_IDS'
          value: adminIds
        }
        {
          name: 'APPROVER_GROUP_ID'
          value: approverGroupId
        }
        {
          name: 'APPROVER_IDS'
          value: approverIds
        }
        {
          name: 'APPROVAL_MODE'
          value: approvalMode
        }
        {
          name: 'APPROVAL_TWO_PERSON'
          value: string(approvalTwoPerson)
        }
        {
          name: 'APPROVAL_EXPIRY_HOURS'
          value: string(approvalExpiryHours)
        }
        // The bot signs in to Bot Framework as the managed identity (no secret).
        {
          name: 'BOT_APP_ID'
          value: identity.properties.clientId
        }
        {
          name: 'BOT_APP_TYPE'
          value: 'UserAssignedMSI'
        }
        {
          name: 'BOT_APP_TENANT_ID'
          value: identity.properties.tenantId
        }
        // Graph, Dataverse, Power Platform and Business Central as the same identity.
        {
          name: 'AZURE_CREDENTIAL'
          value: 'managed-identity'
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        // Shared state: plans, approvals, runs, audit and conversation state.
        {
          name: 'STORAGE'
          value: 'blob'
        }
        {
          name: 'STORAGE_ACCOUNT_URL'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'STORAGE_CONTAINER'
          value: containerName
        }
        {
          name: 'STORAGE_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'RUN_LEASE_MS'
          value: string(runLeaseMs)
        }
      ]
    }
  }
  dependsOn: [
    blobAccess
    container
  ]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Written to env/.env.<environment> by the toolkit.
output BOT_ID string = identity.properties.clientId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output STORAGE_ACCOUNT_URL string = storage.properties.primaryEndpoints.blob
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
