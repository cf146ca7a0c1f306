/** `userops migrate [--status | --down]`: apply, list or undo database migrations. */
import type { Config } from '../lib/config';
import { Logger } from '../lib/logger';
import { migrateUp, migrator, openDatabase } from '../store/db';
import type { CliIO } from './io';

export async function runMigrate(config: Config, io: CliIO): Promise<number> {
  const db = openDatabase(config.DATABASE_URL, new Logger('error'));
  try {
    const applied = await migrateUp(db);
    io.out(applied.length === 0 ? 'No pending migrations.' : `Applied: ${applied.map((m) => m.name).join(', ')}`);
    return 0;
  } finally {
    await db.close();
  }
}

export async function migrationStatus(config: Config, io: CliIO): Promise<number> {
  const db = openDatabase(config.DATABASE_URL, new Logger('error'));
  try {
    const umzug = migrator(db);
    const [done, pending] = await Promise.all([umzug.executed(), umzug.pending()]);
    for (const m of done) io.out(`applied  ${m.name}`);
    for (const m of pending) io.out(`pending  ${m.name}`);
    if (done.length + pending.length === 0) io.out('No migrations.');
    return 0;
  } finally {
    await db.close();
  }
}

export async function migrateDown(config: Config, io: CliIO): Promise<number> {
  const db = openDatabase(config.DATABASE_URL, new Logger('error'));
  try {
    const undone = await migrator(db).down();
    io.out(undone.length === 0 ? 'Nothing to undo.' : `Undone: ${undone.map((m) => m.name).join(', ')}`);
    return 0;
  } finally {
    await db.close();
  }
}
