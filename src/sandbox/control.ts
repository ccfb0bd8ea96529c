/** Control API under /_sandbox: reset, state, settings, stats, scripted faults, direct edits. */
import type { Ctx } from './context';
import { faultRuleSchema } from './faults';
import { HttpError, Router, decodeSegment, isObject, type SbReply, type SbRequest } from './http';
import { createSeedState, guidFrom } from './seed';
import { type SandboxSettings, type SeedOptions, mergeSettings, parseSettingsPatch, seedOptionsSchema } from './settings';
import { stableStringify, type SystemUser } from './state';
import { touchSystemUser } from './dataverseSync';
import { SYSTEM_ADMINISTRATOR_TEMPLATE, applicationUser, holdsSystemAdministrator } from './permissions';
import { z } from 'zod';

export interface ControlCtx extends Ctx {
  /** settings and seed options the sandbox was started with (what a reset returns to) */
  startSettings: SandboxSettings;
  startSeed: SeedOptions;
  setSettings(next: SandboxSettings): void;
}

const ok = (body: unknown, status = 200): SbReply => ({ status, body });

function json(req: SbRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (!text) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BadRequest', 'The body is not valid JSON.');
  }
  if (!isObject(v)) throw new HttpError(400, 'BadRequest', 'The body must be a JSON object.');
  return v;
}

function settingsPatch(input: unknown) {
  try {
    return parseSettingsPatch(input);
  } catch (err) {
    throw new HttpError(400, 'BadRequest', (err as Error).message);
  }
}

function reset(ctx: ControlCtx, req: SbRequest): SbReply {
  const b = json(req);
  const seed = seedOptionsSchema.safeParse(b.seed ?? ctx.startSeed);
  if (!seed.success) throw new HttpError(400, 'BadRequest', `seed: ${seed.error.issues.map((i) => `${i.path.join('.') || 'seed'}: ${i.message}`).join('; ')}`);
  const patch = settingsPatch(b.settings);
  ctx.setSettings(mergeSettings(ctx.startSettings, patch));
  ctx.store.replace(createSeedState(seed.data));
  ctx.guard.resetAll();
  return ok({ status: 'reset', settings: ctx.settings() });
}

const SYSTEMUSER_FIELDS: Record<string, 'string' | 'nstring' | 'bool' | 'int' | 'guid'> = {
  fullname: 'string', firstname: 'nstring', lastname: 'nstring', domainname: 'string', internalemailaddress: 'nstring',
  azureactivedirectoryobjectid: 'guid', applicationid: 'guid', isdisabled: 'bool', islicensed: 'bool', isintegrationuser: 'bool',
  accessmode: 'int', businessunitid: 'string', _businessunitid_value: 'string', title: 'nstring',
};

function patchSystemUser(ctx: ControlCtx, req: SbRequest, rawId: string): SbReply {
  const id = decodeSegment(rawId).toLowerCase();
  const s = ctx.store.state;
  const su = s.dataverse.systemUsers.find((u) => u.systemuserid === id);
  if (!su) throw new HttpError(404, 'NotFound', `systemuser ${id} does not exist.`);
  const b = json(req);
  const next: SystemUser = { ...su };
  for (const [k, v] of Object.entries(b)) {
    const t = SYSTEMUSER_FIELDS[k];
    const okType =
      t === 'string' ? typeof v === 'string'
      : t === 'nstring' || t === 'guid' ? v === null || typeof v === 'string'
      : t === 'bool' ? typeof v === 'boolean'
      : t === 'int' ? Number.isInteger(v)
      : false;
    if (!okType) throw new HttpError(400, 'BadRequest', `Field '${k}' is unknown or has the wrong type.`);
    const field = k === '_businessunitid_value' ? 'businessunitid' : k;
    (next as unknown as Record<string, unknown>)[field] = typeof v === 'string' && t === 'guid' ? v.toLowerCase() : v;
  }
  if (!s.dataverse.businessUnits.some((x) => x.businessunitid === next.businessunitid)) {
    throw new HttpError(400, 'BadRequest', `Business unit ${next.businessunitid} does not exist.`);
  }
  touchSystemUser(next, ctx.now());
  s.dataverse.systemUsers[s.dataverse.systemUsers.indexOf(su)] = next;
  ctx.store.touch();
  return ok(next);
}

