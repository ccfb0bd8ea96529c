import { AppError } from '../../src/errors';
import { buildBatchRequest, parseBatchResponse } from '../../src/provisioning/clients/dataverseBatch';
import { planBatchChunks, type GraphBatchItem } from '../../src/provisioning/clients/graphBatch';

const root = 'https://contoso.crm4.dynamics.com/api/data/v9.2';

describe('Dataverse $batch multipart', () => {
  it('builds independent parts', () => {
    const { body, contentType } = buildBatchRequest(
      [
        { method: 'GET', url: 'WhoAmI' },
        { method: 'PATCH', url: 'systemusers(00000000-0000-0000-0000-000000000001)', body: { accessmode: 4 } },
      ],
      { apiRoot: root, changeSet: false, boundary: 'batch_1' },
    );
    expect(contentType).toBe('multipart/mixed; boundary=batch_1');
    expect(body).toBe(
      [
        '--batch_1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `GET ${root}/WhoAmI HTTP/1.1`,
        'Accept: application/json',
        '',
        '',
        '--batch_1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `PATCH ${root}/systemusers(00000000-0000-0000-0000-000000000001) HTTP/1.1`,
        'Content-Type: application/json; type=entry',
        'Accept: application/json',
        '',
        '{"accessmode":4}',
        '--batch_1--',
        '',
      ].join('\r\n'),
    );
  });

  it('builds a change set with Content-IDs', () => {
    const { body } = buildBatchRequest(
      [
        { method: 'POST', url: 'systemusers(1)/systemuserroles_association/$ref', body: { '@odata.id': `${root}/roles(2)` } },
        { method: 'POST', url: 'systemusers(1)/systemuserroles_association/$ref', body: { '@odata.id': `${root}/roles(3)` }, contentId: 'b' },
      ],
      { apiRoot: root, changeSet: true, boundary: 'batch_1', changeSetBoundary: 'changeset_1' },
    );
    expect(body).toContain('--batch_1\r\nContent-Type: multipart/mixed; boundary=changeset_1\r\n\r\n--changeset_1\r\n');
    expect(body).toContain('Content-ID: 1\r\n');
    expect(body).toContain('Content-ID: b\r\n');
    expect(body.endsWith('--changeset_1--\r\n--batch_1--\r\n')).toBe(true);
  });

  it('parses a response with a change set and single parts', () => {
    const text = [
      '--batchresponse_a',
      'Content-Type: multipart/mixed; boundary=changesetresponse_b',
      '',
      '--changesetresponse_b',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-Version: 4.0',
      '',
      '',
      '--changesetresponse_b',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 2',
      '',
      'HTTP/1.1 204 No Content',
      '',
      '',
      '--changesetresponse_b--',
      '--batchresponse_a',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; odata.metadata=minimal',
      '',
      '{"UserId":"u"}',
      '--batchresponse_a--',
      '',
    ].join('\r\n');
    const entries = parseBatchResponse(text, 'multipart/mixed; boundary=batchresponse_a');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      kind: 'changeset',
      parts: [
        { contentId: '1', status: 204, statusText: 'No Content', headers: { 'odata-version': '4.0' }, body: '' },
        { contentId: '2', status: 204, statusText: 'No Content', headers: {}, body: '' },
      ],
    });
    expect(entries[1]).toMatchObject({ kind: 'single', part: { status: 200, body: '{"UserId":"u"}' } });
  });

  it('parses a failed change set answered by one part', () => {
    const text = [
      '--batchresponse_a',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 400 Bad Request',
      'Content-Type: application/json',
      '',
      '{"error":{"code":"0x80060888","message":"x"}}',
      '--batchresponse_a--',
    ].join('\n');
    const entries = parseBatchResponse(text, 'multipart/mixed; boundary="batchresponse_a"');
    expect(entries).toEqual([
      { kind: 'single', part: { contentId: undefined, status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"0x80060888","message":"x"}}' } },
    ]);
  });
});

describe('Graph $batch planning', () => {
  const item = (id: string, dependsOn?: string[]): GraphBatchItem => ({ id, method: 'GET', url: `/users/${id}`, dependsOn });

  it('packs at most 20 per envelope and keeps dependency chains together', () => {
    const items = [...Array.from({ length: 19 }, (_, i) => item(`a${i}`)), item('x'), item('y', ['x']), item('z', ['y'])];
    const chunks = planBatchChunks(items);
    expect(chunks.every((c) => c.length <= 20)).toBe(true);
    const withX = chunks.find((c) => c.some((i) => i.id === 'x'))!;
    // Graph takes an envelope fully parallel or fully sequential: the chain travels alone, in order.
    expect(withX.map((i) => i.id)).toEqual(['x', 'y', 'z']);
    expect(chunks.filter((c) => c !== withX).every((c) => c.every((i) => !i.dependsOn?.length))).toBe(true);
    expect(chunks.flat()).toHaveLength(items.length);
  });

  it('orders a chain by its dependencies whatever the order it was given in', () => {
    const chunks = planBatchChunks([item('c', ['b']), item('free'), item('b', ['a']), item('a')]);
    expect(chunks.map((c) => c.map((i) => i.id))).toEqual([['free'], ['a', 'b', 'c']]);
  });

  it('refuses what no fully sequential envelope can carry: two dependencies, two followers, a cycle', () => {
    expect(() => planBatchChunks([item('a'), item('b'), item('c', ['a', 'b'])])).toThrow(/depend on one/);
    expect(() => planBatchChunks([item('a'), item('b', ['a']), item('c', ['a'])])).toThrow(/one follower/);
    expect(() => planBatchChunks([item('a', ['b']), item('b', ['a'])])).toThrow(/cycle/);
  });

  it('refuses duplicate ids, unknown dependencies and over-long chains', () => {
    expect(() => planBatchChunks([item('a'), item('a')])).toThrow(AppError);
    expect(() => planBatchChunks([item('a', ['b'])])).toThrow(/not in the batch/);
    const chain = Array.from({ length: 21 }, (_, i) => item(`c${i}`, i > 0 ? [`c${i - 1}`] : undefined));
    expect(() => planBatchChunks(chain)).toThrow(/longer than/);
  });
});
