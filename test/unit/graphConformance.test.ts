import { parseCsdl } from '../conformance/csdl';
import { GraphChecker } from '../conformance/graphCheck';
import { parseExpression } from '../conformance/odataExpr';
import { distinct, toGraphRequest } from '../conformance/recorded';

/** A few types of Graph's v1.0 metadata, in its own shape (alias `graph`, inheritance, open types). */
const CSDL = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color"><Member Name="red" Value="0" /><Member Name="blue" Value="1" /></EnumType>
      <ComplexType Name="assignedLicense">
        <Property Name="disabledPlans" Type="Collection(Edm.Guid)" Nullable="false" />
        <Property Name="skuId" Type="Edm.Guid" />
      </ComplexType>
      <ComplexType Name="passwordProfile">
        <Property Name="forceChangePasswordNextSignIn" Type="Edm.Boolean" />
        <Property Name="password" Type="Edm.String" />
      </ComplexType>
      <EntityType Name="entity" Abstract="true">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="directoryObject" BaseType="graph.entity" OpenType="true">
        <Property Name="deletedDateTime" Type="Edm.DateTimeOffset" />
      </EntityType>
      <EntityType Name="user" BaseType="graph.directoryObject" OpenType="true">
        <Property Name="accountEnabled" Type="Edm.Boolean" />
        <Property Name="assignedLicenses" Type="Collection(graph.assignedLicense)" Nullable="false" />
        <Property Name="displayName" Type="Edm.String" />
        <Property Name="favouriteColor" Type="graph.color" />
        <Property Name="mail" Type="Edm.String" />
        <Property Name="passwordProfile" Type="graph.passwordProfile" />
        <Property Name="proxyAddresses" Type="Collection(Edm.String)" Nullable="false" />
        <Property Name="userPrincipalName" Type="Edm.String" />
        <NavigationProperty Name="licenseDetails" Type="Collection(graph.licenseDetails)" ContainsTarget="true" />
        <NavigationProperty Name="manager" Type="graph.directoryObject" />
      </EntityType>
      <EntityType Name="group" BaseType="graph.directoryObject" OpenType="true">
        <Property Name="displayName" Type="Edm.String" />
        <NavigationProperty Name="members" Type="Collection(graph.directoryObject)" />
      </EntityType>
      <EntityType Name="licenseDetails" BaseType="graph.entity">
        <Property Name="skuId" Type="Edm.Guid" />
      </EntityType>
      <Action Name="assignLicense" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.user" Nullable="false" />
        <Parameter Name="addLicenses" Type="Collection(graph.assignedLicense)" Nullable="false" />
        <Parameter Name="removeLicenses" Type="Collection(Edm.Guid)" Nullable="false" />
        <ReturnType Type="graph.user" />
      </Action>
      <Action Name="checkMemberGroups" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.directoryObject" Nullable="false" />
        <Parameter Name="groupIds" Type="Collection(Edm.String)" Nullable="false" Unicode="false" />
        <ReturnType Type="Collection(Edm.String)" Nullable="false" Unicode="false" />
      </Action>
      <Action Name="getMemberGroups" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.directoryObject" Nullable="false" />
        <Parameter Name="securityEnabledOnly" Type="Edm.Boolean" />
        <ReturnType Type="Collection(Edm.String)" Nullable="false" Unicode="false" />
      </Action>
      <Function Name="delta" IsBound="true">
        <Parameter Name="bindingParameter" Type="Collection(graph.user)" />
        <ReturnType Type="Collection(graph.user)" />
      </Function>
      <EntityContainer Name="GraphService">
        <EntitySet Name="users" EntityType="microsoft.graph.user" />
        <EntitySet Name="groups" EntityType="microsoft.graph.group" />
        <EntitySet Name="directoryObjects" EntityType="microsoft.graph.directoryObject" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const checker = new GraphChecker(parseCsdl(CSDL));
const USER = '6e7b768e-07e2-4810-8459-485f84f8f204';
const SKU = '46c3a859-c90d-40b3-9551-6178a48d5c18';
const messages = (method: string, url: string, body?: unknown) => checker.check({ method, url, body: body === undefined ? undefined : JSON.stringify(body) }).map((v) => v.message);

