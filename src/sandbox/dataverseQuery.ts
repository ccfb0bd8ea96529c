/** Dataverse entity sets and OData reads: $select, $filter, $orderby, $top, $expand, paging. */
import { HttpError, decodeSkipToken, nextLink, type SbReply, type SbRequest } from './http';
import { ODataError, compileFilter, parseFilter, type Schema } from './odata';
import { candidates, equalityKeys } from './odataIndex';
import { compileOrderBy, parseExpand, parseSelect, project } from './odataOptions';
import type { BusinessUnit, Role, SandboxState, SystemUser, Team } from './state';

export const DV_PREFIX = '/dataverse/api/data/v9.2';
const DV_CT = 'application/json; odata.metadata=minimal';
const DEFAULT_PAGE = 5000;
type Row = Record<string, unknown>;

export interface Expansion {
  target: string;
  single: boolean;
  resolve(s: SandboxState, row: Row): Row[];
}

export interface EntitySet {
  set: string;
  entity: string;
  key: string;
  select: Schema;
  /** $filter may also use these (navigation-property aliases) */
  filterAliases?: Schema;
  rows(s: SandboxState): Row[];
  expand?: Record<string, Expansion>;
}

export function systemUserRow(u: SystemUser): Row {
  return {
    systemuserid: u.systemuserid, fullname: u.fullname, firstname: u.firstname, lastname: u.lastname, domainname: u.domainname,
    internalemailaddress: u.internalemailaddress, azureactivedirectoryobjectid: u.azureactivedirectoryobjectid, applicationid: u.applicationid,
    isdisabled: u.isdisabled, islicensed: u.islicensed, isintegrationuser: u.isintegrationuser, accessmode: u.accessmode,
    _businessunitid_value: u.businessunitid, title: u.title, createdon: u.createdon, modifiedon: u.modifiedon, versionnumber: u.versionnumber,
  };
}

export function roleRow(r: Role): Row {
  return {
    roleid: r.roleid, name: r.name, _businessunitid_value: r.businessunitid, _roletemplateid_value: r.roletemplateid, roletemplateid: r.roletemplateid,
    _parentroleid_value: r.parentroleid, parentroleid: r.parentroleid, _parentrootroleid_value: r.parentrootroleid, versionnumber: 1000,
  };
}

function businessUnitRow(b: BusinessUnit): Row {
  return { businessunitid: b.businessunitid, name: b.name, _parentbusinessunitid_value: b.parentbusinessunitid, isdisabled: false, versionnumber: 1000 };
}

function teamRow(t: Team): Row {
  return {
    teamid: t.teamid, name: t.name, teamtype: t.teamtype, _businessunitid_value: t.businessunitid, isdefault: t.isdefault,
    azureactivedirectoryobjectid: t.azureactivedirectoryobjectid, versionnumber: 1000,
  };
}

const SYSTEMUSER: Schema = {
  systemuserid: 'guid', fullname: 'string', firstname: 'string', lastname: 'string', domainname: 'string', internalemailaddress: 'string',
  azureactivedirectoryobjectid: 'guid', applicationid: 'guid', isdisabled: 'bool', islicensed: 'bool', isintegrationuser: 'bool',
  accessmode: 'int', _businessunitid_value: 'guid', title: 'string', createdon: 'datetime', modifiedon: 'datetime', versionnumber: 'int',
};
const ROLE: Schema = {
  roleid: 'guid', name: 'string', _businessunitid_value: 'guid', _roletemplateid_value: 'guid', roletemplateid: 'guid',
  _parentroleid_value: 'guid', parentroleid: 'guid', _parentrootroleid_value: 'guid', versionnumber: 'int',
};

function rolesOf(s: SandboxState, links: { ownerid: string; roleid: string }[], ownerId: unknown): Row[] {
  const ids = new Set(links.filter((l) => l.ownerid === ownerId).map((l) => l.roleid));
  return s.dataverse.roles.filter((r) => ids.has(r.roleid)).map(roleRow);
}

const membersOf = (s: SandboxState, teamId: unknown): Row[] => {
  const ids = new Set((s.dataverse.teamMembers ?? []).filter((m) => m.teamid === teamId).map((m) => m.systemuserid));
  return s.dataverse.systemUsers.filter((u) => ids.has(u.systemuserid)).map(systemUserRow);
};

const teamsOf = (s: SandboxState, userId: unknown): Row[] => {
  const ids = new Set((s.dataverse.teamMembers ?? []).filter((m) => m.systemuserid === userId).map((m) => m.teamid));
  return s.dataverse.teams.filter((t) => ids.has(t.teamid)).map(teamRow);
};

const buById = (s: SandboxState, id: unknown): Row[] =>
  s.dataverse.businessUnits.filter((b) => b.businessunitid === id).map(businessUnitRow);

