import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_DOCS } from '../src/lib/config';

const root = join(__dirname, '..');

describe('README configuration table and .env.example match the schema', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const table = readme.split('<!-- config:start -->')[1]?.split('<!-- config:end -->')[0] ?? '';
  const rows = table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const cells = l.split(/(?<!\\)\|/).map((c) => c.trim());
      return { name: cells[1].replace(/`/g, ''), def: cells[2] === '—' ? '' : cells[2].replace(/`/g, '') };
    });

  test('README opens with the run and test commands', () => {
    const firstBlock = readme.split('```')[1];
    expect(firstBlock).toContain('npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  test('every variable, in order, with its default', () => {
    expect(rows.map((r) => r.name)).toEqual(Object.keys(CONFIG_DOCS));
    for (const r of rows) expect(r.def).toBe(CONFIG_DOCS[r.name].default);
  });

  test('.env.example lists every variable with its default', () => {
    const env = readFileSync(join(root, '.env.example'), 'utf8');
    const vars = env
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => {
        const [k, ...v] = l.split('=');
        const raw = v.join('=');
        return [k, raw.startsWith('"') ? (JSON.parse(raw) as string) : raw] as const;
      });
    expect(Object.fromEntries(vars)).toEqual(Object.fromEntries(Object.entries(CONFIG_DOCS).map(([k, d]) => [k, d.default])));
  });
});

/** Which bot scopes each Web API method the code calls needs. A method missing here fails the test. */
const SCOPES_FOR: Record<string, string[]> = {
  'auth.test': [],
  'users.info': ['users:read', 'users:read.email'],
  'users.lookupByEmail': ['users:read.email'],
  'conversations.open': ['im:write'],
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  'views.publish': [],
  filesUploadV2: ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('Slack manifests ask for exactly the scopes the code uses', () => {
  const used = new Set<string>();
  for (const file of sources(join(root, 'src')).filter((f) => !f.includes('/standin/') && !f.includes('/demo/'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bclient\.(?:(filesUploadV2)|([a-z]+)\.([a-zA-Z]+))\(/g)) used.add(m[1] ?? `${m[2]}.${m[3]}`);
  }

  test('every method the code calls is known to this test', () => {
    expect([...used].filter((m) => !(m in SCOPES_FOR))).toEqual([]);
    expect(used.has('users.info')).toBe(true);
  });

  test.each(['manifest.yml', 'manifest.socket.yml'])('%s', (file) => {
    const manifest = parse(readFileSync(join(root, 'manifests', file), 'utf8')) as {
      oauth_config: { scopes: { bot: string[] } };
      features: { slash_commands: Array<{ command: string; url?: string }>; app_home: { home_tab_enabled: boolean } };
      settings: {
        socket_mode_enabled: boolean;
        event_subscriptions: { bot_events: string[]; request_url?: string };
        interactivity: { request_url?: string };
      };
    };
    const needed = new Set<string>(['commands', ...[...used].flatMap((m) => SCOPES_FOR[m] ?? [])]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([CONFIG_DOCS.SLACK_COMMAND.default]);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    if (file === 'manifest.yml') {
      expect(manifest.settings.socket_mode_enabled).toBe(false);
      for (const url of [
        manifest.features.slash_commands[0].url,
        manifest.settings.interactivity.request_url,
        manifest.settings.event_subscriptions.request_url,
      ]) {
        expect(url).toMatch(/\/slack\/events$/);
      }
    } else {
      expect(manifest.settings.socket_mode_enabled).toBe(true);
    }
  });
});
