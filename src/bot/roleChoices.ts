import type { PlanEnvironment } from '../setup/plan';
import type { RoleChoice } from '../setup/roles';
import type { RecordStore } from '../storage/records';
import { roleChoiceKey } from '../storage/keys';

/**
 * The roles an admin picked for an environment where no role has a known name (the environment's
 * base language is neither English nor Norwegian, or the roles were renamed). Kept per Sales
 * environment, for every conversation and every later plan, until someone picks again.
 */

export interface RememberedRole extends RoleChoice {
  chosenBy: string;
  chosenAt: string;
}

export interface EnvironmentRoleChoices {
  dataverseUrl: string;
  /** The role every salesperson gets (Part 3). */
  salesperson?: RememberedRole;
  /** The non-administrative roles for the BC admin (Part 1). */
  nonAdministrative?: RememberedRole[];
}

type Kind = 'salesperson' | 'nonAdministrative';

const environmentId = (environment: Pick<PlanEnvironment, 'dataverseUrl'>) => environment.dataverseUrl.trim().replace(/\/+$/, '').toLowerCase();

export class RoleChoiceStore {
  constructor(
    private readonly records: RecordStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(environment: Pick<PlanEnvironment, 'dataverseUrl'>): string {
    return roleChoiceKey(environmentId(environment));
  }

  async get(environment: Pick<PlanEnvironment, 'dataverseUrl'>): Promise<EnvironmentRoleChoices | undefined> {
    return this.records.get<EnvironmentRoleChoices>(this.key(environment));
  }

  async salesperson(environment: Pick<PlanEnvironment, 'dataverseUrl'>): Promise<RoleChoice | undefined> {
    return (await this.get(environment))?.salesperson;
  }

  async remember(environment: Pick<PlanEnvironment, 'dataverseUrl'>, kind: 'salesperson', role: RoleChoice, chosenBy: string): Promise<void>;
  async remember(environment: Pick<PlanEnvironment, 'dataverseUrl'>, kind: 'nonAdministrative', role: RoleChoice[], chosenBy: string): Promise<void>;
  async remember(environment: Pick<PlanEnvironment, 'dataverseUrl'>, kind: Kind, role: RoleChoice | RoleChoice[], chosenBy: string): Promise<void> {
    const chosenAt = this.now().toISOString();
    const stamp = (r: RoleChoice): RememberedRole => ({ roleid: r.roleid, name: r.name, roletemplateid: r.roletemplateid, chosenBy, chosenAt });
    await this.records.update<EnvironmentRoleChoices>(this.key(environment), (current) => ({
      ...(current ?? { dataverseUrl: environmentId(environment) }),
      [kind]: Array.isArray(role) ? role.map(stamp) : stamp(role),
    }));
  }
}
