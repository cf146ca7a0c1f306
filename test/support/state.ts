import {
  ApiKey,
  AuditEvent,
  LockoutEvent,
  MailMessage,
  Membership,
  Organization,
  RecordAssignment,
  ResetToken,
  User,
} from '../../src/store/models';
import { Notice, PasswordExpiryClaim } from '../../src/store/notice-models';
import { snapshot } from './fixtures';

/** Every row of every table a directory service can write, in id order: "nothing changed" means this is equal. */
export async function worldState(): Promise<Record<string, unknown[]>> {
  const all = async <M extends { findAll(o: object): Promise<unknown[]> }>(model: M) =>
    model.findAll({ order: [['id', 'ASC']], raw: true });
  const [organizations, users, memberships, apiKeys, resetTokens, records, audit, mail, lockouts, notices, expiryClaims] =
    await Promise.all([
      all(Organization),
      all(User),
      all(Membership),
      all(ApiKey),
      all(ResetToken),
      all(RecordAssignment),
      all(AuditEvent),
      all(MailMessage),
      all(LockoutEvent),
      all(Notice),
      all(PasswordExpiryClaim),
    ]);
  return { organizations, users, memberships, apiKeys, resetTokens, records, audit, mail, lockouts, notices, expiryClaims };
}

/**
 * Run `fn` and prove it changed nothing: the named users' snapshots and every row of every table
 * are the same afterwards. Returns what `fn` returned, for the caller's assertions on the refusal.
 */
export async function expectUnchanged<T>(userIds: number[], fn: () => Promise<T>): Promise<T> {
  const before = await Promise.all(userIds.map((id) => snapshot(id)));
  const world = await worldState();
  const result = await fn();
  expect(await Promise.all(userIds.map((id) => snapshot(id)))).toEqual(before);
  expect(await worldState()).toEqual(world);
  return result;
}

/** The audit actions recorded about one user, oldest first. */
export async function auditActions(userId: number): Promise<string[]> {
  const rows = await AuditEvent.findAll({ where: { targetUserId: userId }, order: [['id', 'ASC']] });
  return rows.map((r) => r.action);
}

let counter = 0;
/** A username (and slug) no other test in the file uses; the database lives for the whole file. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}
