import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../src/lib/logger';
import { migrateUp, openDatabase } from '../../src/store/db';
import { Organization } from '../../src/store/models';
import { modeOf, withUmask } from '../support/umask';

/** DESIGN §9: the SQLite database (and its WAL and shared-memory files) is owner-only, whatever the umask. */
describe('SQLite files at rest', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'userops-sqlite-files-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('under umask 000: the directories we create are 0700; the database, -wal and -shm are 0600', async () => {
    const file = join(root, 'a', 'data', 'userops.sqlite');
    await withUmask(0o000, async () => {
      const db = openDatabase(`sqlite:${file}`);
      try {
        await migrateUp(db);
        // A write goes through the WAL, so both companion files exist while the connection is open.
        await db.tx((t) => Organization.create({ slug: 'acme', name: 'ACME' }, { transaction: t }));
        expect(existsSync(`${file}-wal`)).toBe(true);
        expect(existsSync(`${file}-shm`)).toBe(true);
        expect({
          a: modeOf(join(root, 'a')),
          data: modeOf(join(root, 'a', 'data')),
          db: modeOf(file),
          wal: modeOf(`${file}-wal`),
          shm: modeOf(`${file}-shm`),
        }).toEqual({ a: '700', data: '700', db: '600', wal: '600', shm: '600' });
      } finally {
        await db.close();
      }
    });
    // The directory we were given (not created by us) is left as it was.
    expect(modeOf(root)).toBe('700');
  });

  test('a database file from before, readable by everyone, is narrowed with a warning; an existing directory is left alone', async () => {
    const dir = join(root, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const file = join(dir, 'userops.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o666);
    const { logger, lines } = memoryLogger('debug');
    await withUmask(0o000, async () => {
      const db = openDatabase(`sqlite:${file}`, logger);
      try {
        await migrateUp(db);
        await db.tx((t) => Organization.create({ slug: 'globex', name: 'Globex' }, { transaction: t }));
        expect({ dir: modeOf(dir), db: modeOf(file), wal: modeOf(`${file}-wal`), shm: modeOf(`${file}-shm`) }).toEqual({
          dir: '755',
          db: '600',
          wal: '600',
          shm: '600',
        });
      } finally {
        await db.close();
      }
    });
    expect(lines.filter((l) => l.includes('database file narrowed to owner-only'))).toHaveLength(2);
  });
});
