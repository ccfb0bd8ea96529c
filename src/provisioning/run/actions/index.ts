import { AppError } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { addGroupMember } from './addGroupMember';
import { addTeamMember } from './addTeamMember';
import { assignTeamRole } from './assignTeamRole';
import { addUserToEnvironment } from './addUserToEnvironment';
import { assignLicense } from './assignLicense';
import { assignRole } from './assignRole';
import { coupleSalesperson } from './coupleSalesperson';
import { createUser } from './createUser';
import { removeRole } from './removeRole';
import { setAccessMode } from './setAccessMode';
import { setMail } from './setMail';
import type { ActionContext, ActionDone } from './types';

export type { ActionContext, ActionDone, ActionSettings } from './types';
export { TENANT_ACTION_SETTINGS } from './types';

/** The one dispatch from action type to handler. */
export function applyAction(action: Action, context: ActionContext): Promise<ActionDone> {
  switch (action.type) {
    case 'createUser':
      return createUser(action, context);
    case 'setAccessMode':
      return setAccessMode(action, context);
    case 'removeRole':
      return removeRole(action, context);
    case 'assignLicense':
      return assignLicense(action, context);
    case 'addGroupMember':
      return addGroupMember(action, context);
    case 'addUserToEnvironment':
      return addUserToEnvironment(action, context);
    case 'assignRole':
      return assignRole(action, context);
    case 'coupleSalesperson':
      return coupleSalesperson(action, context);
    case 'createGroup':
    case 'assignGroupLicense':
    case 'nestGroup':
    case 'joinLicenceGroup':
      // Only Part 3 plans carry them, and those always run by phase (run/bulk/licenceGroup.ts).
      return Promise.reject(new AppError('bad_request', `The step ${action.type} runs only as part of a bulk run.`));
    case 'setMail':
      return setMail(action, context);
    case 'assignTeamRole':
      return assignTeamRole(action, context);
    case 'addTeamMember':
      return addTeamMember(action, context);
  }
}
