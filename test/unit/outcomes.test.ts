import { AppError, coded, userMessage } from '../../src/errors';
import { t } from '../../src/i18n';
import { blockedOutcome, damagedOutcome, failedOutcome, failureReason, unsavedOutcome } from '../../src/provisioning/run/outcomes';
import { storageFailure } from '../../src/storage/damage';
import { graphError } from '../../src/provisioning/clients/graph/errors';
import { dataverseError } from '../../src/provisioning/clients/dataverse/errors';
import type { ActionOutcome } from '../../src/setup/plan';
import { adminStatus, missingAdminRoles } from '../../src/setup/overview';
import { ROLE_TEMPLATES } from '../../src/setup/roles';
import { detailText } from '../../src/cards/welcome';
import { HttpResponse } from '../../src/provisioning/http/types';

const AT = '2026-12-01T22:00:00.000Z';
const UPN = 'kari.nordmann@contoso.no';

function response(service: HttpResponse['service'], status: number, body: unknown, url = 'https://graph.microsoft.com/v1.0/users'): HttpResponse {
  const text = JSON.stringify(body);
  return { service, status, headers: new Headers(), text, attempts: 1, request: { method: 'POST', url }, json: <T>() => JSON.parse(text) as T };
}

describe('a failed outcome', () => {
  it('stores the key and parameters of the product\'s own error, and reads in either language', () => {
    const error = coded('not_found', 'errNotSalesUser', { user: UPN });
    const outcome = failedOutcome(AT, error);
    expect(outcome).toEqual({ status: 'failed', at: AT, code: 'not_found', text: { key: 'errNotSalesUser', params: { user: UPN } } });
    expect(failureReason(outcome, 'en')).toBe(`${UPN} is not a user in the Sales environment.`);
    expect(failureReason(outcome, 'en')).toBe(error.message);
    expect(failureReason(outcome, 'nb')).toBe(`${UPN} er ikke bruker i Sales-miljøet.`);
  });

  it('stores a service\'s generic refusal by code and service, never the service\'s own text', () => {
    const error = new AppError('service_unavailable', 'Dynamics 365 Sales (Dataverse) is temporarily unavailable; could not assign the role.', {
      service: 'dataverse',
      status: 503,
      cause: new Error('503 0x80072321 Sensitive service detail'),
    });
    const outcome = failedOutcome(AT, error);
    expect(outcome.text).toEqual({ key: 'failServiceUnavailable', params: { service: 'dataverse' } });
    expect(JSON.stringify(outcome)).not.toContain('Sensitive');
    expect(failureReason(outcome, 'en')).toBe('Dynamics 365 Sales (Dataverse) is temporarily unavailable. Try again in a few minutes.');
    expect(failureReason(outcome, 'nb')).toBe('Dynamics 365 Sales (i Dataverse) er midlertidig utilgjengelig. Prøv igjen om noen minutter.');
  });

  it('gives the HTTP status of a service error, and the code of an error it has no sentence for', () => {
    const rejected = failedOutcome(AT, new AppError('bad_request', 'x', { service: 'graph', status: 400 }));
    expect(failureReason(rejected, 'nb')).toBe('Microsoft Graph avviste forespørselen (HTTP 400).');
    const odd = failedOutcome(AT, new AppError('invalid_input', 'Some English detail.'));
    expect(odd.text).toEqual({ key: 'failUnknown', params: { code: 'invalid_input' } });
    expect(failureReason(odd, 'nb')).toBe(t('nb', 'failUnknown', { code: 'invalid_input' }));
  });

  it('names the permission to grant in the reader\'s language', () => {
    const outcome = failedOutcome(AT, new AppError('forbidden', 'English sentence', { service: 'graph', status: 403, grant: 'graph:User.ReadWrite.All' }));
    expect(outcome.grant).toBe('graph:User.ReadWrite.All');
    expect(failureReason(outcome, 'nb')).toBe(t('nb', 'forbiddenGraph', { permission: 'User.ReadWrite.All' }));
    expect(failureReason(outcome, 'en')).toBe(t('en', 'forbiddenGraph', { permission: 'User.ReadWrite.All' }));
  });

  it('of an unexpected error says so without its text', () => {
    const outcome = failedOutcome(AT, new TypeError('cannot read properties of undefined (secret stack)'));
    expect(outcome).toEqual({ status: 'failed', at: AT, code: 'internal', text: { key: 'failInternal' } });
    expect(failureReason(outcome, 'nb')).toBe(t('nb', 'failInternal'));
  });

  it('of a later step not attempted names the user, in either language', () => {
    const outcome = blockedOutcome(AT, UPN);
    expect(outcome.code).toBe('blocked');
    expect(failureReason(outcome, 'en')).toBe(`Not attempted: an earlier change for ${UPN} failed.`);
    expect(failureReason(outcome, 'nb')).toBe(`Ikke forsøkt: en tidligere endring for ${UPN} mislyktes.`);
  });

  it('is no larger in the journal than the English text it replaces (5,000-user runs)', () => {
    const legacy: ActionOutcome = { status: 'failed', at: AT, code: 'blocked', reason: `Not attempted: an earlier change for ${UPN} failed.` };
    expect(JSON.stringify(blockedOutcome(AT, UPN)).length).toBeLessThanOrEqual(JSON.stringify(legacy).length);
  });
});

