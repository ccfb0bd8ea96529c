/** Part 3 through a group: group-based licensing and admission, its plan lines and its outcomes. */
export const groupLicensingEn = {
  glNoFacts: 'Group-based licensing could not be checked: choose "Check again" on the list.',
  glNoEntraP1:
    'group-based licensing needs Microsoft Entra ID P1 or P2 (or a plan that includes it, such as Microsoft 365 Business Premium or E3), and the tenant subscribes to none, so each salesperson is licensed on their own.',
  glGroupAmbiguous: '{count} groups are called {group}: give the licence group a name no other group has.',
  glGroupNotSecurity: '{group} is not a security group, and licences can be given only to security groups: give the licence group another name.',
  glGroupDynamic: '{group} has dynamic membership, so nobody can be added to it by hand: give the licence group another name.',
  glGroupName: '"{value}" cannot be a group name: use 1 to 256 characters.',
  glRefuseNoEntraP1:
    'The salespeople cannot be licensed through a group: group-based licensing needs Microsoft Entra ID P1 or P2 (or a plan that includes it), and the tenant subscribes to none. Choose "Licence each salesperson on their own" on the list.',
  glRefuseSeats:
    'The group {group} will have {members} members who do not hold {sku} yet, but {sku} has {free} free seats: {missing} missing. Buy or free {missing} more seats, select fewer salespeople, or licence each salesperson on their own.',
  glChoiceLabel: 'Licensing',
  glChoiceGroup: 'Licence and admit through a group (group-based licensing)',
  glChoicePerUser: 'Licence each salesperson on their own',
  glGroupNameLabel: 'Licence group (found by name, created when there is none)',
  glAvailable: 'Group-based licensing can be used: the tenant has {premium}.',
  glModeGroup: 'Licensing: through the group **{group}** (group-based licensing, the tenant has {premium}). Entra ID licenses the members in the background; the run waits for each one before it counts them done.',
  glModePerUser: 'Licensing: each salesperson on their own — {why}',
  glWhyChosen: 'chosen on the list card (group-based licensing is available).',
  glPlanCreateGroup: 'the security group {group} created',
  glPlanGroupLicence: 'the group {group} given the licence {sku}: its members get it from the group ({members} seats)',
  glPlanNest: "the group {group} added to the environment's security group {parent}, so its members are admitted",
  glPlanJoin: '{count} added to the group {group}, 20 per request',
  glStepJoin: 'licence group',
  actionCreateGroup: 'Create the security group {group}',
  actionAssignGroupLicense: 'Give the group {group} the licence {sku}',
  actionNestGroup: 'Add the group {group} to the security group {parent}',
  actionJoinLicenceGroup: 'Add {user} to the group {group} (licence {sku} from the group)',
  glWaited: 'Waited {seconds} s for Entra ID to license {count} members of {group} (group-based licensing is processed in the background).',
  errGroupLicenceSeats:
    'Entra ID could not give {user} the licence {sku} through the group {group}: there are not enough licences (CountViolation). Buy or free seats; Entra ID assigns it once a seat is free, then retry.',
  errGroupLicenceError: 'Entra ID could not give {user} the licence {sku} through the group {group}: {error}.',
  errGroupLicenceTimeout: 'Entra ID had not licensed {user} through the group {group} within {seconds} s. Retry later.',
  errGroupNotFound: 'There is no group {group} in the directory any more.',
} as const;
