/** Run-time settings of the sandbox tenant: latency, sync delays, paging, limits, faults. */
import { z } from 'zod';
import type { Service } from './state';

export interface ServiceLimit {
  requests: number;
  windowMs: number;
  concurrent?: number;
  /** Graph only: the resource-unit quota reads count against (each read 1 unit); `requests` is then the write quota. */
  reads?: { requests: number; windowMs: number };
}

export interface FaultRates {
  rate429: number;
  rate503: number;
  rateReset: number;
  rateLost: number;
  retryAfterSeconds: number;
}

export interface SandboxSettings {
  /** added to every service request */
  latencyMs: number;
  /** a licensed directory user appears in Dataverse this long after the licence was assigned */
  syncDelayMs: number;
  /** BAP addUser answers userNotLicensed until this long after the licence was assigned */
  licensePropagationMs: number;
  /**
   * Group-based licensing: Entra processes a licensed group's new member (or a member of a group
   * that has just been given a licence) this long after the change, then the user holds the
   * licence or a licence error (CountViolation when seats are short). Learn says only "within minutes".
   */
  groupLicenseDelayMs: number;
  /**
   * page size of Business Central collections. Default 20,000: Business Central online serves at
   * most 20,000 entities per page, configured on the service (Learn "Server-Driven Paging in OData
   * Web Services"; "Work with API limits": "A page can only contain 20000 entities"). Tests set it
   * lower to exercise `@odata.nextLink` paging.
   */
  bcPageSize: number;
  /** lifetime of the access tokens the token endpoint issues (`expires_in`) */
  tokenLifetimeSeconds: number;
  limits: Record<Service, ServiceLimit | null>;
  faults: FaultRates;
  /** seed of the generator behind random faults */
  faultSeed: number;
  /**
   * Dataverse: a read that expands a collection-valued navigation property (role associations)
   * without `If-None-Match: null` is answered from a snapshot of the associations up to this old
   * (0: never). Learn "Join tables using OData": such queries "might return cached data".
   */
  expandCacheMs: number;
}

/** A partial settings object; `limits` and `faults` merge per key. */
export interface SandboxSettingsPatch extends Partial<Omit<SandboxSettings, 'limits' | 'faults'>> {
  limits?: Partial<Record<Service, ServiceLimit | null>>;
  faults?: Partial<FaultRates>;
}

export type SeedLanguage = 'en' | 'nb';

export interface SeedOptions {
  syntheticSalespeople?: number;
  /**
   * The environment's MaxNumberOfNonInteractiveUsers as RetrieveOrganizationResources publishes
   * it (default 7); null: the function answers without it.
   */
  maxNonInteractiveUsers?: number | null;
  /**
   * The environment gets a security group ("Contoso Sales Access"): Kari Hansen and Rapport
   * Tjeneste are direct members, Lars Johansen a member through the nested group "Salg Vest team";
   * the admin and everyone else are not members.
   */
  environmentSecurityGroup?: boolean;
  /** The environment's base language: role names and which template ids it has (default en). */
  language?: SeedLanguage;
  /** Role names of this environment instead of the language's (a tenant whose roles were renamed). */
  roleNames?: Partial<Record<'systemAdministrator' | 'systemCustomizer' | 'salesManager' | 'salesperson' | 'bcIntegration', string>>;
  /** A third level of business units: "Salg Bergen" under "Salg Vest", where Lars Johansen works. */
  nestedBusinessUnit?: boolean;
  /** The Sales environment starts in administration mode (BAP runtime state AdminMode). */
  administrationMode?: boolean;
  /** The BC company's local currency ("LCY Code"; default NOK, a Dataverse currency of the seed). */
  bcLocalCurrency?: string;
  /**
   * The tenant can use group-based licensing: it subscribes to Microsoft Entra ID P1 (`AAD_PREMIUM`,
   * `groupLicensingSeats` seats, default 300), and the app holds the two Graph permissions group mode
   * uses beside the README's table (LicenseAssignment.ReadWrite.All, Group.Create).
   */
  groupBasedLicensing?: boolean;
  /** Seats of Microsoft Entra ID P1 with `groupBasedLicensing` (default 300). */
  groupLicensingSeats?: number;
}

