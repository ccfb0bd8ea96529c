import type { Config } from '../config';
import { configuredEnvironment } from '../setup/session';
import { coded } from '../errors';
import type { Logger } from '../log';
import type { Actor } from './context';
import type { Overview } from '../setup/overview';
import type { AdminObservation, SkuInfo } from '../setup/adminPlanner';
import type { ApplicationUserObservation, DedicatedObservation } from '../setup/integrationPlanner';
import type { SessionEnvironment } from '../setup/session';
import type { Plan, Run } from '../setup/plan';
import type { Clients } from '../provisioning/clients';
import { checkOrgUrl } from '../provisioning/clients';
import { observeAdmin, observeApplicationUsers, observeDedicatedUser, observeOverview } from '../provisioning/observe/parts';
import { skuInfo } from '../provisioning/observe/skus';
import { readEnvironmentLists, type EnvironmentListsRead } from '../provisioning/observe/environments';
import { checkHealth, planHealthFix, type HealthFixPlan, type HealthInput } from '../provisioning/observe/health';
import type { HealthReport } from '../provisioning/observe/healthReport';
import type { HealthCheckId } from '../setup/health';
import type { Runner } from '../provisioning/run/runner';
import type { PlanStore } from '../approvals/plans';
import { AuditLog } from '../approvals/audit';
import { Authorizer } from '../approvals/policy';
import type { RecordStore } from '../storage/records';
import type { Notifier } from './notifier';
import type { PasswordCards } from './passwordCards';
import { createSalespeopleServices, type SalespeopleServices } from './salespeopleServices';
import { RoleChoiceStore } from './roleChoices';
import { createWatch, type WatchService } from './watchServices';
import type { Leases } from '../provisioning/run/lease';
import { systemClock, type Clock } from './passwordCards';

/** The environment a conversation works on (the Sales, Power Platform and BC environments). */
export type EnvironmentRef = SessionEnvironment;

/** What the Teams surface may use. Handlers get this, never a tenant client. */
export interface BotServices {
  config: Config;
  logger: Logger;
  observer: { overview(actor: Actor, environment: EnvironmentRef): Promise<Overview> };
  /** The configured environment, when one is configured (tenant mode may leave it to the lists). */
  defaultEnvironment(): EnvironmentRef | undefined;
  /** The conversation's environment, else the configured one; else an invalid_input error asking to choose them (set up). */
  environmentOf(chosen: EnvironmentRef | undefined): EnvironmentRef;
  /**
   * The integration's health check (the status card; the watch): every check in priority order.
   * `admin`: whose roles the first check reads (UPN or Entra object id); without it that row says so.
   */
  health(environment: EnvironmentRef, options?: { admin?: string }): Promise<HealthReport>;
  /** The plan that fixes one failing check, read anew (the card's "Plan the fix"). */
  healthFix(environment: EnvironmentRef, check: HealthCheckId, options?: { admin?: string }): Promise<HealthFixPlan>;
  tenant: {
    companies(environment: EnvironmentRef): Promise<{ id: string; name: string }[]>;
    /** The tenant's Business Central and Power Platform environments, for choosing them. */
    environmentLists(): Promise<EnvironmentListsRead>;
    adminObservation(environment: EnvironmentRef, userPrincipalNameOrId: string): Promise<AdminObservation>;
    userPrincipalName(aadObjectId: string): Promise<string | undefined>;
    /** The canonical environment URL, or an invalid_input error (tenant mode: Dynamics hosts only). */
    checkEnvironmentUrl(url: string): string;
    applicationUsers(environment: EnvironmentRef): Promise<ApplicationUserObservation>;
    dedicatedUser(environment: EnvironmentRef, userPrincipalName: string): Promise<DedicatedObservation>;
    user(aadObjectId: string): Promise<{ userPrincipalName: string; usageLocation: string | null } | undefined>;
    /** Verified domains and licences (with free seats), for the account forms. */
    domainsAndSkus(): Promise<{ domains: string[]; skus: SkuInfo[] }>;
    /** A deep link to a Business Central page, or undefined on premises without BC_WEB_CLIENT_URL. */
    businessCentralPage(environment: EnvironmentRef, page: number): string | undefined;
  };
  plans: PlanStore;
  /** Who may use the bot and who may approve. */
  access: Authorizer;
  audit: AuditLog;
  /** Messages and card updates outside the current turn. */
  notifier: Notifier;
  /** Part 3: salespeople observation, CSV files and their records. */
  salespeople: SalespeopleServices;
  /** Roles the admins picked per environment where no role has a known name. */
  roles: RoleChoiceStore;
  /** Generated-password messages, withdrawn on confirmation or when their time is up. */
  passwords: PasswordCards;
  runner: {
    start(plan: Plan, report: Run['report']): Promise<Run>;
    retryFailed(planId: string): Promise<Run | undefined>;
    /** Unfinished runs continue; approved plans without a run start. */
    resumeAll(): Promise<string[]>;
    /** A run failed because its state could not be stored: newer than the stored record. */
    unsaved?(planId: string): Run | undefined;
  };
  /** The chats' watches: a scheduled check posted when something got worse. */
  watch: WatchService;
}

export interface ServiceDeps {
  config: Config;
  logger: Logger;
  clients: Clients;
  records: RecordStore;
  runner: Runner;
  /** Made before the runner, which starts the approved plans it finds without a run. */
  plans: PlanStore;
  notifier: Notifier;
  passwords: PasswordCards;
  /** The clock of plans, approvals and the audit trail (tests inject one). */
  now?: () => Date;
  /** Several instances on shared storage: the watch runs each check under its lease. */
  leases?: Leases;
  /** The clock the watch's schedule runs by (tests move it by hand). */
  clock?: Clock;
}

