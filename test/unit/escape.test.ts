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
    ['arabic\u061Cmark', 'arabicmark'],
    ['soft\u00ADhyphen', 'softhyphen'],
    ['line\u2028sep\u2029para\u0085nel', 'line sep para nel'],
    ['tab\there', 'tab here'],
    ['deprecated\u206A\u206Fformat', 'deprecatedformat'],
    ['inter\uFFF9linear\uFFFAannotation\uFFFB', 'interlinearannotation'],
    ['tag\u{E0001}\u{E0041}\u{E007F}chars', 'tagchars'],
    ['bell\u0007nul\u0000del\u007F', 'bellnuldel'],
    ['Ingrid Berg 👩‍💻', 'Ingrid Berg 👩💻'],
  ])('%j → %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });
});
