import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDist } from '../support/child';

/** `npm start` with the given settings until it listens; its log lines, parsed. */
async function startAndStop(env: Record<string, string>): Promise<Array<{ level: string; msg: string }>> {
  const dir = mkdtempSync(join(tmpdir(), 'userops-warn-'));
  const child = runDist('src/server/main.js', [], {
    PORT: '0',
    DATABASE_URL: `sqlite:${dir}/userops.sqlite`,
    OUTBOX_DIR: `${dir}/outbox`,
    EXPORT_DIR: `${dir}/exports`,
    ...env,
  });
  try {
    await child.waitForLine(/userops listening/);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  } finally {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return child.out.map((l) => JSON.parse(l) as { level: string; msg: string });
}

const WEAK = /^(BCRYPT_COST|PUBLIC_URL|EXPORT_ALLOW_PASSWORD_HASHES|TRUST_PROXY) /;

describe('npm start: one warning line per weak deployment setting', () => {
  test('all four, each once, as warnings, without the secrets of the configuration', async () => {
    const lines = await startAndStop({
      BCRYPT_COST: '8',
      PUBLIC_URL: 'http://ops:Url-Secret-1@users.example.com',
      EXPORT_ALLOW_PASSWORD_HASHES: 'true',
      TRUST_PROXY: '0.0.0.0/1,128.0.0.0/1',
      SMTP_URL: 'smtp://u:Smtp-Secret-2@127.0.0.1:9',
    });
    const weak = lines.filter((l) => WEAK.test(l.msg));
    expect(weak.map((l) => [l.level, l.msg.split(' ')[0]])).toEqual([
      ['warn', 'BCRYPT_COST'],
      ['warn', 'PUBLIC_URL'],
      ['warn', 'EXPORT_ALLOW_PASSWORD_HASHES'],
      ['warn', 'TRUST_PROXY'],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/Url-Secret-1|Smtp-Secret-2/);
  }, 60_000);

  test('a sound configuration starts without any of them', async () => {
    const lines = await startAndStop({ BCRYPT_COST: '12', PUBLIC_URL: 'https://users.example.com', TRUST_PROXY: '1' });
    expect(lines.filter((l) => WEAK.test(l.msg))).toEqual([]);
  }, 60_000);
});
