import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SEED } from '../../src/sandbox';
import { ADMIN_CENTER_HEADER } from '../../src/setup/csvFormat';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText, type TeamsConversation } from '../helpers/teams';
import { action, actionsOf, findById, inputValues } from '../helpers/cards';
import { approveAndWait, rawTenantState, startSetup } from '../helpers/flows';
import { graph } from '../helpers/tenant';
import { acceptFile, sendFile, startFileHost, type FileHost } from '../helpers/salespeopleFiles';

let h: Harness;
let files: FileHost;
beforeAll(async () => {
  h = await startHarness();
  files = await startFileHost();
});
afterAll(async () => {
  await files.close();
  await h.close();
});

async function reset(seed: Record<string, number> = {}) {
  await fetch(`${h.sandbox.url}/_sandbox/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed, settings: { syncDelayMs: 100, licensePropagationMs: 100 } }),
  });
  h.connector.clear();
  files.uploads.clear();
}

async function openPart3(chat: TeamsConversation) {
  await startSetup(h, chat);
  await chat.say(ADMIN, 'salespeople');
  return { card: h.connector.cards().at(-1)!, cardActivityId: h.connector.activities.at(-1)!.activityId! };
}

const HEADER = ADMIN_CENTER_HEADER.join(',');
const FILE_CONSENT = 'application/vnd.microsoft.teams.card.file.consent';

describe('Part 3: the admin center file, out', () => {
  it('offers one file per 249 users in personal chat; uploaded, it parses back to the exact header with safe cells', async () => {
    await reset({ syntheticSalespeople: 600 });
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(chat);
    h.connector.clear();
    const exported = await chat.execute(ADMIN, 'salespeople.export', { ...inputValues(card), ...action(card, 'salespeople.export').data }, cardActivityId);
    const text = cardText(exported.body.value);
    expect(text).toContain('salespeople-NO-1.csv: 249 users, Norway');
    expect(text).toContain('salespeople-NO-2.csv: 249 users, Norway');
    expect(text).toContain('salespeople-NO-3.csv: 106 users, Norway'); // 600 synthetic + 4 seeded without an account
    expect(text).toContain('5 selected salespeople already have an account, so they are not in the files.');

    const consents = h.connector.activities.flatMap((a) => a.activity.attachments ?? []).filter((a: any) => a.contentType === FILE_CONSENT);
    expect(consents.map((c: any) => c.name)).toEqual(['salespeople-NO-1.csv', 'salespeople-NO-2.csv', 'salespeople-NO-3.csv']);
    const rows: string[][] = [];
    for (const consent of consents) {
      expect((await acceptFile(chat, ADMIN, consent, files)).status).toBe(200);
      const bytes = files.uploads.get(consent.name)!;
      expect(bytes.length).toBe(consent.content.sizeInBytes);
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8, marked for Excel
      const records = parse(bytes.toString('utf8'), { bom: true, relax_column_count: false }) as string[][];
      expect(records[0].join(',')).toBe(HEADER);
      expect(records.length - 1).toBeLessThanOrEqual(249);
      rows.push(...records.slice(1));
    }
    expect(rows).toHaveLength(604);
    expect(new Set(rows.map((r) => r[15]))).toEqual(new Set(['Norway']));
    const ola = rows.find((r) => r[0] === "ola.o'brien@contoso.no")!;
    expect(ola.slice(0, 4)).toEqual(["ola.o'brien@contoso.no", 'Ola', "O'Brien", "Ola O'Brien"]);
    expect(ola[7]).toBe("'+47 51 00 40 16"); // a cell starting with + is shown as text by spreadsheets
    expect(rows.find((r) => r[0] === 'bjorn.jakobsen@contoso.no')![3]).toBe('Bjørn Jakobsen');
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // Each accepted file was announced with a file card.
    const infos = h.connector.activities.flatMap((a) => a.activity.attachments ?? []).filter((a: any) => a.contentType === 'application/vnd.microsoft.teams.card.file.info');
    expect(infos.map((i: any) => i.name)).toEqual(['salespeople-NO-1.csv', 'salespeople-NO-2.csv', 'salespeople-NO-3.csv']);

    // The same content as text, part by part, for where files cannot be received.
    let part = 0;
    const texts: string[] = [];
    for (;;) {
      const response = await chat.execute(ADMIN, 'salespeople.csvText', { exportId: exportIdOf(exported.body.value), file: 0, part }, cardActivityId);
      const textCard = response.body.value;
      expect(Buffer.byteLength(JSON.stringify(textCard))).toBeLessThan(28 * 1024);
      texts.push(findById(textCard, 'csv')!.value);
      const next = actionsOf(textCard).find((a) => a.verb === 'salespeople.csvText' && a.title.includes('Next'));
      if (!next) break;
      part = Number(next.data.part);
    }
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('\n')).toBe(files.uploads.get('salespeople-NO-1.csv')!.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').replace(/\n$/, ''));
  });

  it('sends no files outside personal chat and says so; the text is still there', async () => {
    await reset();
    const chat = h.conversation({ type: 'groupChat' });
    const { card, cardActivityId } = await openPart3(chat);
    h.connector.clear();
    const exported = await chat.execute(ADMIN, 'salespeople.export', { ...inputValues(card), ...action(card, 'salespeople.export').data }, cardActivityId);
    expect(cardText(exported.body.value)).toContain('Files can only be sent in a personal chat with me. Use "Show as text" instead.');
    expect(h.connector.activities.flatMap((a) => a.activity.attachments ?? []).filter((a: any) => a.contentType === FILE_CONSENT)).toEqual([]);
    const textCard = (await chat.execute(ADMIN, 'salespeople.csvText', { exportId: exportIdOf(exported.body.value), file: 0, part: 0 }, cardActivityId)).body.value;
    expect(findById(textCard, 'csv')!.value.split('\n')[0]).toBe(HEADER);
  });
});

function exportIdOf(card: any): string {
  const found = JSON.stringify(card).match(/"exportId":"([0-9a-f-]{36})"/);
  if (!found) throw new Error('the export card has no "Show as text" action');
  return found[1];
}

/** A row of the admin center file; later values override the defaults by column name. */
function row(values: Partial<Record<(typeof ADMIN_CENTER_HEADER)[number], string>>): string[] {
  const base: Record<string, string> = { 'User Name': '', 'Display Name': 'Ny Selger', 'Country or Region': 'Norway' };
  return ADMIN_CENTER_HEADER.map((column) => ({ ...base, ...values })[column] ?? '');
}

describe('Part 3: the admin center file, in', () => {
  const upn = (name: string) => `${name}@contoso.no`;
  /** Every kind of bad row, each with the line it lands on and what the admin is told. */
  const BAD: [string[], RegExp][] = [
    [row({ 'User Name': '' }), /User Name is empty; it is required/],
    [row({ 'User Name': upn('tom.navn'), 'Display Name': '' }), /Display Name is empty; it is required/],
    [row({ 'User Name': upn('uten.land'), 'Country or Region': '' }), /Country or Region is empty; it is required/],
    [row({ 'User Name': 'ola nordmann@contoso.no' }), /User Name "ola nordmann@contoso\.no" is not a valid sign-in name/],
    [row({ 'User Name': 'ola@nordmann@contoso.no' }), /User Name "ola@nordmann@contoso\.no" is not a valid sign-in name/],
    [row({ 'User Name': '.ola@contoso.no' }), /User Name "\.ola@contoso\.no" is not a valid sign-in name/],
    [row({ 'User Name': 'bjørn@contoso.no' }), /User Name "bjørn@contoso\.no" is not a valid sign-in name/],
    [row({ 'User Name': 'agent@fabrikam-demo.com' }), /fabrikam-demo\.com is not a verified domain of the tenant \(verified: contoso\.no, contosonorge\.onmicrosoft\.com\)/],
    [row({ 'User Name': 'agent@example.org' }), /example\.org is not a verified domain/],
    [row({ 'User Name': `${'a'.repeat(70)}@contoso.no` }), /User Name is 81 characters long; at most 79 are allowed/],
    [row({ 'User Name': 'kari.hansen@contoso.no' }), /User Name kari\.hansen@contoso\.no already exists in the tenant/],
    [row({ 'User Name': 'hege.pedersen@contoso.no' }), /User Name hege\.pedersen@contoso\.no is already the e-mail address of hege@contoso\.no/],
    [row({ 'User Name': 'ny.selger@contoso.no' }), /^$/], // valid
    [row({ 'User Name': 'NY.SELGER@contoso.no' }), /User Name NY\.SELGER@contoso\.no is also on row 14/],
    [row({ 'User Name': 'ny.selger@contosonorge.onmicrosoft.com' }), /the alias "ny\.selger" \(before the @\) is also used on row 14/],
    [row({ 'User Name': upn('lang.visning'), 'Display Name': 'x'.repeat(257) }), /Display Name is 257 characters long; at most 256/],
    [row({ 'User Name': upn('lang.fornavn'), 'First Name': 'x'.repeat(65) }), /First Name is 65 characters long; at most 64/],
    [row({ 'User Name': upn('lang.etternavn'), 'Last Name': 'x'.repeat(65) }), /Last Name is 65 characters long; at most 64/],
    [row({ 'User Name': upn('lang.tittel'), 'Job Title': 'x'.repeat(65) }), /Job Title is 65 characters long; at most 64/],
    [row({ 'User Name': upn('lang.avdeling'), Department: 'x'.repeat(65) }), /Department is 65 characters long; at most 64/],
    [row({ 'User Name': upn('lang.telefon'), 'Office Phone': '1'.repeat(65) }), /Office Phone is 65 characters long; at most 64/],
    [row({ 'User Name': upn('lang.mobil'), 'Mobile Phone': '1'.repeat(65) }), /Mobile Phone is 65 characters long; at most 64/],
    [row({ 'User Name': upn('lang.by'), City: 'x'.repeat(129) }), /City is 129 characters long; at most 128/],
    [row({ 'User Name': upn('lang.post'), 'ZIP or Postal Code': '1'.repeat(41) }), /ZIP or Postal Code is 41 characters long; at most 40/],
    [row({ 'User Name': upn('lang.adresse'), Address: 'x'.repeat(1025) }), /Address is 1025 characters long; at most 1024/],
    [row({ 'User Name': upn('ukjent.land'), 'Country or Region': 'Atlantis' }), /Country or Region "Atlantis" is not a country or region/],
    [row({ 'User Name': upn('feil.epost'), 'Alternate email address': 'ikke-en-adresse' }), /Alternate email address "ikke-en-adresse" is not an e-mail address/],
    [row({ 'User Name': upn('formel'), 'Display Name': '=HYPERLINK("https://evil.example","Klikk")' }), /Display Name starts with "=", which a spreadsheet program would run as a formula/],
    [row({ 'User Name': upn('linjeskift'), 'Display Name': 'To\nlinjer' }), /Display Name contains a line break or another control character/],
    [[upn('for.kort'), 'Kort', 'Rad'], /has 3 columns; the header has 16/],
  ];

  it('reports every row\'s problem, on every page, and changes nothing', async () => {
    await reset();
    const chat = h.conversation();
    await openPart3(chat);
    const content = stringify([[...ADMIN_CENTER_HEADER], ...BAD.map(([cells]) => cells)]);
    const before = await rawTenantState(h);
    h.connector.clear();
    expect((await sendFile(chat, ADMIN, 'nye-selgere.csv', files.serve('nye-selgere.csv', content))).status).toBeLessThan(300);
    let report = h.connector.cards().at(-1)!;
    expect(cardText(report)).toContain('Import of nye-selgere.csv');
    expect(cardText(report)).toMatch(/\d+ problems in 30 rows\. Nothing was planned/);
    const lines: string[] = [];
    for (;;) {
      lines.push(...report.body.filter((b: any) => typeof b.text === 'string' && b.text.startsWith('Row ')).map((b: any) => b.text));
      const more = actionsOf(report).find((a) => a.verb === 'salespeople.importProblems' && a.title === 'More problems');
      if (!more) break;
      report = (await chat.execute(ADMIN, 'salespeople.importProblems', more.data)).body.value;
    }
    BAD.forEach(([, expected], i) => {
      const line = i + 2; // the header is row 1
      const said = lines.filter((l) => l.startsWith(`Row ${line}: `)).map((l) => l.slice(`Row ${line}: `.length));
      if (expected.source === '^$') expect(said).toEqual([]);
      else expect(said.join(' | ')).toMatch(expected);
    });
    expect(lines.filter((l) => !BAD.some((_, i) => l.startsWith(`Row ${i + 2}: `)))).toEqual([]);
    expect(h.connector.cards().some((c) => cardText(c).includes('Plan:'))).toBe(false);
    expect(await rawTenantState(h)).toBe(before);
  });

  it('says what is wrong with the file as a whole', async () => {
    await reset();
    const chat = h.conversation();
    await openPart3(chat);
    const before = await rawTenantState(h);
    const cases: [string, string | Buffer, RegExp][] = [
      ['semikolon.csv', 'User Name;First Name;Last Name\r\nola@contoso.no;Ola;Nordmann\r\n', /separated by semicolons/],
      ['feil-overskrift.csv', 'Username,Display Name\r\nola@contoso.no,Ola\r\n', /the first line must be exactly the admin center's header/],
      ['latin1.csv', Buffer.concat([Buffer.from(`${HEADER}\r\n`), Buffer.from([0x42, 0x6a, 0xf8, 0x72, 0x6e])]), /not UTF-8 text/],
      ['tom.csv', '', /the file is empty/],
      ['for-stor.csv', `${HEADER}\r\n${'x'.repeat(1024 * 1024)}`, /the file is over 1 MB; the import takes at most 1 MB/],
      ['for-mange.csv', `${HEADER}\r\n${Array.from({ length: 5001 }, (_, i) => row({ 'User Name': upn(`s${i}`) }).join(',')).join('\r\n')}`, /the file has 5001 users; the import takes at most 5000/],
    ];
    for (const [name, content, expected] of cases) {
      h.connector.clear();
      await sendFile(chat, ADMIN, name, files.serve(name, content));
      expect(cardText(h.connector.cards().at(-1))).toMatch(expected);
    }
    h.connector.clear();
    await sendFile(chat, ADMIN, 'annet-sted.csv', 'https://files.example.com/selgere.csv');
    expect(h.connector.texts().at(-1)).toContain('did not come from Teams file storage');
    expect(await rawTenantState(h)).toBe(before);
  });

  it('plans a clean file and applies it: accounts with their profile, licence, Sales user and role', async () => {
    await reset();
    const chat = h.conversation();
    await openPart3(chat);
    const content = stringify([
      [...ADMIN_CENTER_HEADER],
      row({ 'User Name': upn('nina.berg'), 'First Name': 'Nina', 'Last Name': 'Berg', 'Display Name': 'Nina Berg', 'Office Phone': "'+47 22 00 30 01", City: 'Bergen', 'Country or Region': 'Norway' }),
      row({ 'User Name': upn('sven.svensson'), 'Display Name': 'Sven Svensson', 'Country or Region': 'Sverige' }),
    ]);
    h.connector.clear();
    await sendFile(chat, ADMIN, 'to-nye.csv', files.serve('to-nye.csv', content));
    expect(h.connector.texts().at(-1)).toBe('All 2 rows of to-nye.csv are valid.');
    const plan = h.connector.cards().at(-1)!;
    const planActivityId = h.connector.activities.at(-1)!.activityId!;
    expect(cardText(plan)).toContain('2 new Microsoft 365 accounts');
    const { final } = await approveAndWait(h, chat, plan, planActivityId);
    expect(cardText(final)).toContain('Applied: all 2 salespeople are set up.');
    const nina = (await graph(h.sandbox.url, 'GET', `/users/${upn('nina.berg')}?$select=id,usageLocation,city,businessPhones,assignedLicenses`)).body;
    expect(nina).toMatchObject({ usageLocation: 'NO', city: 'Bergen', businessPhones: ['+47 22 00 30 01'] });
    expect(nina.assignedLicenses.map((l: any) => l.skuId)).toContain(SEED.skus.sales);
    const sven = (await graph(h.sandbox.url, 'GET', `/users/${upn('sven.svensson')}?$select=usageLocation`)).body;
    expect(sven.usageLocation).toBe('SE');
  });
});