describe('a journal written before outcomes were coded', () => {
  it('reads its stored text as it is, in either language', () => {
    const legacy: ActionOutcome = { status: 'failed', at: AT, code: 'blocked', reason: `Not attempted: an earlier change for ${UPN} failed.` };
    expect(failureReason(legacy as never, 'en')).toBe(legacy.reason);
    expect(failureReason(legacy as never, 'nb')).toBe(legacy.reason);
  });

  it('still gives a refusal that named a permission in the reader\'s language', () => {
    const legacy = { status: 'failed' as const, at: AT, code: 'forbidden', reason: 'Microsoft Graph refused to …', grant: 'graph:Organization.Read.All' as const };
    expect(failureReason(legacy, 'nb')).toBe(t('nb', 'forbiddenGraph', { permission: 'Organization.Read.All' }));
  });

  it('with neither text nor a known key says which code failed', () => {
    expect(failureReason({ code: 'conflict', text: { key: 'noSuchKeyAnyMore' } }, 'nb')).toBe(t('nb', 'failUnknown', { code: 'conflict' }));
    expect(failureReason({ code: 'conflict', text: { key: 'noSuchKeyAnyMore' }, reason: 'Old text.' }, 'en')).toBe('Old text.');
  });
});

describe('service errors the runner meets', () => {
  it('carry catalogue keys (Graph: no free seats), and the English message stays what it was', () => {
    const error = graphError(response('graph', 400, { error: { code: 'Request_BadRequest', message: 'License assignment failed because the subscription does not have any available licenses.' } }), { what: `assign the licence DYN365 to ${UPN}`, sku: 'DYN365_ENTERPRISE_SALES' });
    expect(error.code).toBe('license_no_free_seats');
    expect(error.message).toBe('The licence DYN365_ENTERPRISE_SALES has no free seats. Buy more seats or free one up in the Microsoft 365 admin center (Billing → Licenses), then try again.');
    expect(failureReason(failedOutcome(AT, error), 'nb')).toBe(t('nb', 'errNoFreeSeats', { sku: 'DYN365_ENTERPRISE_SALES' }));
    expect(userMessage(error, 'nb')).toBe(t('nb', 'errNoFreeSeats', { sku: 'DYN365_ENTERPRISE_SALES' }));
  });

  it('(Dataverse: the non-interactive limit, with and without the number)', () => {
    const withCount = dataverseError(response('dataverse', 400, { error: { code: '0x8004f0ff', message: 'The maximum number of non-interactive users (7) has been exceeded.' } }), { what: 'change the access mode' });
    expect(failureReason(failedOutcome(AT, withCount), 'nb')).toBe(t('nb', 'errNonInteractiveLimit', { count: '7' }));
    const without = dataverseError(response('dataverse', 400, { error: { code: '0x8004f0ff', message: 'Non-interactive user limit exceeded.' } }), { what: 'change the access mode' });
    expect(failureReason(failedOutcome(AT, without), 'en')).toBe(t('en', 'errNonInteractiveLimitUnknown'));
  });

  it('read in Norwegian by a generic sentence where the English one names what was being done', () => {
    const error = graphError(response('graph', 500, { error: { code: 'InternalServerError', message: 'boom' } }), { what: `read the user ${UPN}` });
    expect(userMessage(error, 'en')).toBe(`Microsoft Graph failed while trying to read the user ${UPN} (HTTP 500). Try again later.`);
    expect(userMessage(error, 'nb')).toBe('Microsoft Graph mislyktes (HTTP 500). Prøv igjen senere.');
  });
});

