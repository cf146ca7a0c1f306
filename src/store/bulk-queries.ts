import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { Job, JobItem, User } from './models';

/**
 * The queries of bulk actions (selection, draft jobs, per-user outcomes). Chunked: a selection can
 * be 100,000 users, and both dialects limit a statement's parameters.
 */

const CHUNK = 1000;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Ids of users whose normalized email / username is among these; keyed by the normalized value. */
export async function idsByEmailOrUsername(emails: string[], usernames: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const chunk of chunks(emails)) {
    for (const u of await User.findAll({ where: { emailNormalized: { [Op.in]: chunk } }, attributes: ['id', 'emailNormalized'] }))
      found.set(u.emailNormalized, u.id);
  }
  for (const chunk of chunks(usernames)) {
    for (const u of await User.findAll({ where: { username: { [Op.in]: chunk } }, attributes: ['id', 'username'] }))
      found.set(u.username, u.id);
  }
  return found;
}

/** Ids of the users matching `where` (a saved view within a scope). */
export async function userIdsWhere(where: WhereOptions<User>): Promise<number[]> {
  return (await User.findAll({ where, attributes: ['id'], raw: true })).map((u) => u.id);
}

export interface BulkUserState {
  id: number;
  username: string;
  enabled: boolean;
  authStatus: User['authStatus'];
}

/** The state bulk decisions need, for each of `ids` that exists. */
export async function userStates(ids: number[]): Promise<Map<number, BulkUserState>> {
  const out = new Map<number, BulkUserState>();
  for (const chunk of chunks(ids)) {
    const rows = await User.findAll({
      where: { id: { [Op.in]: chunk } },
      attributes: ['id', 'username', 'enabled', 'authStatus'],
      raw: true,
    });
    for (const u of rows) out.set(u.id, { id: u.id, username: u.username, enabled: Boolean(u.enabled), authStatus: u.authStatus });
  }
  return out;
}

/** A draft job holding exactly the previewed users, one pending item each. */
export async function createDraftJob(
  t: Transaction,
  job: { kind: string; actorUserId: number | null; actorLabel: string; payload: string },
  userIds: number[],
): Promise<Job> {
  const j = await Job.create({ ...job, status: 'draft' }, { transaction: t });
  for (const chunk of chunks(userIds)) {
    await JobItem.bulkCreate(
      chunk.map((userId) => ({ jobId: j.id, userId })),
      { transaction: t },
    );
  }
  return j;
}

export interface ItemOutcomeRow {
  userId: number;
  username: string | null;
  email: string | null;
  status: JobItem['status'];
  detail: string | null;
}

/** Every item of a job with its user (null when deleted since), in item order, page by page. */
export async function* jobItemOutcomes(jobId: number, pageSize = 2000): AsyncGenerator<ItemOutcomeRow[]> {
  let after = 0;
  for (;;) {
    const items = await JobItem.findAll({
      where: { jobId, id: { [Op.gt]: after } },
      order: [['id', 'ASC']],
      limit: pageSize,
      raw: true,
    });
    if (items.length === 0) return;
    after = items[items.length - 1].id;
    const users = new Map(
      (
        await User.findAll({
          where: { id: { [Op.in]: items.map((i) => i.userId) } },
          attributes: ['id', 'username', 'email'],
          raw: true,
        })
      ).map((u) => [u.id, u]),
    );
    yield items.map((i) => ({
      userId: i.userId,
      username: users.get(i.userId)?.username ?? null,
      email: users.get(i.userId)?.email ?? null,
      status: i.status,
      detail: i.detail ?? null,
    }));
  }
}

/** Counts of a job's items by status. */
export async function itemCounts(jobId: number, t?: Transaction): Promise<Map<string, number>> {
  const rows = (await JobItem.count({ where: { jobId }, group: ['status'], transaction: t })) as unknown as Array<{
    status: string;
    count: number;
  }>;
  return new Map(rows.map((r) => [r.status, Number(r.count)]));
}

/** The next `limit` pending items of a job, oldest first: plain ids, no model instances. */
export async function pendingItems(jobId: number, limit: number, t: Transaction): Promise<Array<{ id: number; userId: number }>> {
  return JobItem.findAll({
    attributes: ['id', 'userId'],
    where: { jobId, status: 'pending' },
    order: [['id', 'ASC']],
    limit,
    transaction: t,
    raw: true,
  });
}

/** Mark items done/skipped/failed in a batch's transaction; details only for the unusual ones. */
export async function settleItems(
  t: Transaction,
  items: Array<{ id: number; status: 'done' | 'skipped' | 'failed'; detail: string | null }>,
): Promise<void> {
  for (const kind of ['done', 'skipped', 'failed'] as const) {
    const ids = items.filter((i) => i.status === kind).map((i) => i.id);
    for (const chunk of chunks(ids)) await JobItem.update({ status: kind }, { where: { id: { [Op.in]: chunk } }, transaction: t });
  }
  // One statement per unusual item keeps a 10,000-user job to a few statements per batch.
  for (const i of items)
    if (i.status !== 'done' && i.detail) await JobItem.update({ detail: i.detail }, { where: { id: i.id }, transaction: t });
}