describe('Graph conformance checker: paths', () => {
  it('accepts entity sets, keys, navigation properties, $ref, casts and bound operations', () => {
    expect(messages('GET', `/users/${USER}/licenseDetails`)).toEqual([]);
    expect(messages('GET', '/users/ola%40contoso.no')).toEqual([]);
    expect(messages('GET', "/users('%24ola%40contoso.no')")).toEqual([]);
    expect(messages('GET', `/groups/${USER}/members/microsoft.graph.user`)).toEqual([]);
    expect(messages('GET', `/groups/${USER}/members/graph.user`)).toEqual([]);
    expect(messages('POST', `/groups/${USER}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${USER}` })).toEqual([]);
    expect(messages('DELETE', `/groups/${USER}/members/${USER}/$ref`)).toEqual([]);
    expect(messages('GET', '/users/delta()')).toEqual([]);
    expect(messages('GET', '/users/$count')).toEqual([]);
  });

  it('reports an unknown entity set, an unknown segment and a misplaced $ref', () => {
    expect(messages('GET', '/user')).toEqual(['"user" is not an entity set, singleton or operation import of the service']);
    expect(messages('GET', `/users/${USER}/licenceDetails`)).toEqual([
      '"licenceDetails" is not a property, navigation property or bound operation of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    expect(messages('GET', `/users/${USER}/$ref`)).toEqual(['$ref follows a navigation property, not users/6e7b768e-07e2-4810-8459-485f84f8f204']);
    expect(messages('GET', `/groups/${USER}/members/microsoft.graph.licenseDetails`)).toEqual([
      'microsoft.graph.licenseDetails is not microsoft.graph.directoryObject or a type derived from it',
    ]);
  });
});

describe('Graph conformance checker: bodies', () => {
  const createUser = {
    accountEnabled: true,
    displayName: 'Ola Nordmann',
    userPrincipalName: 'ola@contoso.no',
    passwordProfile: { forceChangePasswordNextSignIn: true, password: 'x' },
  };

  it('accepts POST /users with properties of user and its base types, and a directory extension', () => {
    expect(messages('POST', '/users', { ...createUser, id: 'x', deletedDateTime: null, extension_b7d8e648520f41d3b9c0fdeb91768a0a_jobGroup: 'A' })).toEqual([]);
    expect(messages('PATCH', `/users/${USER}`, { displayName: 'Ola', favouriteColor: 'blue' })).toEqual([]);
  });

  it('reports a property user does not have on POST and PATCH, even though user is an open type', () => {
    expect(messages('POST', '/users', { ...createUser, usageLocatoin: 'NO' })).toEqual([
      'body: "usageLocatoin" is not a property of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    expect(messages('PATCH', `/users/${USER}`, { passwordProfile: { forceChangePassword: true } })).toEqual([
      'body.passwordProfile: "forceChangePassword" is not a property of microsoft.graph.passwordProfile',
    ]);
  });

  it('reports values of the wrong kind', () => {
    expect(messages('PATCH', `/users/${USER}`, { accountEnabled: 'yes', favouriteColor: 'green', assignedLicenses: null })).toEqual([
      'body.accountEnabled is a boolean (Edm.Boolean), not "yes"',
      'body.favouriteColor: "green" is not a member of microsoft.graph.color',
    ]);
    expect(messages('POST', `/users/${USER}/assignLicense`, { addLicenses: [{ skuId: 'not-a-guid', disabledPlans: [] }], removeLicenses: [] })).toEqual([
      'assignLicense.addLicenses[0].skuId is a GUID (Edm.Guid), not "not-a-guid"',
    ]);
  });

  it('accepts members@odata.bind and reports a bind on a property that is not a navigation property', () => {
    const url = `https://graph.microsoft.com/v1.0/directoryObjects/${USER}`;
    expect(messages('PATCH', `/groups/${USER}`, { 'members@odata.bind': [url, url] })).toEqual([]);
    expect(messages('PATCH', `/groups/${USER}`, { 'displayName@odata.bind': url })).toEqual(['body: "displayName@odata.bind" binds "displayName", which is not a navigation property']);
    expect(messages('PATCH', `/groups/${USER}`, { 'member@odata.bind': [url] })).toEqual([
      'body: "member" is not a property of microsoft.graph.group (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    const sandboxRoot = 'http://127.0.0.1:3979/graph/v1.0';
    const viaSandbox = { 'members@odata.bind': [`${sandboxRoot}/directoryObjects/${USER}`] };
    expect(checker.check({ method: 'PATCH', url: `/groups/${USER}`, body: viaSandbox, root: sandboxRoot })).toEqual([]);
    expect(checker.check({ method: 'PATCH', url: `/groups/${USER}`, body: viaSandbox }).map((v) => v.message)).toEqual([
      `body.members@odata.bind[0]: "${sandboxRoot}/directoryObjects/${USER}" is not a URL on https://graph.microsoft.com/v1.0`,
    ]);
    expect(messages('PATCH', `/groups/${USER}`, { 'members@odata.bind': ['https://graph.microsoft.com/v1.0/directoryObject/x'] })).toEqual([
      'body.members@odata.bind[0]: "directoryObject" is not an entity set, singleton or operation import of the service',
    ]);
  });

  it('accepts actions with their parameter names and reports a wrong or missing parameter', () => {
    expect(messages('POST', `/users/${USER}/assignLicense`, { addLicenses: [{ skuId: SKU, disabledPlans: [] }], removeLicenses: [] })).toEqual([]);
    expect(messages('POST', `/users/${USER}/checkMemberGroups`, { groupIds: [USER] })).toEqual([]);
    expect(messages('POST', `/users/${USER}/getMemberGroups`, { securityEnabledOnly: true })).toEqual([]);
    expect(messages('POST', `/users/${USER}/getMemberGroups`, {})).toEqual([]);
    expect(messages('POST', `/users/${USER}/checkMemberGroups`, { groupIDs: [USER] })).toEqual([
      '"groupIDs" is not a parameter of microsoft.graph.checkMemberGroups (parameters: groupIds)',
      'checkMemberGroups needs the parameter "groupIds" (not nullable, not optional)',
    ]);
    expect(messages('POST', `/users/${USER}/assignLicense`, { addLicenses: [{ skuId: SKU }] })).toEqual([
      'assignLicense needs the parameter "removeLicenses" (not nullable, not optional)',
    ]);
    expect(messages('GET', `/users/${USER}/assignLicense`)).toEqual(['assignLicense is an action: it is invoked with POST, not GET']);
    expect(messages('POST', `/groups/${USER}/assignLicense`, { addLicenses: [], removeLicenses: [] })).toEqual([
      '"assignLicense" is not a property, navigation property or bound operation of microsoft.graph.group (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
  });
});

describe('Graph conformance checker: query options', () => {
  it('accepts $select, $filter (with lambdas, in, functions), $orderby and $expand on the type', () => {
    const q = new URLSearchParams({
      $select: 'id,displayName,assignedLicenses,deletedDateTime',
      $filter: `assignedLicenses/any(x:x/skuId eq ${SKU}) and userPrincipalName in ('a@x','o''b@x') and startswith(displayName,'O') and proxyAddresses/any(p:p eq 'smtp:a@x') and assignedLicenses/$count eq 0`,
      $orderby: 'displayName desc,id',
      $expand: 'manager($select=id)',
      $top: '999',
      $count: 'true',
    });
    expect(messages('GET', `/users?${q}`)).toEqual([]);
    expect(messages('GET', `/groups/${USER}/members/microsoft.graph.user?$select=userPrincipalName`)).toEqual([]);
  });

  it('reports a $select or $filter property the type does not have, inside lambdas too', () => {
    expect(messages('GET', `/users/${USER}?$select=id,usageLocatoin`)).toEqual([
      '$select: "usageLocatoin" is not a property of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    expect(messages('GET', `/users?$filter=${encodeURIComponent("mails eq 'a@x'")}`)).toEqual([
      '$filter: "mails" is not a property of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    expect(messages('GET', `/users?$filter=${encodeURIComponent(`assignedLicenses/any(x:x/sku eq ${SKU})`)}`)).toEqual([
      '$filter: "sku" is not a property of microsoft.graph.assignedLicense',
    ]);
    expect(messages('GET', `/users?$filter=${encodeURIComponent(`assignedLicenses/skuId eq ${SKU}`)}`)).toEqual([
      '$filter: "skuId" cannot follow a collection (microsoft.graph.assignedLicense) without any() or all()',
    ]);
    expect(messages('GET', `/users?$filter=${encodeURIComponent("beginswith(displayName,'a')")}`)).toEqual(['$filter: "beginswith" is not an OData function']);
    expect(messages('GET', `/users?$filter=${encodeURIComponent("displayName eq 'a")}`)).toEqual(['$filter is not a valid expression: unterminated string literal at 15']);
    expect(messages('GET', '/users?$orderby=surname')).toEqual([
      '$orderby: "surname" is not a property of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    expect(messages('GET', '/users?$expand=managers')).toEqual([
      '$expand: "managers" is not a navigation property of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
    ]);
    expect(messages('GET', '/users?$selct=id')).toEqual(['$selct is not an OData system query option']);
  });
});

describe('Graph conformance checker: $batch', () => {
  it('checks every item of a batch as a request of its own, and the envelope rules', () => {
    const body = {
      requests: [
        { id: '1', method: 'GET', url: `/users/${USER}?$select=id,displayName` },
        { id: '2', method: 'POST', url: `/users/${USER}/assignLicense`, headers: { 'Content-Type': 'application/json' }, body: { addLicenses: [], removeLicenses: [] }, dependsOn: ['1'] },
      ],
    };
    expect(checker.check({ method: 'POST', url: '/$batch', body: JSON.stringify(body) })).toEqual([]);
    const wrong = {
      requests: [
        { id: '1', method: 'GET', url: `users/${USER}?$select=id,givenNme` },
        { id: '1', method: 'POST', url: `/users/${USER}/assignLicense`, body: { addLicenses: [], removeLicense: [] }, dependsOn: ['9'] },
      ],
    };
    expect(checker.check({ method: 'POST', url: '/$batch', body: JSON.stringify(wrong) })).toEqual([
      {
        request: `POST /$batch → $batch[1] GET users/${USER}?$select=id,givenNme`,
        message: '$select: "givenNme" is not a property of microsoft.graph.user (or its base types microsoft.graph.directoryObject, microsoft.graph.entity)',
      },
      { request: `POST /$batch → $batch[1] POST /users/${USER}/assignLicense`, message: 'the id "1" is used twice (ids are not case-sensitive)' },
      { request: `POST /$batch → $batch[1] POST /users/${USER}/assignLicense`, message: 'a batch request with a body needs a Content-Type header' },
      { request: `POST /$batch → $batch[1] POST /users/${USER}/assignLicense`, message: 'dependsOn names "9", which is not in the batch' },
      { request: `POST /$batch → $batch[1] POST /users/${USER}/assignLicense`, message: '"removeLicense" is not a parameter of microsoft.graph.assignLicense (parameters: addLicenses, removeLicenses)' },
      { request: `POST /$batch → $batch[1] POST /users/${USER}/assignLicense`, message: 'assignLicense needs the parameter "removeLicenses" (not nullable, not optional)' },
    ]);
    const tooMany = { requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })) };
    expect(checker.check({ method: 'POST', url: '/$batch', body: JSON.stringify(tooMany) }).map((v) => v.message)).toEqual(['a $batch holds at most 20 requests, not 21']);
  });
});

describe('Graph conformance: expressions and recordings', () => {
  it('parses literals of every kind without taking them for properties', () => {
    expect(parseExpression(`id eq ${SKU} and deletedDateTime ge 2025-01-01T00:00:00Z and favouriteColor eq graph.color'red' and x eq -1.5`)).toBeTruthy();
    expect(messages('GET', `/users?$filter=${encodeURIComponent(`id eq ${SKU} and deletedDateTime ge 2025-01-01T00:00:00Z and favouriteColor eq graph.color'red'`)}`)).toEqual([]);
  });

  it('turns recorded sandbox requests into Graph requests relative to the version root, once per distinct request', () => {
    const base = { service: 'graph' as const, headers: {}, body: '', origin: '' };
    const records = [
      { ...base, method: 'GET', path: `/graph/v1.0/users/${USER}`, query: '%24select=id', label: 'a' },
      { ...base, method: 'GET', path: `/graph/v1.0/users/${USER}`, query: '%24select=id', label: 'b' },
      { ...base, service: 'dataverse' as const, method: 'GET', path: '/dataverse/api/data/v9.2/WhoAmI', query: '' },
    ];
    expect(toGraphRequest({ ...records[0], origin: 'http://127.0.0.1:3979' })).toEqual({
      method: 'GET',
      url: `/users/${USER}?%24select=id`,
      body: undefined,
      headers: {},
      root: 'http://127.0.0.1:3979/graph/v1.0',
    });
    const found = distinct(records);
    expect(found).toHaveLength(1);
    expect([...found[0].labels]).toEqual(['a', 'b']);
    expect(checker.check(found[0].request)).toEqual([]);
  });
});