export const ENTITY_SETS: Record<string, EntitySet> = {
  systemusers: {
    set: 'systemusers', entity: 'systemuser', key: 'systemuserid', select: SYSTEMUSER,
    rows: (s) => s.dataverse.systemUsers.map(systemUserRow),
    expand: {
      systemuserroles_association: { target: 'roles', single: false, resolve: (s, row) => rolesOf(s, s.dataverse.userRoles, row.systemuserid) },
      businessunitid: { target: 'businessunits', single: true, resolve: (s, row) => buById(s, row._businessunitid_value) },
      teammembership_association: { target: 'teams', single: false, resolve: (s, row) => teamsOf(s, row.systemuserid) },
    },
  },
  roles: {
    set: 'roles', entity: 'role', key: 'roleid', select: ROLE,
    rows: (s) => s.dataverse.roles.map(roleRow),
    expand: { businessunitid: { target: 'businessunits', single: true, resolve: (s, row) => buById(s, row._businessunitid_value) } },
  },
  businessunits: {
    set: 'businessunits', entity: 'businessunit', key: 'businessunitid',
    select: { businessunitid: 'guid', name: 'string', _parentbusinessunitid_value: 'guid', isdisabled: 'bool', versionnumber: 'int' },
    filterAliases: { parentbusinessunitid: 'guid' },
    rows: (s) => s.dataverse.businessUnits.map(businessUnitRow).map((r) => ({ ...r, parentbusinessunitid: r._parentbusinessunitid_value })),
  },
  teams: {
    set: 'teams', entity: 'team', key: 'teamid',
    select: { teamid: 'guid', name: 'string', teamtype: 'int', _businessunitid_value: 'guid', isdefault: 'bool', azureactivedirectoryobjectid: 'guid', versionnumber: 'int' },
    rows: (s) => s.dataverse.teams.map(teamRow),
    expand: {
      teamroles_association: { target: 'roles', single: false, resolve: (s, row) => rolesOf(s, s.dataverse.teamRoles, row.teamid) },
      teammembership_association: { target: 'systemusers', single: false, resolve: (s, row) => membersOf(s, row.teamid) },
    },
  },
  // Dataverse's currencies: Business Central matches its local currency against isocurrencycode.
  transactioncurrencies: {
    set: 'transactioncurrencies', entity: 'transactioncurrency', key: 'transactioncurrencyid',
    select: { transactioncurrencyid: 'guid', isocurrencycode: 'string', currencyname: 'string', currencysymbol: 'string', statecode: 'int' },
    rows: (s) => (s.dataverse.currencies ?? []).map((c) => ({ ...c, statecode: 0 })),
  },
  // Business Central's company records (its table 5393 "CDS Company", ExternalName bcbi_company).
  bcbi_companies: {
    set: 'bcbi_companies', entity: 'bcbi_company', key: 'bcbi_companyid',
    select: { bcbi_companyid: 'guid', bcbi_name: 'string', bcbi_externalid: 'string', _bcbi_defaultowningteam_value: 'guid' },
    rows: (s) =>
      (s.dataverse.bcCompanies ?? []).map((c) => ({ bcbi_companyid: c.bcbi_companyid, bcbi_name: c.bcbi_name, bcbi_externalid: c.bcbi_externalid, _bcbi_defaultowningteam_value: c.defaultowningteam })),
  },
  organizations: {
    set: 'organizations', entity: 'organization', key: 'organizationid',
    select: { organizationid: 'guid', name: 'string', languagecode: 'int' },
    rows: (s) => [{ organizationid: s.dataverse.organizationId, name: s.dataverse.organizationName, languagecode: s.dataverse.languageCode ?? 1033 }],
  },
};

const odataErr = (err: unknown): never => {
  if (err instanceof ODataError) throw new HttpError(400, '0x80060888', err.message);
  throw err;
};

function typeName(es: EntitySet): string {
  return `Microsoft.Dynamics.CRM.${es.entity}`;
}

function withEtag(row: Row, es: EntitySet, select: string[] | null): Row {
  const out = project(row, select, Object.keys(es.select));
  out[es.key] = row[es.key];
  return { '@odata.etag': `W/"${String(row.versionnumber ?? 1000)}"`, ...out };
}

interface Shaped {
  select: string[] | null;
  apply(s: SandboxState, row: Row): Row;
}

