import { compareSnapshots, MAX_SUBJECTS, nextBaseline, type WatchRow, type WatchSnapshot } from '../../src/watch/compare';
import { nextRunAfter, tickMs } from '../../src/watch/schedule';

/** The watch's compare: only changes for the worse are drift; a check that could not be read is not news. */

const snap = (...rows: WatchRow[]): WatchSnapshot => ({ rows });
const pass = (id: string): WatchRow => ({ id, state: 'pass' });
const fail = (id: string, subjects?: string[]): WatchRow => ({ id, state: 'fail', count: subjects?.length, subjects });
const unknown = (id: string): WatchRow => ({ id, state: 'unknown' });

describe('compareSnapshots', () => {
  it('finds nothing when nothing changed, failing rows included', () => {
    const same = snap(pass('admin.roles'), fail('salespeople.noAccount', ['SP1', 'SP2']));
    expect(compareSnapshots(same, same)).toEqual([]);
  });

  it('a check that passed and now fails', () => {
    expect(compareSnapshots(snap(pass('admin.roles')), snap(fail('admin.roles')))).toEqual([{ id: 'admin.roles', kind: 'nowFails', added: [] }]);
  });

  it('a failing row that was not there before, or could not be read', () => {
    expect(compareSnapshots(snap(), snap(fail('couplings.missing', ['SP9'])))).toEqual([{ id: 'couplings.missing', kind: 'newFailing', after: 1, added: ['SP9'] }]);
    expect(compareSnapshots(snap(unknown('couplings.missing')), snap(fail('couplings.missing', ['SP9'])))[0].kind).toBe('newFailing');
  });

  it('a count that grew, naming who is new', () => {
    const drift = compareSnapshots(snap(fail('salespeople.noAccount', ['SP1'])), snap(fail('salespeople.noAccount', ['SP1', 'SP7'])));
    expect(drift).toEqual([{ id: 'salespeople.noAccount', kind: 'grew', before: 1, after: 2, added: ['SP7'] }]);
  });

  it('someone new even though the count stayed (one fixed, one new)', () => {
    const drift = compareSnapshots(snap(fail('salespeople.noAccount', ['SP1'])), snap(fail('salespeople.noAccount', ['SP2'])));
    expect(drift).toEqual([{ id: 'salespeople.noAccount', kind: 'newSubjects', before: 1, after: 1, added: ['SP2'] }]);
  });

  it('improvements, a row fixed and a row that cannot be read are not drift', () => {
    const before = snap(fail('admin.roles'), fail('salespeople.noAccount', ['SP1', 'SP2']), pass('integration.user'));
    const after = snap(pass('admin.roles'), fail('salespeople.noAccount', ['SP2']), unknown('integration.user'));
    expect(compareSnapshots(before, after)).toEqual([]);
  });

  it('reports several rows in the current order', () => {
    const drift = compareSnapshots(snap(pass('a'), pass('b')), snap(fail('b'), fail('a')));
    expect(drift.map((d) => d.id)).toEqual(['b', 'a']);
  });

  it('a count that grew without subjects (a check that only counts)', () => {
    const drift = compareSnapshots(snap({ id: 'n', state: 'fail', count: 7 }), snap({ id: 'n', state: 'fail', count: 8 }));
    expect(drift).toEqual([{ id: 'n', kind: 'grew', before: 7, after: 8, added: [] }]);
  });
});

describe('nextBaseline', () => {
  it('a row that could not be read keeps what it was, so its return is not news', () => {
    const first = snap(fail('admin.roles'), pass('integration.user'));
    const down = nextBaseline(first, snap(unknown('admin.roles'), pass('integration.user')));
    expect(down).toEqual(first);
    expect(compareSnapshots(down, snap(fail('admin.roles'), pass('integration.user')))).toEqual([]);
  });

  it('keeps at most MAX_SUBJECTS, sorted, and then names nobody as new beyond them', () => {
    const many = Array.from({ length: MAX_SUBJECTS + 5 }, (_, i) => `SP${String(i).padStart(4, '0')}`).reverse();
    const kept = nextBaseline(snap(), snap(fail('s', many)));
    expect(kept.rows[0].subjects).toHaveLength(MAX_SUBJECTS);
    expect(kept.rows[0].subjects![0]).toBe('SP0000');
    expect(kept.rows[0].count).toBe(MAX_SUBJECTS + 5);
    const drift = compareSnapshots(kept, snap({ id: 's', state: 'fail', count: MAX_SUBJECTS + 6, subjects: [...many, 'SPNEW'] }));
    expect(drift).toEqual([{ id: 's', kind: 'grew', before: MAX_SUBJECTS + 5, after: MAX_SUBJECTS + 6, added: [] }]);
  });
});

describe('the schedule', () => {
  const on = Date.parse('2026-03-02T09:14:00Z');
  const day = 24 * 3600_000;

  it('runs every interval from the moment the watch was turned on; a missed run is not repeated', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(iso(nextRunAfter(on, day, on))).toBe('2026-03-03T09:14:00.000Z');
    expect(iso(nextRunAfter(on, day, on + day - 1))).toBe('2026-03-03T09:14:00.000Z');
    expect(iso(nextRunAfter(on, day, on + day))).toBe('2026-03-04T09:14:00.000Z');
    // Down for three days: the next run is the next scheduled time, not three runs at once.
    expect(iso(nextRunAfter(on, day, on + 3 * day + 5))).toBe('2026-03-06T09:14:00.000Z');
    expect(iso(nextRunAfter(on, day, on - 1000))).toBe('2026-03-03T09:14:00.000Z');
    expect(() => nextRunAfter(on, 0, on)).toThrow(RangeError);
  });

  it('looks for due runs every minute for a daily watch, every 10 s for a one-minute one', () => {
    expect(tickMs(day)).toBe(60_000);
    expect(tickMs(60_000)).toBe(10_000);
    expect(tickMs(1_000)).toBe(5_000);
  });
});