export function createServices({ config, logger, clients, records, runner, plans, notifier, passwords, now, leases, clock }: ServiceDeps): BotServices {
  const defaultEnvironment = (): EnvironmentRef | undefined => {
    const configured = configuredEnvironment(config);
    return configured ? { ...configured, deployment: 'online' } : undefined;
  };
  const roles = new RoleChoiceStore(records);
  // The organisation's name (read once; the tenant id until it could be read).
  let organisation: string | undefined;
  const tenantLabel = async () => {
    if (organisation) return organisation;
    const org = await clients.directory.getOrganization().catch(() => undefined);
    if (org?.displayName) organisation = `${org.displayName} (${config.tenantId})`;
    return organisation ?? config.tenantId;
  };
  const environmentOf = (chosen: EnvironmentRef | undefined): EnvironmentRef => {
    const environment = chosen ?? defaultEnvironment();
    if (!environment) throw coded('invalid_input', 'envChooseFirst');
    return environment;
  };
  const labels = async (environment: EnvironmentRef) => ({
    tenant: await tenantLabel(),
    salesEnvironment: environment.dataverseUrl,
    businessCentral: environment.bcCompanyName ? `${environment.bcEnvironment} · ${environment.bcCompanyName}` : environment.bcEnvironment,
  });
  const healthInput = async (environment: EnvironmentRef, admin: string | undefined): Promise<HealthInput> => ({
    environment,
    admin,
    bcAppId: config.bcAppId,
    salespeople: { tenantId: config.tenantId, couplingUrl: config.couplingUrl, salespersonChoice: await roles.salesperson(environment) },
    businessCentralPage: (page) => businessCentralPageUrl(config, environment, page),
    labels: await labels(environment),
    now,
  });
  const services: Omit<BotServices, 'watch'> = {
    config,
    logger,
    defaultEnvironment,
    environmentOf,
    health: async (environment, options = {}) => checkHealth(clients, await healthInput(environment, options.admin), logger),
    healthFix: async (environment, check, options = {}) =>
      planHealthFix(clients, { ...(await healthInput(environment, options.admin)), nonAdministrativeChoice: (await roles.get(environment))?.nonAdministrative }, check, logger),
    observer: {
      overview: async (actor, environment) =>
        observeOverview(
          clients,
          {
            actorAadObjectId: actor.aadObjectId,
            environment,
            bcAppId: config.bcAppId,
            salespeople: { tenantId: config.tenantId, couplingUrl: config.couplingUrl, salespersonChoice: await roles.salesperson(environment) },
            labels: {
              tenant: await tenantLabel(),
              salesEnvironment: environment.dataverseUrl,
              businessCentral: environment.bcCompanyName ? `${environment.bcEnvironment} · ${environment.bcCompanyName}` : environment.bcEnvironment,
            },
          },
          logger,
        ),
    },
    tenant: {
      environmentLists: () => readEnvironmentLists(clients),
      companies: async (environment) =>
        (await clients.businessCentral(environment.bcEnvironment).listCompanies()).map((c) => ({ id: c.id, name: c.displayName ?? c.name })),
      adminObservation: (environment, who) => observeAdmin(clients, environment, who),
      userPrincipalName: async (aadObjectId) => (await clients.directory.getUser(aadObjectId))?.userPrincipalName,
      checkEnvironmentUrl: (url) => checkOrgUrl(url, config),
      applicationUsers: (environment) => observeApplicationUsers(clients, environment, config.bcAppId),
      dedicatedUser: (environment, upn) => observeDedicatedUser(clients, environment, upn),
      user: async (aadObjectId) => {
        const user = await clients.directory.getUser(aadObjectId);
        return user ? { userPrincipalName: user.userPrincipalName, usageLocation: user.usageLocation } : undefined;
      },
      domainsAndSkus: async () => {
        const [domains, skus] = await Promise.all([clients.directory.verifiedDomains(), skuInfo(clients)]);
        return { domains, skus };
      },
      businessCentralPage: (environment, page) => businessCentralPageUrl(config, environment, page),
    },
    plans,
    notifier,
    access: new Authorizer(config.access, clients.directory),
    audit: new AuditLog(records, now, logger),
    salespeople: createSalespeopleServices(config, clients, records, roles),
    roles,
    runner,
    passwords,
  };
  const watch = createWatch({ config, logger, records, audit: services.audit, leases, clock: clock ?? systemClock, notifier, health: services.health });
  return { ...services, watch };
}

/**
 * A deep link to a Business Central page (Learn, "Web client URL": `https://<hostname>[/<aadtenantid>][/<environmentname>]/?page=<ID>`).
 * With BC_WEB_CLIENT_URL every link is built on it (an on-premises web client such as
 * `https://bc.contoso.local/BC250/?page=1817`); without it, online links go to the online client and
 * on premises there is none: the online client is not where an on-premises Business Central runs.
 */
export function businessCentralPageUrl(
  config: Pick<Config, 'tenantId' | 'bcWebClientUrl'>,
  environment: Pick<EnvironmentRef, 'deployment' | 'bcEnvironment'>,
  page: number,
): string | undefined {
  if (config.bcWebClientUrl) return `${config.bcWebClientUrl}/?page=${page}`;
  if (environment.deployment !== 'online') return undefined;
  return `https://businesscentral.dynamics.com/${config.tenantId}/${encodeURIComponent(environment.bcEnvironment)}?page=${page}`;
}
