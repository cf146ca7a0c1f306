import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTransport } from '../../src/mail/transport';
import { modeOf, withUmask } from '../support/umask';

/** DESIGN §9: the `.eml` outbox (reset links, export CSVs) is owner-only, whatever the umask. */
describe('.eml outbox files at rest', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'userops-eml-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('under umask 000: the outbox directories we create are 0700 and every .eml is 0600', async () => {
    const dir = join(root, 'data', 'outbox');
    const transport = fileTransport(dir, { from: 'userops <userops@localhost>' });
    await withUmask(0o000, async () => {
      for (const n of [1, 2]) {
        await transport.send({
          messageId: `<mail-${n}@userops.test>`,
          to: 'ana@example.com',
          subject: 'Set a new password for your account',
          text: 'https://userops.example/password/reset/not-a-real-token',
          attachments: [{ filename: 'users.csv', content: Buffer.from('username,email\r\nana,ana@example.com'), contentType: 'text/csv' }],
        });
      }
    });
    await transport.close();
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    expect({ data: modeOf(join(root, 'data')), outbox: modeOf(dir) }).toEqual({ data: '700', outbox: '700' });
    for (const f of files) expect([f, modeOf(join(dir, f))]).toEqual([expect.stringMatching(/\.eml$/), '600']);
  });
});
