import { countOutcomes, mailFixActions, predictCoupling, type PredictionFacts, type PredictionSalesUser } from '../../src/setup/couplingPrediction';

const salesUser = (id: string, email: string | null, over: Partial<PredictionSalesUser> = {}): PredictionSalesUser => ({
  systemuserid: `su-${id}`,
  internalEmail: email,
  domainName: `${id}@contoso.no`,
  aadObjectId: `aad-${id}`,
  isDisabled: false,
  isLicensed: true,
  isIntegrationUser: false,
  ...over,
});

function facts(over: Partial<PredictionFacts>): PredictionFacts {
  return { salespeople: [], salesUsers: [], accounts: [], couplings: null, verifiedDomains: ['contoso.no'], ...over };
}

const person = (code: string, email: string, blocked = false) => ({ id: `sp-${code}`, code, email, blocked });

describe('Match-Based Coupling prediction (BC defaults: E-Mail = primary e-mail, eligible Sales users only)', () => {
  it('matches a salesperson to the one eligible Sales user with that primary e-mail, ignoring case', () => {
    const [p] = predictCoupling(facts({ salespeople: [person('KH', 'Kari.Hansen@contoso.no')], salesUsers: [salesUser('kari', 'kari.hansen@CONTOSO.no')] }));
    expect(p.outcome).toEqual({ kind: 'match', systemUserId: 'su-kari', userPrincipalName: 'kari@contoso.no' });
    expect(p.fix).toBeUndefined();
  });

  it('finds no match without an e-mail on the salesperson, and asks for one', () => {
    const [p] = predictCoupling(facts({ salespeople: [person('NN', '  ')], salesUsers: [salesUser('x', null)] }));
    expect(p.outcome).toEqual({ kind: 'noMatch', cause: 'noEmail' });
    expect(p.fix).toEqual({ kind: 'manual', step: 'addEmail' });
  });

  it('finds no match for an account without mail, and plans setting its mail when Microsoft allows it', () => {
    const f = facts({
      salespeople: [person('MN', 'marte.nilsen@contoso.no')],
      accounts: [{ id: 'aad-marte', userPrincipalName: 'marte.nilsen@contoso.no', mail: null }],
      salesUsers: [salesUser('marte', null)],
    });
    const [p] = predictCoupling(f);
    expect(p.outcome).toEqual({ kind: 'noMatch', cause: 'noMail' });
    expect(p.fix).toEqual({ kind: 'setMail', entraId: 'aad-marte', userPrincipalName: 'marte.nilsen@contoso.no', address: 'marte.nilsen@contoso.no', systemUserId: 'su-marte' });
  });

  it('does not plan mail for an account synchronised from on-premises, on an unverified domain, or when another account holds the address', () => {
    const base = { salesUsers: [salesUser('marte', null)] };
    const synced = predictCoupling(facts({ ...base, salespeople: [person('MN', 'marte.nilsen@contoso.no')], accounts: [{ id: 'aad-marte', userPrincipalName: 'marte.nilsen@contoso.no', mail: null, onPremisesSyncEnabled: true }] }));
    expect(synced[0].fix).toEqual({ kind: 'manual', step: 'setMailYourself' });
    const unverified = predictCoupling(facts({ ...base, salespeople: [person('MN', 'marte@fabrikam.com')], accounts: [{ id: 'aad-marte', userPrincipalName: 'marte@fabrikam.com', mail: null }] }));
    expect(unverified[0].fix).toEqual({ kind: 'manual', step: 'setMailYourself' });
    const heldByOther = predictCoupling(facts({
      ...base,
      salespeople: [person('MN', 'marte.nilsen@contoso.no')],
      accounts: [
        { id: 'aad-marte', userPrincipalName: 'marte.nilsen@contoso.no', mail: null },
        { id: 'aad-shared', userPrincipalName: 'shared@contoso.no', mail: 'marte.nilsen@contoso.no' },
      ],
    }));
    expect(heldByOther[0].outcome).toEqual({ kind: 'noMatch', cause: 'noMail' });
    expect(heldByOther[0].fix).toEqual({ kind: 'manual', step: 'setMailYourself' });
  });

  it('names the other primary e-mail a Sales user carries', () => {
    const [p] = predictCoupling(facts({
      salespeople: [person('HP', 'hege.pedersen@contoso.no')],
      accounts: [{ id: 'aad-hege', userPrincipalName: 'hege.pedersen@contoso.no', mail: 'hege@contoso.no' }],
      salesUsers: [salesUser('hege', 'hege@contoso.no')],
    }));
    expect(p.outcome).toEqual({ kind: 'noMatch', cause: 'otherMail', primaryEmail: 'hege@contoso.no' });
    expect(p.fix).toEqual({ kind: 'manual', step: 'useMail' });
  });

  it('finds no match when nobody is in Sales yet', () => {
    const [p] = predictCoupling(facts({ salespeople: [person('TB', 'tone@contoso.no')] }));
    expect(p.outcome).toEqual({ kind: 'noMatch', cause: 'noSalesUser' });
    expect(p.fix).toEqual({ kind: 'manual', step: 'setUpFirst' });
  });

  it('couples none when several eligible Sales users share the address', () => {
    const [p] = predictCoupling(facts({ salespeople: [person('SL', 'sales@contoso.no')], salesUsers: [salesUser('a', 'sales@contoso.no'), salesUser('b', 'Sales@contoso.no')] }));
    expect(p.outcome).toEqual({ kind: 'several', count: 2 });
    expect(p.fix).toEqual({ kind: 'manual', step: 'uniqueEmail' });
  });

  it('does not count an ineligible Sales user as one of several', () => {
    const [p] = predictCoupling(facts({ salespeople: [person('SL', 'sales@contoso.no')], salesUsers: [salesUser('a', 'sales@contoso.no'), salesUser('b', 'sales@contoso.no', { isDisabled: true })] }));
    expect(p.outcome.kind).toBe('match');
  });

  it('reports a match that is already coupled to another salesperson, known or coupled earlier in the same run', () => {
    const known = predictCoupling(facts({
      salespeople: [person('EH', 'eirik@contoso.no'), person('XX', 'other@contoso.no')],
      salesUsers: [salesUser('eirik', 'eirik@contoso.no')],
      couplings: [{ salespersonId: 'sp-XX', systemUserId: 'su-eirik' }],
    }));
    expect(known).toHaveLength(1); // XX is coupled: BC skips it
    expect(known[0].outcome).toEqual({ kind: 'alreadyCoupled', systemUserId: 'su-eirik', userPrincipalName: 'eirik@contoso.no', coupledToCode: 'XX' });
    expect(known[0].fix).toEqual({ kind: 'manual', step: 'deleteCoupling' });

    // two salespeople with one address: BC goes by Code, the first takes the Sales user
    const run = predictCoupling(facts({ salespeople: [person('ZZ', 'team@contoso.no'), person('AA', 'team@contoso.no')], salesUsers: [salesUser('team', 'team@contoso.no')] }));
    expect(run.map((p) => [p.code, p.outcome.kind])).toEqual([['ZZ', 'alreadyCoupled'], ['AA', 'match']]);
  });

  it('reports the Sales user BC leaves out: disabled, unlicensed, integration user', () => {
    const predictions = predictCoupling(facts({
      salespeople: [person('D', 'd@contoso.no'), person('U', 'u@contoso.no'), person('I', 'i@contoso.no')],
      salesUsers: [salesUser('d', 'd@contoso.no', { isDisabled: true }), salesUser('u', 'u@contoso.no', { isLicensed: false }), salesUser('i', 'i@contoso.no', { isIntegrationUser: true })],
    }));
    expect(predictions.map((p) => [p.outcome, p.fix])).toEqual([
      [{ kind: 'notEligible', reason: 'disabled', userPrincipalName: 'd@contoso.no' }, { kind: 'manual', step: 'enableUser' }],
      [{ kind: 'notEligible', reason: 'unlicensed', userPrincipalName: 'u@contoso.no' }, { kind: 'manual', step: 'licenseUser' }],
      [{ kind: 'notEligible', reason: 'integrationUser', userPrincipalName: 'i@contoso.no' }, { kind: 'manual', step: 'ownEmail' }],
    ]);
  });

  it('leaves blocked and coupled salespeople out and counts the outcomes', () => {
    const predictions = predictCoupling(facts({
      salespeople: [person('B', 'b@contoso.no', true), person('C', 'c@contoso.no'), person('K', 'k@contoso.no'), person('N', '')],
      salesUsers: [salesUser('b', 'b@contoso.no'), salesUser('c', 'c@contoso.no'), salesUser('k', 'k@contoso.no')],
      couplings: [{ salespersonId: 'sp-C', systemUserId: 'su-c' }],
    }));
    expect(predictions.map((p) => p.code)).toEqual(['K', 'N']);
    expect(countOutcomes(predictions)).toEqual({ match: 1, noMatch: 1, several: 0, alreadyCoupled: 0, notEligible: 0 });
  });
});

describe('the mail fixes', () => {
  it('plans one setMail per account without mail, with its Sales user, and nothing for manual fixes', () => {
    const predictions = predictCoupling(facts({
      salespeople: [person('MN', 'marte.nilsen@contoso.no'), person('TM', ''), person('HP', 'hege.pedersen@contoso.no')],
      accounts: [
        { id: 'aad-marte', userPrincipalName: 'marte.nilsen@contoso.no', mail: null },
        { id: 'aad-hege', userPrincipalName: 'hege.pedersen@contoso.no', mail: 'hege@contoso.no' },
      ],
      salesUsers: [salesUser('marte', null), salesUser('hege', 'hege@contoso.no')],
    }));
    expect(mailFixActions(predictions)).toEqual([
      {
        key: 'setMail:marte.nilsen@contoso.no',
        type: 'setMail',
        target: { userPrincipalName: 'marte.nilsen@contoso.no', userId: 'aad-marte', systemUserId: 'su-marte' },
        params: { mail: 'marte.nilsen@contoso.no' },
      },
    ]);
  });
});
