/** Reads of the sandbox tenant through its own service APIs, as an auditor would check the end state. */

import { authFor } from './sandboxAuth';

export async function salesUserWithRoles(sandboxUrl: string, aadObjectId: string) {
  const url = `${sandboxUrl}/dataverse/api/data/v9.2/systemusers?$filter=${encodeURIComponent(`azureactivedirectoryobjectid eq ${aadObjectId}`)}&$select=systemuserid,domainname,isdisabled,_businessunitid_value&$expand=${encodeURIComponent('systemuserroles_association($select=roleid,name,_businessunitid_value)')}`;
  const body = (await (await fetch(url, { headers: await authFor(sandboxUrl, url) })).json()) as { value: any[] };
  return body.value[0] as
    | { systemuserid: string; domainname: string; isdisabled: boolean; _businessunitid_value: string; systemuserroles_association: { roleid: string; name: string; _businessunitid_value: string }[] }
    | undefined;
}

export async function graphUser(sandboxUrl: string, idOrUpn: string) {
  const response = await fetch(`${sandboxUrl}/graph/v1.0/users/${encodeURIComponent(idOrUpn)}?$select=id,userPrincipalName,usageLocation,assignedLicenses,accountEnabled`, { headers: await authFor(sandboxUrl, '/graph') });
  return response.status === 200 ? ((await response.json())) : undefined;
}

export async function graph(sandboxUrl: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandboxUrl}/graph/v1.0${path}`, {
    method,
    headers: { ...(await authFor(sandboxUrl, '/graph')), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
