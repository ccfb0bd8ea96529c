/** Who may use the bot, and what it answers to anything it will not act on. */
export const securityEn = {
  securityNotAllowed:
    'Sorry, only the administrators who set up Business Central and Sales for this organisation can use me. If you need access, ask your IT administrator. Nothing was changed.',
  securityNotApprover: 'Sorry, only an approver can decide on plans, and you are not one. Nothing was changed.',
  securityOtherTenant: 'Sorry, I work only for the organisation that installed me, and this conversation belongs to another one. Nothing was changed.',
  securityOtherChannel: 'Sorry, I work only in Microsoft Teams. Nothing was changed.',
  securityCheckFailed: 'I could not confirm that you may use me: the directory did not answer. Nothing was changed; try again in a moment.',
  securityTextOnly: 'I read only plain text messages. Nothing was changed. Say **help** to see what I can do.',
  securityBadAction: 'That card action was not in a form I accept, so I ignored it. Nothing was changed.',
  csvRowInvisible: '{column} contains an invisible character (such as a bidi or zero-width character) that can disguise the text.',
  securityUnknownAction: 'That button is not one I know; the card may be from an older version. Nothing was changed. Say **set up** to carry on.',
} as const;
