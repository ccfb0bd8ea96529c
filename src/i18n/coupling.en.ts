/**
 * Part 3: what Business Central's Match-Based Coupling will do, and how to run it. Page names and
 * field names are Business Central's captions (base app: page 7209 "Couple Dataverse Users with
 * Salespersons", page 5363 "Select Coupling Criteria", page 5340 "Users - Dataverse").
 */
export const couplingEn = {
  cpTitle: "What Business Central's Match-Based Coupling will do",
  cpIntro:
    "On Business Central's defaults each salesperson's **Email** is matched, ignoring case, to the **Primary Email** of a Sales user that is licensed, enabled and not an integration user. The primary e-mail comes from the account's mail address in Microsoft 365; an account without a mailbox has none.",
  cpOutcomeMatch: 'Will be coupled',
  cpOutcomeNoMatch: 'No Sales user with that e-mail',
  cpOutcomeSeveral: 'Several Sales users with that e-mail',
  cpOutcomeAlreadyCoupled: 'Its Sales user is coupled already',
  cpOutcomeNotEligible: 'Its Sales user is left out',
  cpLine: '**{code}** {email}: {outcome} — {detail}',
  cpLineMatch: '**{code}** {email}: {outcome} ({user})',
  cpCauseNoEmail: 'the salesperson has no e-mail in Business Central; add one on the salesperson card.',
  cpCauseNoMail: "{user} has no mail address (no mailbox), so its Sales user has no primary e-mail.",
  cpCauseOtherMail: "its Sales user's primary e-mail is {primary}.",
  cpCauseNoSalesUser: 'nobody in Sales has it yet.',
  cpSeveral: '{count} Sales users have it, so Business Central couples none of them.',
  cpAlreadyCoupledTo: '{user} is coupled to salesperson {code}.',
  cpAlreadyCoupledOther: '{user} is coupled to another salesperson.',
  cpNotEligibleDisabled: '{user} is disabled in Sales.',
  cpNotEligibleUnlicensed: '{user} is not licensed in Sales.',
  cpNotEligibleIntegration: '{user} is an integration user, which Business Central never couples.',
  cpFixSetMail: 'Fix: I can set the mail address of {user} to {address} (see below).',
  cpFixUseMail: 'Fix: use {primary} as the salesperson\'s Email in Business Central, or make {email} the primary address of the mailbox.',
  cpFixUseMailPlain: "Fix: use the Sales user's primary e-mail as the salesperson's Email in Business Central.",
  cpFixUniqueEmail: 'Fix: give each of these users an address of their own, or pick the salesperson for the right user by hand in the column "Salesperson (Business Central)" on page 7209.',
  cpFixDeleteCoupling: 'Fix: if that coupling is wrong, select the user on page 7209 and choose "Delete Coupling" first.',
  cpFixEnableUser: "Fix: enable the account and make sure it is admitted to the Sales environment (its security group); Part 3's plan does this for the salespeople it sets up.",
  cpFixLicenseUser: "Fix: give the account a Sales licence; Part 3's plan does this.",
  cpFixOwnEmail: 'Fix: give the salesperson an e-mail of their own.',
  cpFixSetUpFirst: "Fix: set the salesperson up first with Part 3's plan, then run Match-Based Coupling.",
  cpFixSetMailYourself: 'Fix: set the mail address {address} where the account is managed (the Exchange admin center, or the on-premises directory for a synchronised account); I cannot set it here.',
  cpMore: '… and {count} more.',
  cpSteps:
    '**Then, in Business Central:**\n\n1\\. Open **Couple Dataverse Users with Salespersons** (page 7209){link}.\n\n2\\. Choose **Match-Based Coupling** and confirm.\n\n3\\. On **Select Coupling Criteria** (page 5363) tick **Match on this Field** only on the line **Email** ↔ **Primary Email**, leave **Case-sensitive Matching** off, and choose **OK**.\n\n4\\. Refresh the page: the column **Salesperson (Business Central)** shows each coupling.\n\n5\\. Open **Users - Dataverse** (page 5340), select the coupled users and choose **Add coupled users to team**: page 7209 opened on its own does not add them to the default owning team.\n\n6\\. Come back here and choose **Check again**.',
  cpStepsLink: ': {link}',
  cpStepsOnPremises: ' (search for it in your own Business Central web client)',
  cpFixes: 'I can fix {count} of these: set the missing mail address on the account, so that its Sales user gets the salesperson\'s e-mail as primary e-mail. The change is planned and approved like any other.',
  cpFixesAction: 'Plan the e-mail fixes',
  cpNothingToFix: 'There is no mail address I can set: every fix left is one of the steps above.',
  actionSetMail: "Set the mail address of {user} to {address} (the Sales user's primary e-mail follows)",
  spStepMail: 'mail address',
  cpCouplingsObserved: 'Couplings seen through the coupling endpoint: {count} of {total} salespeople.',
  cpCouplingsUnobservable: 'Couplings made in Business Central cannot be read without a coupling endpoint; Match-Based Coupling should pair {count} of {total} salespeople.',
} as const;
