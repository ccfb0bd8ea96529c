import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { AuditLog, FOLD_WINDOW_MS, MAX_FOLDS_PER_MINUTE, type AuditRecord, type RefusalEntry } from '../../src/approvals/audit';
import { auditCsv, auditCsvHeader } from '../../src/approvals/auditCsv';
import { FileStorage } from '../../src/storage/fileStorage';
import { RecordStore } from '../../src/storage/records';

/** The audit trail on the bot's file storage: own keys, order, folded refusals with exact counts. */

let dir: string;
let records: RecordStore;
let time: number;
const clock = () => new Date(time);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'audit-test-'));
  records = new RecordStore(new FileStorage(dir));
  time = Date.parse('2026-03-02T09:00:00.000Z');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (actor: string, reason = 'not an admin', conversationId = 'a:chat'): RefusalEntry => ({
  event: 'access.refused',
  actor: { aadObjectId: `${actor}-id`, name: actor },
  subject: 'status',
  conversationId,
  outcome: reason,
});
const sum = (list: AuditRecord[]) => list.reduce((n, r) => n + (r.count ?? 1), 0);

describe('records with their own keys', () => {
  it('300 parallel appends keep every record, with a distinct id each, in time order', async () => {
    const audit = new AuditLog(records, clock);
    await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        time += 1;
        await audit.append({ event: 'plan.requested', planId: `p${i}` });
      }),
    );
    const all = await audit.all();
    expect(all).toHaveLength(300);
    expect(new Set(all.map((r) => r.id)).size).toBe(300);
    expect(all.map((r) => r.planId)).toEqual(Array.from({ length: 300 }, (_, i) => `p${i}`));
    expect((await audit.latest(3)).map((r) => r.planId)).toEqual(['p299', 'p298', 'p297']);
  });

  it('appendMany keeps its order, also within one millisecond', async () => {
    const audit = new AuditLog(records, clock);
    await audit.append({ event: 'plan.approved', planId: 'p' });
    await audit.appendMany(Array.from({ length: 120 }, (_, i) => ({ event: 'action.done' as const, planId: 'p', subject: `a${i}` })));
    await audit.append({ event: 'run.completed', planId: 'p' });
    const subjects = (await audit.all()).map((r) => r.subject ?? r.event);
    expect(subjects).toEqual(['plan.approved', ...Array.from({ length: 120 }, (_, i) => `a${i}`), 'run.completed']);
  });

  it('reads the earlier numbered trail first, in its order', async () => {
    await records.put('audit:seq', { seq: 2 });
    await records.put('audit:0000000001', { seq: 1, at: '2025-01-01T00:00:00.000Z', event: 'plan.requested', planId: 'old1' });
    await records.put('audit:0000000002', { seq: 2, at: '2025-01-01T00:00:01.000Z', event: 'plan.approved', planId: 'old2' });
    const audit = new AuditLog(records, clock);
    await audit.append({ event: 'plan.requested', planId: 'new' });
    expect((await audit.all()).map((r) => [r.id.startsWith('seq-') ? r.id : 'new', r.planId])).toEqual([
      ['seq-1', 'old1'],
      ['seq-2', 'old2'],
      ['new', 'new'],
    ]);
    expect((await audit.latest(2)).map((r) => r.planId)).toEqual(['new', 'old2']);
  });
});

