import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStorage } from '../../src/storage/fileStorage';
import { RecordStore } from '../../src/storage/records';

// The module object itself (not an import namespace), so that its functions can be spied on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsp: typeof import('node:fs/promises') = require('node:fs/promises');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bc-filestorage-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const MARKER = 'do-not-log-this-content';

describe('FileStorage with a damaged record', () => {
  it.each([
    ['truncated JSON', `{"ids":["a","${MARKER}`],
    ['not JSON at all', `\u0000\u0000${MARKER}`],
    ['JSON that is not an object', `["${MARKER}"]`],
    ['null', 'null'],
  ])('%s: moved aside (kept), reported by key without its content, and read as absent', async (_what, text) => {
    const reports: unknown[] = [];
    const storage = new FileStorage(dir, { onDamaged: (d) => reports.push(d) });
    await storage.write({ 'run:1': { ok: true } });
    const file = path.join(dir, FileStorage.fileName('run:1'));
    writeFileSync(file, text);
    const checked = await storage.readChecked(['run:1']);
    expect(checked.items).toEqual({});
    expect(checked.damaged['run:1']?.raw).toBe(text);
    const aside = readdirSync(dir).filter((n) => n.startsWith(`${FileStorage.fileName('run:1')}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toBe(text);
    expect(reports).toEqual([{ key: 'run:1', movedTo: path.join(dir, aside[0]) }]);
    expect(JSON.stringify(reports)).not.toContain(MARKER);
    // Absent now: a create-only write succeeds, and reads see it.
    await new RecordStore(storage).create('run:1', { fresh: true });
    expect(await new RecordStore(storage).get('run:1')).toEqual({ fresh: true });
  });

  it('a registered repair takes the damaged record\'s place, written once', async () => {
    const storage = new FileStorage(dir);
    const records = new RecordStore(storage);
    const stored: unknown[] = [];
    records.repairDamaged('run:', async (key, damage) => ({ repaired: key, length: damage.raw.length }), (value) => stored.push(value));
    writeFileSync(path.join(dir, FileStorage.fileName('run:7')), '{"x":');
    expect(await records.get('run:7')).toEqual({ repaired: 'run:7', length: 5 });
    expect(await records.get('run:7')).toEqual({ repaired: 'run:7', length: 5 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored).toEqual([{ repaired: 'run:7', length: 5 }]);
  });
});

describe('FileStorage writes', () => {
  it('flush the temporary file before renaming it over the record', async () => {
    const order: string[] = [];
    const realOpen = fsp.open;
    jest.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await realOpen(...args);
      if (String(args[0]).endsWith('.tmp')) {
        const sync = handle.sync.bind(handle);
        handle.sync = async () => {
          order.push('sync');
          return sync();
        };
      }
      return handle;
    });
    const realRename = fsp.rename;
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      order.push('rename');
      return realRename(from, to);
    });
    await new FileStorage(dir).write({ a: { v: 1 } });
    expect(order).toEqual(['sync', 'rename']);
  });

  it('remove the temporary file when the write fails part-way (disk full), and keep the old record', async () => {
    const storage = new FileStorage(dir);
    await storage.write({ a: { v: 1 } });
    const realOpen = fsp.open;
    jest.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await realOpen(...args);
      if (String(args[0]).endsWith('.tmp')) {
        handle.writeFile = async () => {
          await fsp.appendFile(String(args[0]), '{"v":'); // half written, then the disk is full
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        };
      }
      return handle;
    });
    await expect(storage.write({ a: { v: 2 } })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    jest.restoreAllMocks();
    expect(await new RecordStore(storage).get('a')).toEqual({ v: 1 });
  });

  it('remove the temporary file when the rename fails', async () => {
    const storage = new FileStorage(dir);
    await storage.write({ a: { v: 1 } });
    jest.spyOn(fsp, 'rename').mockRejectedValue(Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }));
    await expect(storage.write({ a: { v: 2 } })).rejects.toMatchObject({ code: 'EIO' });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('remove temporary files a crashed process left behind (its pid gone, or this pid reused), not those of a live process', async () => {
    const name = FileStorage.fileName('a');
    const uuid = '0b6f1c1e-9a2b-4c3d-8e4f-5a6b7c8d9e0f';
    const dead = `${name}.999999.${uuid}.tmp`;
    const reused = `${name}.${process.pid}.${uuid}.tmp`;
    const live = `${name}.${process.ppid}.${uuid}.tmp`;
    for (const file of [dead, reused, live]) writeFileSync(path.join(dir, file), '{"half":');
    await new FileStorage(dir).write({ b: { v: 1 } });
    const left = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
    expect(left).toEqual([live]);
  });
});

describe('FileStorage eTag-guarded writes', () => {
  const read = async (storage: FileStorage, key: string) => (await storage.read([key]))[key] as { eTag: string; n: number } | undefined;

  it('accept the eTag just read and refuse a stale one, the record staying as the first writer left it', async () => {
    const storage = new FileStorage(dir);
    await storage.write({ 'run:1': { n: 1 } });
    const first = await read(storage, 'run:1');
    await storage.write({ 'run:1': { n: 2, eTag: first!.eTag } });
    await expect(storage.write({ 'run:1': { n: 3, eTag: first!.eTag } })).rejects.toThrow(/eTag conflict/);
    expect((await read(storage, 'run:1'))?.n).toBe(2);
  });

  it('check a record whose eTag is not its last member (written by another writer) by reading it whole', async () => {
    const storage = new FileStorage(dir);
    const file = path.join(dir, FileStorage.fileName('run:1'));
    await storage.write({ 'run:1': { n: 1 } });
    writeFileSync(file, JSON.stringify({ eTag: 'abc-1', n: 1, nested: { eTag: 'zzz' } }));
    await expect(storage.write({ 'run:1': { n: 2, eTag: 'zzz' } })).rejects.toThrow(/eTag conflict/);
    await storage.write({ 'run:1': { n: 2, eTag: 'abc-1' } });
    expect((await read(storage, 'run:1'))?.n).toBe(2);
  });

  it('set a damaged record aside on a guarded write too, and write the new one', async () => {
    const reports: unknown[] = [];
    const storage = new FileStorage(dir, { onDamaged: (d) => reports.push(d) });
    const file = path.join(dir, FileStorage.fileName('run:1'));
    await storage.write({ 'run:1': { n: 1 } });
    const { eTag } = (await read(storage, 'run:1'))!;
    writeFileSync(file, `{"n":1,"eTag":"${eTag}"`); // truncated: the eTag is not the record's last member
    await storage.write({ 'run:1': { n: 2, eTag } });
    expect(reports).toHaveLength(1);
    expect((await read(storage, 'run:1'))?.n).toBe(2);
  });
});

describe('RecordStore.update with the record as the caller last wrote it', () => {
  it('does not read the record again while nobody else wrote it, and reads it when somebody did', async () => {
    const storage = new FileStorage(dir);
    const records = new RecordStore(storage);
    await records.create('run:1', { outcomes: { a: 'done' } });
    const first = await records.update<{ outcomes: Record<string, string> }>('run:1', (r) => r && { outcomes: { ...r.outcomes, b: 'done' } });
    expect(first.eTag).toEqual(expect.any(String));
    const reads = jest.spyOn(storage, 'readChecked');
    const second = await records.update<{ outcomes: Record<string, string> }>('run:1', (r) => r && { outcomes: { ...r.outcomes, c: 'done' } }, undefined, { value: first.value!, eTag: first.eTag! });
    expect(reads).not.toHaveBeenCalled();
    expect(await records.get('run:1')).toEqual({ outcomes: { a: 'done', b: 'done', c: 'done' } });
    // Another writer (here: a second store on the same files) changes the record: the known value is stale.
    await new RecordStore(new FileStorage(dir)).update<{ outcomes: Record<string, string> }>('run:1', (r) => r && { outcomes: { ...r.outcomes, x: 'theirs' } });
    const third = await records.update<{ outcomes: Record<string, string> }>('run:1', (r) => r && { outcomes: { ...r.outcomes, d: 'done' } }, undefined, { value: second.value!, eTag: second.eTag! });
    expect(reads).toHaveBeenCalled();
    expect(third.value).toEqual({ outcomes: { a: 'done', b: 'done', c: 'done', x: 'theirs', d: 'done' } });
  });
});

describe('FileStorage writing a large record', () => {
  it('writes the JSON text of the record with its eTag last, members without a value left out, and reads it back', async () => {
    const storage = new FileStorage(dir);
    const journal: Record<string, unknown> = {};
    for (let i = 0; i < 1234; i++) journal[`assignLicense:sales${String(i).padStart(5, '0')}@contoso.no`] = i % 7 === 0 ? undefined : { status: i % 2 ? 'done' : 'failed', at: '2026-03-02T09:00:00.000Z', note: i % 3 ? undefined : 'already', text: { key: 'k', params: { user: 'Ola "O\'Brien" Ø' } } };
    const actions = Array.from({ length: 1201 }, (_, i) => (i === 5 ? undefined : { key: `k${i}`, type: 'createUser', target: { userPrincipalName: `u${i}@contoso.no` } }));
    const run = { id: 'r1', status: 'running', journal, actions, finishedAt: undefined, report: { conversationId: 'c' } };
    await storage.write({ 'run:r1': run });
    const raw = readFileSync(path.join(dir, FileStorage.fileName('run:r1')), 'utf8');
    const { eTag } = JSON.parse(raw) as { eTag: string };
    expect(raw).toBe(JSON.stringify({ ...run, eTag }));
    expect(await new RecordStore(storage).get('run:r1')).toEqual(JSON.parse(JSON.stringify(run)));
  });
});