describe('the roles the administrator still lacks', () => {
  const held = [{ roleid: 'r-sa', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator }];

  it('are Microsoft\'s names in the reader\'s language when the environment\'s roles are not at hand', () => {
    const missing = missingAdminRoles([]);
    expect(missing).toEqual(['roleSystemAdministrator', 'roleSystemCustomizer', 'roleNonAdministrative']);
    const status = adminStatus({ upn: UPN, entra: { accountEnabled: true, salesLicensed: true }, salesUser: { systemuserid: 's', fullname: 'K', domainname: UPN, isdisabled: false, islicensed: true, accessmode: 0, roles: [] } });
    expect(detailText(status.details[0], 'nb')).toBe(`${UPN} mangler: systemansvarlig, systemtilpasser, en ikke-administrativ rolle.`);
    expect(detailText(status.details[0], 'en')).toBe(`${UPN} is missing: System Administrator, System Customizer, a non-administrative role.`);
  });

  it('are the environment\'s own names when it has the role', () => {
    const environment = [
      { roleid: 'r-sa', name: 'Systemansvarlig', roletemplateid: ROLE_TEMPLATES.systemAdministrator },
      { roleid: 'r-sc', name: 'Systemtilpasser', roletemplateid: ROLE_TEMPLATES.systemCustomizer },
    ];
    const status = adminStatus({
      upn: UPN,
      environmentRoles: environment,
      entra: { accountEnabled: true, salesLicensed: true },
      salesUser: { systemuserid: 's', fullname: 'K', domainname: UPN, isdisabled: false, islicensed: true, accessmode: 0, roles: held },
    });
    expect(detailText(status.details[0], 'nb')).toBe(`${UPN} mangler: Systemtilpasser, en ikke-administrativ rolle.`);
    expect(detailText(status.details[0], 'en')).toBe(`${UPN} is missing: Systemtilpasser, a non-administrative role.`);
  });
});

describe('outcomes a run gets without its step being tried', () => {
  it('a journal that could not be saved: the cause is kept as its code, and reads in either language', () => {
    const failure = storageFailure(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), "the run's progress");
    const outcome = unsavedOutcome(AT, failure);
    expect(outcome).toEqual({ status: 'failed', at: AT, code: 'storage_unavailable', text: { key: 'outcomeNotSaved', params: { storage: 'ENOSPC' } } });
    expect(JSON.stringify(outcome)).not.toMatch(/space|device/); // no English in the journal
    expect(failureReason(outcome, 'en')).toBe("Not done: could not save the run's progress: no space left on the storage device (ENOSPC). Retry failed once storage works again.");
    expect(failureReason(outcome, 'nb')).toContain('det er ikke mer plass på lagringsenheten (ENOSPC)');
    const http = unsavedOutcome(AT, storageFailure(Object.assign(new Error('blob'), { statusCode: 503 }), "the run's progress"));
    expect(failureReason(http, 'en')).toContain('the storage service answered HTTP 503');
    expect(failureReason(http, 'nb')).toContain('lagringstjenesten svarte HTTP 503');
  });

  it('a damaged run record: a key, no text', () => {
    const outcome = damagedOutcome(AT);
    expect(outcome).toEqual({ status: 'failed', at: AT, code: 'storage_damaged', text: { key: 'outcomeRecordDamaged' } });
    expect(failureReason(outcome, 'en')).toContain('could not be read (it was damaged and has been set aside)');
    expect(failureReason(outcome, 'nb')).toContain('kunne ikke leses');
  });

  it('a journal written before these were coded still reads as it was stored', () => {
    const old = { status: 'failed' as const, at: AT, code: 'storage_damaged', reason: 'The record of this run could not be read.' };
    expect(failureReason(old, 'nb')).toBe('The record of this run could not be read.');
  });
});
