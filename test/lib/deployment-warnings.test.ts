import { testConfig } from '../../src/lib/config';
import { deploymentWarnings } from '../../src/lib/deployment-warnings';

/** A configuration a real deployment might run with: nothing to warn about. */
const SOUND = { BCRYPT_COST: '12', PUBLIC_URL: 'https://users.example.com' };

describe('deploymentWarnings', () => {
  test('a sound configuration, and the defaults, say nothing', () => {
    expect(deploymentWarnings(testConfig(SOUND))).toEqual([]);
    expect(deploymentWarnings(testConfig({ ...SOUND, TRUST_PROXY: '1' }))).toEqual([]);
    expect(deploymentWarnings(testConfig({ ...SOUND, TRUST_PROXY: '10.0.0.0/8,loopback' }))).toEqual([]);
  });

  test('BCRYPT_COST below 10', () => {
    expect(deploymentWarnings(testConfig({ ...SOUND, BCRYPT_COST: '10' }))).toEqual([]);
    expect(deploymentWarnings(testConfig({ ...SOUND, BCRYPT_COST: '9' }))).toEqual([expect.stringMatching(/^BCRYPT_COST is 9: below 10/)]);
  });

  test('PUBLIC_URL over plain http, unless the host is this machine', () => {
    for (const url of [
      'http://localhost:3000',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
      'http://app.localhost',
      'https://users.example.com',
    ])
      expect([url, deploymentWarnings(testConfig({ ...SOUND, PUBLIC_URL: url }))]).toEqual([url, []]);
    for (const url of ['http://users.example.com', 'http://10.0.0.5:3000', 'HTTP://Users.Example.com/'])
      expect([url, deploymentWarnings(testConfig({ ...SOUND, PUBLIC_URL: url }))]).toEqual([
        url,
        [expect.stringMatching(/^PUBLIC_URL is plain http/)],
      ]);
  });

  test('password hashes in exports', () => {
    expect(deploymentWarnings(testConfig({ ...SOUND, EXPORT_ALLOW_PASSWORD_HASHES: 'true' }))).toEqual([
      expect.stringMatching(/^EXPORT_ALLOW_PASSWORD_HASHES is on/),
    ]);
  });

  test('webhooks allowed to plain http and private addresses', () => {
    expect(deploymentWarnings(testConfig({ ...SOUND, WEBHOOK_ALLOW_PRIVATE: 'true' }))).toEqual([
      expect.stringMatching(/^WEBHOOK_ALLOW_PRIVATE is on/),
    ]);
  });

  test('TRUST_PROXY trusting every address (a bare true never gets this far: it is refused)', () => {
    for (const raw of ['0.0.0.0/1,128.0.0.0/1', '::/1,8000::/1', '10.0.0.1,::ffff:0:0/96'])
      expect([raw, deploymentWarnings(testConfig({ ...SOUND, TRUST_PROXY: raw }))]).toEqual([
        raw,
        [expect.stringMatching(/^TRUST_PROXY trusts every address/)],
      ]);
  });

  test('one line each, all four together, and no secret of the configuration in any', () => {
    const config = testConfig({
      BCRYPT_COST: '4',
      PUBLIC_URL: 'http://admin:Hunter2-secret@users.example.com',
      EXPORT_ALLOW_PASSWORD_HASHES: 'true',
      TRUST_PROXY: '::/1,8000::/1',
      SLACK_BOT_TOKEN: 'xoxb-1-2-secret',
      SMTP_URL: 'smtp://u:SmtpSecret@mail:25',
    });
    const lines = deploymentWarnings(config);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['BCRYPT_COST', 'PUBLIC_URL', 'EXPORT_ALLOW_PASSWORD_HASHES', 'TRUST_PROXY']);
    for (const line of lines) {
      expect(line).not.toContain('\n');
      expect(line).not.toMatch(/Hunter2|xoxb|SmtpSecret|users\.example\.com/);
    }
  });
});
