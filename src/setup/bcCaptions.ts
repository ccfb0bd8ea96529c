/**
 * Business Central's own captions for the pages, fields and actions the product sends admins to,
 * as the base app defines them (Microsoft's published source, mirrored in
 * StefanMaron/MSDyn365BC.Code.History, BaseApp/Source/Base Application/Integration/...). They are
 * given in English in every language, with the page number, so they can be found in any client.
 */
export const BC_CAPTIONS = {
  /** page 1817 "CRM Connection Setup Wizard" */
  salesSetupPage: 'Dynamics 365 Sales Integration Setup',
  /** page 7201 "CDS Connection Setup Wizard" */
  dataverseSetupPage: 'Dataverse Connection Setup',
  /** page 5340 "CRM Systemuser List" and its action AddCoupledUsersToTeam */
  usersPage: 'Users - Dataverse',
  addToTeamAction: 'Add coupled users to team',
  /** page 7209 "CDS Couple Salespersons": caption, actions and the salesperson column */
  couplePage: 'Couple Dataverse Users with Salespersons',
  matchAction: 'Match-Based Coupling',
  deleteCouplingAction: 'Delete Coupling',
  salespersonColumn: 'Salesperson (Business Central)',
  /** page 5363 "Match Based Coupling Criteria" and its columns */
  criteriaPage: 'Select Coupling Criteria',
  matchField: 'Match on this Field',
  caseSensitive: 'Case-sensitive Matching',
  /** table 13 "Salesperson/Purchaser" field "E-Mail", table 5340 "CRM Systemuser" field InternalEMailAddress */
  salespersonEmail: 'Email',
  primaryEmail: 'Primary Email',
} as const;
