import { AppError, errorText, renderErrorText } from '../../errors';
import { strings, t, type Locale, type StringKey } from '../../i18n';
import type { ActionOutcome } from '../../setup/plan';
import { GRANTS, grantMessage } from '../../permissions';
import { storageCauseCode, storageCauseIn } from '../../storage/damage';

/**
 * Every outcome of a run's actions is built here: done, failed, blocked, and the two a run gets
 * without its actions being tried (its journal could not be saved; its record was damaged).
 *
 * A failed step's outcome as the journal stores it: a code and a catalogue key with parameters,
 * rendered in the reader's language when a card is built (never the service's own text, which
 * stays in the log). Parameters are user names, role names and numbers only, so a 5,000-user
 * journal stays as small as its English text was.
 */

export type FailedOutcome = Extract<ActionOutcome, { status: 'failed' }>;

type DoneOutcome = Extract<ActionOutcome, { status: 'done' }>;

/** A step that is as the plan wants it; `already`: nothing had to be changed. */
export function doneOutcome(at: string, already = false): DoneOutcome {
  return { status: 'done', at, note: already ? 'already' : undefined };
}

/** A failed outcome for `error` at `at`. */
export function failedOutcome(at: string, error: unknown): FailedOutcome {
  const code = error instanceof AppError ? error.code : 'internal';
  const grant = error instanceof AppError ? error.grant : undefined;
  const { key, vars } = errorText(error);
  return { status: 'failed', at, code, text: { key, ...(Object.keys(vars).length ? { params: vars } : {}) }, ...(grant ? { grant } : {}) };
}

/** A later step for a user whose earlier step failed: not attempted. */
export function blockedOutcome(at: string, userPrincipalName: string): FailedOutcome {
  return { status: 'failed', at, code: 'blocked', text: { key: 'outcomeBlocked', params: { user: userPrincipalName } } };
}

/** A step not done because the run's journal could not be saved (`failure` says why). */
export function unsavedOutcome(at: string, failure: AppError): FailedOutcome {
  return { status: 'failed', at, code: failure.code, text: { key: 'outcomeNotSaved', params: { storage: storageCauseCode(failure.cause) } } };
}

/** A step of a run whose record was damaged and set aside: whether it was made is not known. */
export function damagedOutcome(at: string): FailedOutcome {
  return { status: 'failed', at, code: 'storage_damaged', text: { key: 'outcomeRecordDamaged' } };
}

/**
 * Why a step failed, in `locale`: the permission to grant when the refusal named one, the stored
 * key with its parameters, or (a journal written before outcomes were coded) its stored text.
 */
export function failureReason(outcome: Pick<FailedOutcome, 'code' | 'text' | 'reason' | 'grant'>, locale: Locale): string {
  if (outcome.grant && outcome.grant in GRANTS) {
    const { key, vars } = grantMessage(outcome.grant);
    return t(locale, key, vars);
  }
  const text = outcome.text;
  if (text && text.key in strings(locale)) {
    // A storage cause is kept as its code and put in words here.
    const params = text.params && 'storage' in text.params ? { ...text.params, cause: storageCauseIn(locale, text.params.storage) } : text.params;
    return renderErrorText(locale, text.key as StringKey, params);
  }
  if (typeof outcome.reason === 'string' && outcome.reason.trim() !== '') return outcome.reason;
  return t(locale, 'failUnknown', { code: outcome.code });
}