/** $select and $expand for one entity set (options come from the query or from inside $expand). */
function shape(es: EntitySet, opts: { select: string | null; expand: string | null }): Shaped {
  let select: string[] | null;
  const expands: { name: string; exp: Expansion; inner: Shaped; filter: ((r: Row) => boolean) | null }[] = [];
  try {
    select = parseSelect(opts.select, es.select, typeName(es));
    for (const item of parseExpand(opts.expand)) {
      const exp = es.expand?.[item.name];
      if (!exp) throw new ODataError(`Could not find a property named '${item.name}' on type '${typeName(es)}'.`);
      const target = ENTITY_SETS[exp.target];
      const f = item.options.$filter;
      const filter = f ? compileFilter(f, { entity: typeName(target), fields: { ...target.select, ...target.filterAliases }, functions: DV_FUNCTIONS }).test : null;
      expands.push({ name: item.name, exp, inner: shape(target, { select: item.options.$select ?? null, expand: item.options.$expand ?? null }), filter });
    }
  } catch (err) {
    return odataErr(err);
  }
  return {
    select,
    apply(s, row) {
      const out = withEtag(row, es, select);
      for (const e of expands) {
        const related = e.exp.resolve(s, row).filter((r) => !e.filter || e.filter(r)).map((r) => e.inner.apply(s, r));
        out[e.name] = e.exp.single ? related[0] ?? null : related;
      }
      return out;
    },
  };
}

const DV_FUNCTIONS = new Set(['startswith', 'endswith', 'contains', 'Microsoft.Dynamics.CRM.In']);

export function dvOk(status: number, body?: unknown, headers: Record<string, string> = {}): SbReply {
  return { status, headers: { ...(body !== undefined ? { 'Content-Type': DV_CT } : {}), 'OData-Version': '4.0', ...headers }, body };
}

function contextFragment(es: EntitySet, select: string[] | null): string {
  return select ? `${es.set}(${select.join(',')})` : es.set;
}

/** Page size asked for with `Prefer: odata.maxpagesize=N`. */
function maxPageSize(req: SbRequest): number | null {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(req.headers.prefer ?? '');
  return m ? Math.max(1, Math.min(DEFAULT_PAGE, Number(m[1]))) : null;
}

export function readCollection(s: SandboxState, req: SbRequest, es: EntitySet, rows: Row[] = es.rows(s)): SbReply {
  const shaped = shape(es, { select: req.query.get('$select'), expand: req.query.get('$expand') });
  let out = rows;
  try {
    const f = req.query.get('$filter');
    if (f !== null) {
      const compiled = compileFilter(f, { entity: typeName(es), fields: { ...es.select, ...es.filterAliases }, functions: DV_FUNCTIONS });
      // The bulk reads' `or` of ids by their column (an alias names no row key, so it takes every row).
      const keys = equalityKeys(parseFilter(f));
      out = candidates(keys && !(keys.prop in (es.filterAliases ?? {})) ? keys : null, out).filter((r) => compiled.test(r));
    }
    const cmp = compileOrderBy(req.query.get('$orderby'), es.select, typeName(es));
    if (cmp) out = [...out].sort(cmp);
  } catch (err) {
    odataErr(err);
  }
  const topText = req.query.get('$top');
  const headers: Record<string, string> = {};
  const body: Row = { '@odata.context': `${req.origin}${DV_PREFIX}/$metadata#${contextFragment(es, shaped.select)}` };
  if (req.query.get('$count') === 'true') body['@odata.count'] = Math.min(out.length, DEFAULT_PAGE);
  let page: Row[];
  if (topText !== null) {
    const top = Number(topText);
    if (!Number.isInteger(top) || top < 0) throw new HttpError(400, '0x80060888', `Invalid value '${topText}' for $top query option found.`);
    page = out.slice(0, Math.min(top, DEFAULT_PAGE));
  } else {
    const size = maxPageSize(req) ?? DEFAULT_PAGE;
    if (maxPageSize(req) !== null) headers['Preference-Applied'] = `odata.maxpagesize=${size}`;
    const offset = decodeSkipToken(req.query.get('$skiptoken'));
    if (offset === null) throw new HttpError(400, '0x80060888', 'The $skiptoken value is not valid.');
    page = out.slice(offset, offset + size);
    if (offset + size < out.length) body['@odata.nextLink'] = nextLink(req.origin, req.path, req.query, offset + size);
  }
  body.value = page.map((r) => shaped.apply(s, r));
  return dvOk(200, body, headers);
}

export function readOne(s: SandboxState, req: SbRequest, es: EntitySet, row: Row): SbReply {
  const shaped = shape(es, { select: req.query.get('$select'), expand: req.query.get('$expand') });
  return dvOk(200, {
    '@odata.context': `${req.origin}${DV_PREFIX}/$metadata#${contextFragment(es, shaped.select)}/$entity`,
    ...shaped.apply(s, row),
  });
}

export function notFound(entity: string, id: string): HttpError {
  return new HttpError(404, '0x80040217', `${entity} With Id = ${id} Does Not Exist`);
}
