import { parseCommand, suggest, tokenize } from '../../src/slack/command-parser';

describe('command parser', () => {
  test('empty text is help', () => {
    expect(parseCommand('')).toEqual({ ok: true, command: { name: 'help', args: [], flags: new Set() } });
  });

  test('sub-commands are case-insensitive and aliases work', () => {
    const r = parseCommand('UNLOCK bob');
    expect(r.ok && r.command.name).toBe('activate');
    const s = parseCommand('Find  ana ');
    expect(s.ok && s.command).toEqual({ name: 'find', args: [{ kind: 'text', value: 'ana' }], flags: new Set() });
  });

  test('quoted arguments, Slack mentions and mailto links', () => {
    const r = parseCommand('disable "mary jane" <@U0BOB0001|bob> <mailto:Carol@Example.com|Carol@Example.com> dave');
    expect(r.ok && r.command.args).toEqual([
      { kind: 'text', value: 'mary jane' },
      { kind: 'mention', slackUserId: 'U0BOB0001', label: 'bob' },
      { kind: 'email', value: 'Carol@Example.com' },
      { kind: 'text', value: 'dave' },
    ]);
  });

  test('smart quotes from Slack clients and apostrophes inside words', () => {
    expect(tokenize('find “van der Berg”')).toEqual([
      { kind: 'text', value: 'find' },
      { kind: 'text', value: 'van der Berg' },
    ]);
    expect(tokenize("find O'Brien")).toEqual([
      { kind: 'text', value: 'find' },
      { kind: 'text', value: "O'Brien" },
    ]);
  });

  test('HTML-escaped text from Slack is unescaped', () => {
    const r = parseCommand('find a&amp;b &lt;x&gt;');
    expect(r.ok && r.command.args.map((a) => (a.kind === 'text' ? a.value : ''))).toEqual(['a&b', 'x']);
  });

  test('did you mean', () => {
    for (const [typo, meant] of [
      ['disabel', 'disable'],
      ['fnid', 'find'],
      ['resetpassword', 'reset-password'],
      ['auddit', 'audit'],
      ['lis', 'list'],
    ]) {
      expect(suggest(typo)).toBe(meant);
      const r = parseCommand(`${typo} bob`);
      expect(r).toEqual({ ok: false, code: 'invalid_input', message: expect.stringContaining(`Did you mean \`/users ${meant}\``) });
    }
    const far = parseCommand('xyzzy');
    expect(far.ok).toBe(false);
    expect(!far.ok && far.message).toContain('/users help');
  });

  test('argument counts give the usage line', () => {
    expect(parseCommand('show')).toEqual({
      ok: false,
      code: 'invalid_input',
      message: expect.stringContaining('Usage: `/users show USER`'),
    });
    expect(parseCommand('reassign a')).toEqual({ ok: false, code: 'invalid_input', message: expect.stringContaining('reassign FROM TO') });
    expect(parseCommand('bulk a')).toEqual({ ok: false, code: 'invalid_input', message: expect.stringContaining('bulk') });
  });

  test('enable, disable and activate name any number of users and take --reason "TEXT"', () => {
    const names = Array.from({ length: 150 }, (_, i) => `u${i}`).join(' ');
    const r = parseCommand(`disable ${names} --reason "incident 4711"`);
    expect(r.ok && r.command.args).toHaveLength(150);
    expect(r.ok && r.command.reason).toBe('incident 4711');
    expect(parseCommand('activate a b').ok).toBe(true);
    expect(parseCommand('enable a --reason')).toEqual({ ok: false, code: 'invalid_input', message: expect.stringContaining('--reason') });
    expect(parseCommand('show a --reason x')).toEqual({
      ok: false,
      code: 'invalid_input',
      message: expect.stringContaining('Unknown option'),
    });
    // `bulk` is the one bulk form; `bulk-reset` still opens it.
    expect(parseCommand('bulk-reset')).toMatchObject({ ok: true, command: { name: 'bulk' } });
  });

  test('flags', () => {
    const r = parseCommand('show bob --share');
    expect(r.ok && [...r.command.flags]).toEqual(['share']);
    expect(parseCommand('show bob --force').ok).toBe(false);
  });

  test('unclosed quote or entity is a readable error', () => {
    expect(parseCommand('find "ana')).toEqual({
      ok: false,
      code: 'invalid_input',
      message: expect.stringContaining('quote is never closed'),
    });
    expect(parseCommand('show <@U0ANA')).toEqual({ ok: false, code: 'invalid_input', message: expect.stringContaining('never closed') });
  });

  test('control characters and very long input never throw', () => {
    expect(parseCommand('find \u0000\u0007bob').ok).toBe(true);
    expect(parseCommand('find ' + 'x'.repeat(5000)).ok).toBe(false);
  });

  test('a custom command name appears in messages', () => {
    expect(parseCommand('shwo x', '/dir')).toEqual({ ok: false, code: 'invalid_input', message: expect.stringContaining('`/dir show`') });
  });
});
