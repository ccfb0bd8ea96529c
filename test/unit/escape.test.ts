import { escapeMarkdown } from '../../src/cards/render';

describe('markdown escaping of tenant and user text', () => {
  it.each([
    ['ingrid.berg@contoso.no', 'ingrid.berg@contoso.no'],
    ["ola.o'brien@contoso.no", "ola.o'brien@contoso.no"],
    ['DYN365_ENTERPRISE_SALES (0)', 'DYN365_ENTERPRISE_SALES (0)'],
    ['**bold** and _it_', '\\*\\*bold\\*\\* and \\_it\\_'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['- item', '\\- item'],
    ['1. first', '1\\. first'],
    ['`code` ~strike~ <b>', '\\`code\\` \\~strike\\~ \\<b\\>'],
    ['line one\nline two', 'line one line two'],
    ['admin\u202Eon.osotnoc@evil', 'adminon.osotnoc@evil'],
    ['zero\u200Bwidth', 'zerowidth'],
  ])('%j → %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });
});
