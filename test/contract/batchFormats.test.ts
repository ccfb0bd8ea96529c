import { AppError } from '../../src/errors';
import { SalesClient } from '../../src/provisioning/clients';
import { buildBatchRequest, parseBatchResponse } from '../../src/provisioning/clients/dataverse/batch';
import { HttpPolicy } from '../../src/provisioning/http/policy';
import { planBatchChunks, type GraphBatchItem } from '../../src/provisioning/clients/graph/batch';

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

/**
 * Transcribed from Learn "Execute batch operations using the Web API" (Dataverse), section
 * "Handling errors" (powerapps-docs: developer/data-platform/webapi/execute-batch-operations-using-web-api.md):
 * three task creates, the first with a subject that is too long. Without
 * `Prefer: odata.continue-on-error` the batch answers 400 with the first failure; with it, 200 and
 * every result. The responses are as published (the headers Learn shows, without a Content-Type).
 */
const LEARN_STOPPED = [
  '--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  'HTTP/1.1 400 Bad Request',
  'REQ_ID: 5ecd1cb3-1730-4ffc-909c-d44c22270026',
  'Content-Type: application/json; odata.metadata=minimal',
  'OData-Version: 4.0',
  '',
  `{"error":{"code":"0x80044331","message":"A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'."}}`,
  '--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a--',
  '',
].join('\r\n');

const LEARN_CONTINUED = [
  '--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  'HTTP/1.1 400 Bad Request',
  'REQ_ID: de4c5227-4a28-4ebd-8ced-3392ece1697b',
  'Content-Type: application/json; odata.metadata=minimal',
  'OData-Version: 4.0',
  '',
  `{"error":{"code":"0x80044331","message":"A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'."}}`,
  '--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  'HTTP/1.1 204 No Content',
  'OData-Version: 4.0',
  'Location: https://contoso.crm4.dynamics.com/api/data/v9.2/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)',
  'OData-EntityId: https://contoso.crm4.dynamics.com/api/data/v9.2/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)',
  '',
  '',
  '--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  'HTTP/1.1 204 No Content',
  'OData-Version: 4.0',
  'Location: https://contoso.crm4.dynamics.com/api/data/v9.2/tasks(b181a991-3c94-ed11-aad1-000d3a9933c9)',
  'OData-EntityId: https://contoso.crm4.dynamics.com/api/data/v9.2/tasks(b181a991-3c94-ed11-aad1-000d3a9933c9)',
  '',
  '',
  '--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139--',
  '',
].join('\r\n');

/** A SalesClient whose every request is answered by `answer` (no network). */
function clientAnswering(answer: { status: number; text: string; headers?: Record<string, string> }) {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  const policy = new HttpPolicy({
    service: 'dataverse',
    tokens: { getToken: async () => 'token' },
    scope: 'https://contoso.crm4.dynamics.com/.default',
    retry: { maxAttempts: 1 },
    fetch: (async (url: string, init: RequestInit) => {
      sent.push({ url: String(url), headers: init.headers as Record<string, string> });
      return new Response(answer.text, { status: answer.status, headers: { 'OData-Version': '4.0', ...answer.headers } });
    }) as unknown as typeof fetch,
  });
  return { sales: new SalesClient({ orgUrl: 'https://contoso.crm4.dynamics.com', policy }), sent };
}

const TASKS = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    method: 'POST' as const,
    url: 'tasks',
    body: { subject: `Task ${i + 1} in batch`, 'regardingobjectid_account_task@odata.bind': 'accounts(00000000-0000-0000-0000-000000000001)' },
  }));

describe('Dataverse $batch errors as Learn documents them', () => {
  it('parses the 400 answer of a batch that stopped at its first failure', () => {
    expect(parseBatchResponse(LEARN_STOPPED, undefined)).toEqual([
      {
        kind: 'single',
        part: expect.objectContaining({ status: 400, statusText: 'Bad Request', body: expect.stringContaining('"code":"0x80044331"') }),
      },
    ]);
  });

  it('gives the failed operation its own error from a 400 batch, and the ones after it "not run"', async () => {
    const { sales } = clientAnswering({ status: 400, text: LEARN_STOPPED });
    // Sent as a change set, so the client does not ask to continue on error.
    const results = await sales.batch(TASKS(3), { changeSet: true });
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.status).toBe(400);
      // The part's own error: its code (the service's message stays out of user-facing text).
      expect(r.error).toMatchObject({ code: 'bad_request', status: 400, serviceCode: '0x80044331' });
      expect(r.error!.message).toContain('nothing in the set was applied');
      expect(String((r.error as { cause?: unknown }).cause)).toContain("exceeded the maximum allowed length of '200'");
    }
    const { sales: independent } = clientAnswering({ status: 400, text: LEARN_STOPPED });
    const alone = await independent.batch(TASKS(3));
    expect(alone[0].error).toMatchObject({ serviceCode: '0x80044331' });
    expect(alone[1].error!.message).toMatch(/did not run .* the batch stopped at an earlier step that failed/);
    expect(alone[2].status).toBe(0);
  });

  it('reads every result of a 200 batch sent with odata.continue-on-error', async () => {
    const { sales, sent } = clientAnswering({ status: 200, text: LEARN_CONTINUED, headers: { 'Content-Type': 'multipart/mixed; boundary=batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139' } });
    const results = await sales.batch(TASKS(3));
    expect(results.map((r) => r.status)).toEqual([400, 204, 204]);
    expect(results[0].error).toMatchObject({ serviceCode: '0x80044331' });
    expect(results[1].error).toBeUndefined();
    expect(results[1].headers['odata-entityid']).toContain('tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)');
    expect(sent[0].headers.prefer).toBe('odata.continue-on-error');
  });

  it('still fails the whole batch when the 400 is the batch refused (a JSON error, not multipart)', async () => {
    const { sales } = clientAnswering({ status: 400, text: '{"error":{"code":"0x80060888","message":"The $batch request must have a boundary."}}', headers: { 'Content-Type': 'application/json' } });
    await expect(sales.batch(TASKS(1))).rejects.toMatchObject({ serviceCode: '0x80060888' });
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
