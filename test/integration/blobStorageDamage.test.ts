import { ContainerClient } from '@azure/storage-blob';
import { BlobStorage } from '../../src/storage/blobStorage';
import { RecordStore } from '../../src/storage/records';
import { startAzurite, type Azurite } from '../helpers/processes';

/** The blob storage heals as the file storage does, against Azurite (the Azure Storage emulator). */

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

const MARKER = 'content-that-must-not-be-logged';

it('a blob that does not parse is copied aside, removed, reported by key only, and reads as absent', async () => {
  const container = new ContainerClient(azurite.connectionString, 'damage');
  const reports: unknown[] = [];
  const storage = new BlobStorage(container, { onDamaged: (d) => reports.push(d) });
  const records = new RecordStore(storage);
  await records.put('runs:active', { ids: ['a'] });
  const name = BlobStorage.blobName('runs:active');
  const torn = `{"ids":["a","${MARKER}`;
  await container.getBlockBlobClient(name).upload(torn, Buffer.byteLength(torn));

  const checked = await storage.readChecked(['runs:active']);
  expect(checked.items).toEqual({});
  expect(checked.damaged['runs:active']?.raw).toBe(torn);
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  const aside = names.filter((n) => n.startsWith(`${name}.corrupt-`));
  expect(aside).toHaveLength(1);
  expect(names).not.toContain(name);
  expect((await container.getBlobClient(aside[0]).downloadToBuffer()).toString()).toBe(torn);
  expect(reports).toEqual([{ key: 'runs:active', movedTo: aside[0] }]);
  expect(JSON.stringify(reports)).not.toContain(MARKER);
  // Absent: a create-only write succeeds.
  expect(await records.create('runs:active', { ids: [] })).toBe(true);
  expect(await records.get('runs:active')).toEqual({ ids: [] });
}, 60_000);