export const DEFAULT_SETTINGS: SandboxSettings = {
  latencyMs: 0,
  syncDelayMs: 5000,
  licensePropagationMs: 2000,
  groupLicenseDelayMs: 3000,
  bcPageSize: 20_000,
  tokenLifetimeSeconds: 3599,
  limits: { graph: null, dataverse: null, bap: null, bc: null },
  faults: { rate429: 0, rate503: 0, rateReset: 0, rateLost: 0, retryAfterSeconds: 1 },
  faultSeed: 1,
  expandCacheMs: 0,
};

const limit = z
  .object({
    requests: z.number().int().min(1),
    windowMs: z.number().int().min(1),
    concurrent: z.number().int().min(1).optional(),
    reads: z.object({ requests: z.number().int().min(1), windowMs: z.number().int().min(1) }).strict().optional(),
  })
  .strict()
  .nullable();

const rate = z.number().min(0).max(1);

export const settingsPatchSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000),
    syncDelayMs: z.number().int().min(0),
    licensePropagationMs: z.number().int().min(0),
    groupLicenseDelayMs: z.number().int().min(0).max(3_600_000),
    bcPageSize: z.number().int().min(1).max(20_000),
    tokenLifetimeSeconds: z.number().int().min(0).max(86_400),
    limits: z
      .object({ graph: limit, dataverse: limit, bap: limit, bc: limit })
      .strict()
      .partial(),
    faults: z
      .object({
        rate429: rate,
        rate503: rate,
        rateReset: rate,
        rateLost: rate,
        retryAfterSeconds: z.number().int().min(0).max(3600),
      })
      .strict()
      .partial(),
    faultSeed: z.number().int(),
    expandCacheMs: z.number().int().min(0).max(3_600_000),
  })
  .strict()
  .partial();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

const roleName = z.string().trim().min(1).max(100);

/** SANDBOX_LANGUAGE: en (default) or nb; anything else is a clear error. */
export function parseSeedLanguage(raw: string | undefined): SeedLanguage {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'en') return 'en';
  if (value === 'nb') return 'nb';
  throw new Error(`SANDBOX_LANGUAGE must be en or nb, got '${raw}'.`);
}

/** Each language keeps its own state file, so switching languages never mixes two tenants. */
export const defaultStateFile = (language: SeedLanguage) => (language === 'nb' ? '.sandbox/state.nb.json' : '.sandbox/state.json');

export const seedOptionsSchema = z
  .object({
    syntheticSalespeople: z.number().int().min(0).max(100_000).optional(),
    maxNonInteractiveUsers: z.number().int().min(0).max(1000).nullable().optional(),
    environmentSecurityGroup: z.boolean().optional(),
    language: z.enum(['en', 'nb']).optional(),
    roleNames: z
      .object({ systemAdministrator: roleName, systemCustomizer: roleName, salesManager: roleName, salesperson: roleName, bcIntegration: roleName })
      .partial()
      .strict()
      .optional(),
    nestedBusinessUnit: z.boolean().optional(),
    administrationMode: z.boolean().optional(),
    bcLocalCurrency: z.string().trim().regex(/^[A-Z0-9]{1,10}$/, 'must be a currency code such as NOK (Code[10])').optional(),
    groupBasedLicensing: z.boolean().optional(),
    groupLicensingSeats: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();

/** A new settings object: `base` with `patch` merged in (limits and faults per key). */
export function mergeSettings(base: SandboxSettings, patch: SettingsPatch | SandboxSettingsPatch | undefined): SandboxSettings {
  const p = patch ?? {};
  return {
    latencyMs: p.latencyMs ?? base.latencyMs,
    syncDelayMs: p.syncDelayMs ?? base.syncDelayMs,
    licensePropagationMs: p.licensePropagationMs ?? base.licensePropagationMs,
    groupLicenseDelayMs: p.groupLicenseDelayMs ?? base.groupLicenseDelayMs,
    bcPageSize: p.bcPageSize ?? base.bcPageSize,
    tokenLifetimeSeconds: p.tokenLifetimeSeconds ?? base.tokenLifetimeSeconds,
    limits: { ...base.limits, ...(p.limits ?? {}) },
    faults: { ...base.faults, ...(p.faults ?? {}) },
    faultSeed: p.faultSeed ?? base.faultSeed,
    expandCacheMs: p.expandCacheMs ?? base.expandCacheMs,
  };
}

/** Validates a settings patch; throws a readable message. */
export function parseSettingsPatch(input: unknown): SettingsPatch {
  const r = settingsPatchSchema.safeParse(input ?? {});
  if (!r.success) {
    throw new Error(r.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '));
  }
  return r.data;
}