/** The app registration as the control API shows it, with its standing in Dataverse. */
function appView(ctx: ControlCtx) {
  const s = ctx.store.state;
  const { clientSecretSha256: _hidden, ...app } = s.app;
  const user = applicationUser(s, s.app.clientId);
  return {
    ...app,
    dataverseApplicationUser: !!user,
    dataverseSystemAdministrator: !!user && holdsSystemAdministrator(s, user),
  };
}

const appPatchSchema = z
  .object({
    graphRoles: z.array(z.string().regex(/^[A-Za-z]+(\.[A-Za-z]+)+$/, 'must be a permission name such as User.ReadWrite.All')),
    businessCentralRoles: z.array(z.string().regex(/^[A-Za-z]+(\.[A-Za-z]+)+$/, 'must be a permission name such as API.ReadWrite.All')),
    powerPlatformManagementApp: z.boolean(),
    businessCentralEntraApplication: z.boolean(),
    businessCentralAdminCenterApp: z.boolean(),
    dataverseApplicationUser: z.boolean(),
    dataverseSystemAdministrator: z.boolean(),
  })
  .strict()
  .partial();

/**
 * Changes the app registration: its Graph and BC application permissions, its registrations, and
 * whether Dataverse has it as an application user holding System Administrator.
 */
function patchApp(ctx: ControlCtx, req: SbRequest): SbReply {
  const parsed = appPatchSchema.safeParse(json(req));
  if (!parsed.success) throw new HttpError(400, 'BadRequest', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const p = parsed.data;
  const s = ctx.store.state;
  if (p.graphRoles) s.app.graphRoles = [...new Set(p.graphRoles)];
  if (p.businessCentralRoles) s.app.businessCentralRoles = [...new Set(p.businessCentralRoles)];
  if (p.powerPlatformManagementApp !== undefined) s.app.powerPlatformManagementApp = p.powerPlatformManagementApp;
  if (p.businessCentralEntraApplication !== undefined) s.app.businessCentralEntraApplication = p.businessCentralEntraApplication;
  if (p.businessCentralAdminCenterApp !== undefined) s.app.businessCentralAdminCenterApp = p.businessCentralAdminCenterApp;
  const dv = s.dataverse;
  const existing = () => dv.systemUsers.find((u) => u.applicationid === s.app.clientId);
  if (p.dataverseApplicationUser === false) {
    const user = existing();
    if (user) {
      dv.systemUsers = dv.systemUsers.filter((u) => u !== user);
      dv.userRoles = dv.userRoles.filter((a) => a.ownerid !== user.systemuserid);
    }
  }
  if (p.dataverseApplicationUser === true && !existing()) {
    const root = dv.businessUnits.find((b) => b.parentbusinessunitid === null)!;
    const at = new Date(ctx.now()).toISOString();
    dv.systemUsers.push({
      systemuserid: dv.callerId, fullname: s.app.displayName, firstname: null, lastname: null,
      domainname: `${s.app.clientId}@${s.tenant.domains.find((d) => d.isInitial)?.name ?? s.tenant.id}`,
      internalemailaddress: null, azureactivedirectoryobjectid: s.app.servicePrincipalId, applicationid: s.app.clientId,
      isdisabled: false, islicensed: false, isintegrationuser: false, accessmode: 4, businessunitid: root.businessunitid,
      title: null, createdon: at, modifiedon: at, versionnumber: 1000, sync: null,
    });
  }
  if (p.dataverseSystemAdministrator !== undefined) {
    const user = existing();
    if (!user) throw new HttpError(400, 'BadRequest', 'dataverseSystemAdministrator: the app is not an application user of the environment.');
    const adminRoles = new Set(dv.roles.filter((r) => r.roletemplateid === SYSTEM_ADMINISTRATOR_TEMPLATE).map((r) => r.roleid));
    dv.userRoles = dv.userRoles.filter((a) => !(a.ownerid === user.systemuserid && adminRoles.has(a.roleid)));
    if (p.dataverseSystemAdministrator) {
      const role = dv.roles.find((r) => r.roletemplateid === SYSTEM_ADMINISTRATOR_TEMPLATE && r.businessunitid === user.businessunitid);
      if (!role) throw new HttpError(400, 'BadRequest', 'The environment has no System Administrator role in the business unit of the application user.');
      dv.userRoles.push({ ownerid: user.systemuserid, roleid: role.roleid });
    }
  }
  ctx.store.touch();
  return ok(appView(ctx));
}

const integrationPatchSchema = z
  .object({
    /** The Sales environment's administration mode (BAP runtime state AdminMode / Enabled). */
    administrationMode: z.boolean(),
    /** The BC company's "LCY Code" (companyInformation.currencyCode); null: not set. */
    bcLocalCurrency: z.string().trim().regex(/^[A-Z0-9]{1,10}$/, 'must be a currency code such as NOK').nullable(),
    /** Take Business Central's integration role out of these business units (as an incomplete solution deployment leaves it). */
    removeIntegrationRoleFrom: z.array(z.string().regex(/^[0-9a-fA-F-]{36}$/, 'must be a business unit id')),
  })
  .strict()
  .partial();

/** Breaks (or mends) what the health check reads and the product itself never changes. */
function patchIntegration(ctx: ControlCtx, req: SbRequest): SbReply {
  const parsed = integrationPatchSchema.safeParse(json(req));
  if (!parsed.success) throw new HttpError(400, 'BadRequest', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const p = parsed.data;
  const s = ctx.store.state;
  if (p.administrationMode !== undefined) for (const e of s.bap.environments) e.runtimeState = p.administrationMode ? 'AdminMode' : 'Enabled';
  if (p.bcLocalCurrency !== undefined) {
    for (const env of s.bc.environments) for (const c of env.companies) c.localCurrency = p.bcLocalCurrency ?? '';
  }
  for (const unit of p.removeIntegrationRoleFrom ?? []) {
    const id = unit.toLowerCase();
    if (!s.dataverse.businessUnits.some((b) => b.businessunitid === id)) throw new HttpError(400, 'BadRequest', `Business unit ${id} does not exist.`);
    const gone = new Set(s.dataverse.roles.filter((r) => r.businessunitid === id && r.parentrootroleid === INTEGRATION_ROLE_ID).map((r) => r.roleid));
    s.dataverse.roles = s.dataverse.roles.filter((r) => !gone.has(r.roleid));
    s.dataverse.userRoles = s.dataverse.userRoles.filter((a) => !gone.has(a.roleid));
    s.dataverse.teamRoles = s.dataverse.teamRoles.filter((a) => !gone.has(a.roleid));
  }
  ctx.store.touch();
  return ok({
    administrationMode: s.bap.environments.map((e) => e.runtimeState === 'AdminMode'),
    bcLocalCurrency: s.bc.environments.flatMap((e) => e.companies.map((c) => c.localCurrency ?? null)),
  });
}

const salespersonPatchSchema = z
  .object({ email: z.string().trim().max(80), blocked: z.boolean() })
  .strict()
  .partial();

/**
 * A salesperson added in Business Central, as someone does on page 5116 "Salesperson/Purchaser
 * Card" (the product only reads salespeoplePurchasers). Table 13 "Salesperson/Purchaser"
 * (https://microsoft.github.io/BCApps/reference/base-application/Table/Microsoft.CRM.Team.Salesperson-Purchaser.html):
 * Code is a Code[20] (upper case, the key, so unique per company), Name a Text[50], E-Mail
 * (field 5052) a Text[80] (`CRM/Team/SalespersonPurchaser.Table.al` in the public mirror
 * StefanMaron/MSDyn365BC.Code.History).
 */
const salespersonSchema = z
  .object({
    environment: z.string().min(1).optional(),
    companyId: z.string().min(1).optional(),
    code: z.string().min(1).max(20),
    displayName: z.string().max(50),
    email: z.string().max(80).default(''),
    blocked: z.boolean().default(false),
  })
  .strict();

function addSalesperson(ctx: ControlCtx, req: SbRequest): SbReply {
  const parsed = salespersonSchema.safeParse(json(req));
  if (!parsed.success) throw new HttpError(400, 'BadRequest', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const p = parsed.data;
  const environments = ctx.store.state.bc.environments;
  const environment = p.environment ? environments.find((e) => e.name.toLowerCase() === p.environment!.toLowerCase()) : environments[0];
  if (!environment) throw new HttpError(404, 'NotFound', `Business Central environment ${p.environment ?? ''} does not exist.`);
  const company = p.companyId ? environment.companies.find((c) => c.id === p.companyId!.toLowerCase()) : environment.companies[0];
  if (!company) throw new HttpError(404, 'NotFound', `Company ${p.companyId ?? ''} does not exist in ${environment.name}.`);
  const code = p.code.toUpperCase();
  if (company.salespeople.some((s) => s.code === code)) throw new HttpError(409, 'Conflict', `Salesperson ${code} already exists in ${company.name}.`);
  const person = {
    id: guidFrom(`bc-salesperson:${company.id}:${code}`), code, displayName: p.displayName, email: p.email, email2: '', phoneNo: '',
    jobTitle: '', commissionPercent: 0, blocked: p.blocked, privacyBlocked: false, lastModifiedDateTime: new Date(ctx.now()).toISOString(),
  };
  company.salespeople.push(person);
  ctx.store.touch();
  return ok(person, 201);
}

/** Edits a salesperson as someone would on BC's page 14 "Salespersons/Purchasers" (the product only reads them). */
function patchSalesperson(ctx: ControlCtx, req: SbRequest, rawCode: string): SbReply {
  const parsed = salespersonPatchSchema.safeParse(json(req));
  if (!parsed.success) throw new HttpError(400, 'BadRequest', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const code = decodeSegment(rawCode);
  const people = ctx.store.state.bc.environments.flatMap((e) => e.companies.flatMap((c) => c.salespeople.filter((p) => p.code === code)));
  if (people.length === 0) throw new HttpError(404, 'NotFound', `No salesperson has the code ${code}.`);
  const at = new Date(ctx.now()).toISOString();
  for (const person of people) Object.assign(person, parsed.data, { lastModifiedDateTime: at });
  ctx.store.touch();
  return ok(people[0]);
}

/** Business Central's integration role (codeunit 7201 IntegrationRoleIdTxt), the root copy's id. */
const INTEGRATION_ROLE_ID = 'a2b18661-9ff5-e911-a812-000d3a0b9028';

const router = new Router<ControlCtx>()
  .on('PATCH', /^\/integration$/, (ctx, req) => patchIntegration(ctx, req))
  .on('POST', /^\/bc\/salespeople$/, (ctx, req) => addSalesperson(ctx, req))
  .on('PATCH', /^\/bc\/salespeople\/([^/]+)$/, (ctx, req, p) => patchSalesperson(ctx, req, p[0]))
  .on('GET', /^\/app$/, (ctx) => ok(appView(ctx)))
  .on('PATCH', /^\/app$/, (ctx, req) => patchApp(ctx, req))
  .on('POST', /^\/reset$/, (ctx, req) => reset(ctx, req))
  .on('GET', /^\/state$/, (ctx) => ({ status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, raw: stableStringify(ctx.store.state) }))
  .on('GET', /^\/settings$/, (ctx) => ok(ctx.settings()))
  .on('PATCH', /^\/settings$/, (ctx, req) => {
    const before = ctx.settings().faultSeed;
    ctx.setSettings(mergeSettings(ctx.settings(), settingsPatch(json(req))));
    if (ctx.settings().faultSeed !== before) ctx.guard.reseed();
    return ok(ctx.settings());
  })
  .on('GET', /^\/stats$/, (ctx) => ok(ctx.guard.stats))
  .on('DELETE', /^\/stats$/, (ctx) => {
    ctx.guard.resetStats();
    return ok(ctx.guard.stats);
  })
  .on('GET', /^\/faults$/, (ctx) => ok({ rules: ctx.guard.listRules() }))
  .on('POST', /^\/faults$/, (ctx, req) => {
    const r = faultRuleSchema.safeParse(json(req));
    if (!r.success) throw new HttpError(400, 'BadRequest', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    ctx.guard.addRule(r.data);
    return ok({ rules: ctx.guard.listRules() }, 201);
  })
  .on('DELETE', /^\/faults$/, (ctx) => {
    ctx.guard.clearRules();
    return ok({ rules: [] });
  })
  .on('PATCH', /^\/dataverse\/systemusers\/([^/]+)$/, (ctx, req, p) => patchSystemUser(ctx, req, p[0]));

export const CONTROL_PREFIX = '/_sandbox';

export async function handleControl(ctx: ControlCtx, req: SbRequest): Promise<SbReply> {
  const path = req.path.slice(CONTROL_PREFIX.length);
  try {
    const m = router.match(req.method, path);
    if (m === 'method') throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed on ${req.path}.`);
    if (!m) throw new HttpError(404, 'NotFound', `No control route ${req.method} ${req.path}.`);
    return await m.handler(ctx, req, m.params);
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
    throw err;
  }
}
