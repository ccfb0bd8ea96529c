import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { ImportTenantFacts } from '../setup/csvImport';
import { MAX_IMPORT_BYTES } from '../setup/csvFormat';
import type { PlanEnvironment } from '../setup/plan';
import type { CsvExportRecord, CsvImportRecord, SalespeopleObservation, SalespeopleView } from '../setup/salespeopleView';
import type { Clients } from '../provisioning/clients';
import { lookUpUsers } from '../provisioning/observe/directoryReads';
import { downloadFile, type Download } from '../provisioning/http/download';
import { observePickableRoles, observePlanningFacts, observeSalespeople } from '../provisioning/observe/salespeople';
import type { RecordStore } from '../storage/records';
import type { RoleChoice } from '../setup/roles';
import type { RoleChoiceStore } from './roleChoices';
import { SALESPEOPLE_EXPORT_PREFIX, SALESPEOPLE_IMPORT_PREFIX } from '../storage/keys';
import { SalespeopleViewStore } from './salespeopleViewStore';

/**
 * What the Part 3 handlers may use: the observation, the tenant facts an import is checked
 * against, files sent in Teams, and the records that hold a conversation's salespeople view,
 * its exports and its import reports between turns (too large for conversation state).
 */

export interface SalespeopleServices {
  couplingConfigured: boolean;
  /** `licenceGroup`: the name of the group Part 3 would license through (group-based licensing). */
  observe(environment: PlanEnvironment, options?: { licenceGroup?: string }): Promise<SalespeopleObservation>;
  /** Licences and the Salesperson role (or the roles to pick it from), for planning imported users. */
  planningFacts(environment: PlanEnvironment): Promise<Pick<SalespeopleObservation, 'skus' | 'salespersonRole' | 'roleChoices'>>;
  /** The root business unit's roles the admin may pick for salespeople; remembering a pick. */
  pickableRoles(environment: PlanEnvironment): Promise<RoleChoice[]>;
  rememberRole(environment: PlanEnvironment, role: RoleChoice, chosenBy: string): Promise<void>;
  importFacts(upns: string[]): Promise<ImportTenantFacts>;
  /** A file an admin sent in Teams (Microsoft file hosts only; at most 1 MB). */
  download(url: string): Promise<Download>;
  view: {
    get(conversationId: string): Promise<SalespeopleView | undefined>;
    put(view: SalespeopleView): Promise<void>;
  };
  exports: { create(input: Omit<CsvExportRecord, 'id' | 'createdAt'>): Promise<CsvExportRecord>; get(id: string): Promise<CsvExportRecord | undefined> };
  imports: { create(input: Omit<CsvImportRecord, 'id' | 'createdAt'>): Promise<CsvImportRecord>; get(id: string): Promise<CsvImportRecord | undefined> };
}

/** Exports and import reports are kept a day; after that the admin makes them again. */
const KEEP_MS = 24 * 60 * 60 * 1000;

export const environmentKey = (environment: PlanEnvironment) =>
  [environment.dataverseUrl, environment.bapEnvironmentId, environment.bcEnvironment, environment.bcCompanyId ?? ''].join('|').toLowerCase();

function kept<T extends { createdAt: string }>(record: T | undefined): T | undefined {
  return record && Date.now() - Date.parse(record.createdAt) < KEEP_MS ? record : undefined;
}

export function createSalespeopleServices(config: Config, clients: Clients, records: RecordStore, roles: RoleChoiceStore): SalespeopleServices {
  const mode = config.mode;
  const store = <T extends { id: string; createdAt: string }>(prefix: string) => ({
    async create(input: Omit<T, 'id' | 'createdAt'>): Promise<T> {
      const record = { ...input, id: randomUUID(), createdAt: new Date().toISOString() } as T;
      await records.put(`${prefix}:${record.id}`, record);
      return record;
    },
    async get(id: string): Promise<T | undefined> {
      return /^[0-9a-f-]{36}$/.test(id) ? kept(await records.get<T>(`${prefix}:${id}`)) : undefined;
    },
  });
  return {
    couplingConfigured: !!config.couplingUrl,
    observe: async (environment, options) =>
      observeSalespeople(clients, environment, {
        tenantId: config.tenantId,
        couplingUrl: config.couplingUrl,
        salespersonChoice: await roles.salesperson(environment),
        licenceGroup: options?.licenceGroup,
      }),
    planningFacts: async (environment) => observePlanningFacts(clients, environment, await roles.salesperson(environment)),
    pickableRoles: (environment) => observePickableRoles(clients, environment),
    rememberRole: (environment, role, chosenBy) => roles.remember(environment, 'salesperson', role, chosenBy),
    async importFacts(upns) {
      const [verifiedDomains, found] = await Promise.all([clients.directory.verifiedDomains(), lookUpUsers(clients.directory, { upns, mails: upns })]);
      return {
        verifiedDomains,
        existingUpns: new Map([...found.byUpn].map(([key, user]) => [key, user.userPrincipalName])),
        existingMails: new Map([...found.byMail].map(([key, user]) => [key, user.userPrincipalName])),
      };
    },
    download: (url) => downloadFile(url, mode, MAX_IMPORT_BYTES),
    view: new SalespeopleViewStore(records),
    exports: store<CsvExportRecord>(SALESPEOPLE_EXPORT_PREFIX),
    imports: store<CsvImportRecord>(SALESPEOPLE_IMPORT_PREFIX),
  };
}