describe('refusals', () => {
  it('300 parallel refusals through two instances on one store: one record per person and reason, counts exact', async () => {
    const one = new AuditLog(records, clock);
    const two = new AuditLog(records, clock);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        time += 7; // all within the minute
        return (i % 2 === 0 ? one : two).refusal(refusal(i % 3 === 0 ? 'Øystein' : 'Silje'));
      }),
    );
    const all = await one.all();
    expect(all.map((r) => [r.actor?.name, r.count]).sort()).toEqual([
      ['Silje', 200],
      ['Øystein', 100],
    ]);
    expect(all.every((r) => r.at < r.lastAt!)).toBe(true);
  });

  it('fold per actor, conversation, subject and reason, for one minute', async () => {
    const audit = new AuditLog(records, clock);
    await audit.refusal(refusal('Silje'));
    await audit.refusal(refusal('Silje'));
    await audit.refusal(refusal('Silje', 'other tenant'));
    await audit.refusal(refusal('Silje', 'not an admin', 'a:other'));
    await audit.refusal({ ...refusal('Silje'), subject: 'help' });
    time += FOLD_WINDOW_MS; // the next minute: a new record
    await audit.refusal(refusal('Silje'));
    expect((await audit.all()).map((r) => [r.conversationId, r.subject, r.outcome, r.count])).toEqual([
      ['a:chat', 'status', 'not an admin', 2],
      ['a:chat', 'status', 'other tenant', 1],
      ['a:other', 'status', 'not an admin', 1],
      ['a:chat', 'help', 'not an admin', 1],
      ['a:chat', 'status', 'not an admin', 1],
    ]);
  });

  it(`a flood of distinct refusals stops making records after ${MAX_FOLDS_PER_MINUTE} a minute, and still counts every one`, async () => {
    const audit = new AuditLog(records, clock);
    await Promise.all(Array.from({ length: 400 }, (_, i) => audit.refusal(refusal(`forged-${i}`, i % 2 === 0 ? 'not an admin' : 'access check failed'))));
    const all = await audit.all();
    expect(sum(all)).toBe(400);
    const limited = all.filter((r) => r.subject === '(rate limited)');
    expect(all.length).toBe(MAX_FOLDS_PER_MINUTE + limited.length);
    expect(limited.map((r) => r.outcome).sort()).toEqual(['access check failed', 'not an admin']);
    expect(limited.every((r) => r.actor === undefined)).toBe(true);
    // The next minute starts afresh.
    time += FOLD_WINDOW_MS;
    await audit.refusal(refusal('forged-1'));
    expect((await audit.latest(1))[0]).toMatchObject({ actor: { name: 'forged-1' }, count: 1 });
  });

  it('a write that fails rejects the refusals it carried; later ones are written', async () => {
    const audit = new AuditLog(records, clock);
    const update = records.update.bind(records);
    const spy = jest.spyOn(records, 'update').mockImplementationOnce(async () => {
      throw new Error('disk full');
    });
    await expect(audit.refusal(refusal('Silje'))).rejects.toThrow('disk full');
    spy.mockImplementation(update);
    await audit.refusal(refusal('Silje'));
    expect((await audit.all()).map((r) => r.count)).toEqual([1]);
  });
});

describe('the CSV export', () => {
  it('lists the trail in order with its place, counts and ids, formulas neutralised', async () => {
    const audit = new AuditLog(records, clock);
    await audit.append({ event: 'plan.requested', actor: { name: '=HYPERLINK("x")' }, planId: 'p' });
    time += 1000;
    await audit.refusal(refusal('Silje'));
    await audit.refusal(refusal('Silje'));
    const all = await audit.all();
    const rows = parse(auditCsv(all).replace(/^\uFEFF/, ''), { relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual(['Seq', 'Time (UTC)', 'Event', 'Actor', 'Actor object id', 'Plan', 'Plan digest', 'Conversation', 'Subject', 'Outcome', 'Count', 'Last time (UTC)', 'Record id']);
    expect(auditCsvHeader('nb')).toEqual(['Nr.', 'Tidspunkt (UTC)', 'Hendelse', 'Utført av', 'Objekt-ID for utførende', 'Plan', 'Plansammendrag', 'Samtale', 'Gjelder', 'Utfall', 'Antall', 'Sist (UTC)', 'Post-ID']);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[3], r[10], r[12]])).toEqual([
      ['1', 'plan.requested', `'=HYPERLINK("x")`, '1', all[0].id],
      ['2', 'access.refused', 'Silje', '2', all[1].id],
    ]);
  });

  it("names its columns and catalogued outcomes in the reader's language", async () => {
    const audit = new AuditLog(records, clock);
    await audit.append({ event: 'run.completed', planId: 'p', outcome: 'failed', outcomeKey: 'auditOutcomeFailed' });
    await audit.append({ event: 'plan.retried', planId: 'p', outcome: 'retry 2 of 5', outcomeKey: 'auditOutcomeRetry', outcomeVars: { round: 2, max: 5 } });
    const all = await audit.all();
    const nb = parse(auditCsv(all, 'nb').replace(/^\uFEFF/, ''), { relax_column_count: false }) as string[][];
    expect(nb[0][9]).toBe('Utfall');
    expect(nb.slice(1).map((r) => r[9])).toEqual(['mislyktes', 'nytt forsøk 2 av 5']);
    const en = parse(auditCsv(all, 'en').replace(/^\uFEFF/, ''), { relax_column_count: false }) as string[][];
    expect(en.slice(1).map((r) => r[9])).toEqual(['failed', 'retry 2 of 5']);
  });
});
