import { MAX_COMMAND_TEXT, parseCommand, transition, trimEndPunctuation, type SessionEnvironment } from '../../src/setup/session';

const now = '2026-11-23T10:00:00.000Z';
const environment: SessionEnvironment = { dataverseUrl: 'https://x.crm4.dynamics.com', bapEnvironmentId: 'e', bcEnvironment: 'Production', deployment: 'online' };

describe('conversation engine', () => {
  it.each([
    ['set up', 'setup'], ['Sett opp', 'setup'], ['setup!', 'setup'], ['status', 'status'], ['HJELP', 'help'], ['help', 'help'],
    ['avbryt', 'cancel'], ['cancel', 'cancel'], ['start på nytt', 'restart'], ['restart', 'restart'], ['fortsett', 'resume'], ['resume', 'resume'],
  ])('understands "%s" as %s', (text, command) => {
    expect(parseCommand(text)).toBe(command);
  });

  it.each(['set up the admin now', 'hello there', '', 'sett'])('does not guess at "%s"', (text) => {
    expect(parseCommand(text)).toBeUndefined();
  });

  it.each([['?', 'help'], ['help!!!', 'help'], ['status?! ', 'status'], ['  set up. ', 'setup']])('reads "%s" as %s (trailing punctuation and space)', (text, command) => {
    expect(parseCommand(text)).toBe(command);
  });

  it('does not read a message longer than a command can be', () => {
    expect(parseCommand(`help${' '.repeat(MAX_COMMAND_TEXT)}`)).toBeUndefined();
    expect(parseCommand(`help${'!'.repeat(200_000)}`)).toBeUndefined();
    expect(parseCommand(`help${'!'.repeat(MAX_COMMAND_TEXT - 4)}`)).toBe('help');
  });

  it('strips trailing punctuation only at the end', () => {
    expect(trimEndPunctuation('a.b!?.')).toBe('a.b');
    expect(trimEndPunctuation('!!!')).toBe('');
    expect(trimEndPunctuation(`${'!'.repeat(200_000)}x`)).toBe(`${'!'.repeat(200_000)}x`);
  });

  it('walks environment → admin → integration → salespeople → summary', () => {
    let s = transition(undefined, { type: 'start' }, now);
    expect(s.step).toBe('environment');
    s = transition(s, { type: 'environmentSaved', environment }, now);
    expect(s.step).toBe('admin');
    for (const step of ['integration', 'salespeople', 'summary', 'summary']) {
      s = transition(s, { type: 'advance' }, now);
      expect(s.step).toBe(step);
    }
  });

  it('keeps the environment across cancel and restart, and resumes at the same step', () => {
    let s = transition(transition(undefined, { type: 'start' }, now), { type: 'environmentSaved', environment }, now);
    s = transition(s, { type: 'cancel' }, now);
    expect(s).toMatchObject({ active: false, step: 'admin', environment });
    s = transition(s, { type: 'resume' }, now);
    expect(s).toMatchObject({ active: true, step: 'admin' });
    s = transition(s, { type: 'restart' }, now);
    expect(s).toMatchObject({ active: true, step: 'environment', environment });
  });

  it('"set up" during a setup continues it rather than starting over', () => {
    const s = transition(transition(undefined, { type: 'start' }, now), { type: 'environmentSaved', environment }, now);
    expect(transition(s, { type: 'start' }, now)).toBe(s);
  });
});
