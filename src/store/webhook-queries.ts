/** Statements over webhook endpoints and deliveries: who is subscribed, the facts events carry, the ordered leased claim. */
import { literal, Op, QueryTypes, type Transaction, type WhereOptions } from 'sequelize';
import type { Database } from './db';
import { Membership, Organization, User } from './models';
import { WebhookDelivery, WebhookEndpoint } from './webhook-models';

const CHUNK = 1000;

/** Every enabled endpoint (id, organization, events). Small, and empty in most directories: the cost of an event-free change. */
export async function enabledEndpoints(t?: Transaction): Promise<Array<Pick<WebhookEndpoint, 'id' | 'organizationId' | 'events'>>> {
  return WebhookEndpoint.findAll({ where: { enabled: true }, attributes: ['id', 'organizationId', 'events'], raw: true, transaction: t });
}

export interface EventFacts {
  users: Map<number, Pick<User, 'id' | 'username' | 'email' | 'enabled' | 'authStatus'>>;
  /** user id → the organizations among `orgIds` the user is a member of. */
  memberOf: Map<number, number[]>;
  slugs: Map<number, string>;
}

/** What the events of a batch carry, in three statements per thousand users, whatever the batch. */
export async function eventFacts(userIds: number[], orgIds: number[], t?: Transaction): Promise<EventFacts> {
  const facts: EventFacts = { users: new Map(), memberOf: new Map(), slugs: new Map() };
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const ids = userIds.slice(i, i + CHUNK);
    const users = await User.findAll({
      where: { id: { [Op.in]: ids } },
      attributes: ['id', 'username', 'email', 'enabled', 'authStatus'],
      raw: true,
      transaction: t,
    });
    for (const u of users) facts.users.set(u.id, { ...u, enabled: Boolean(u.enabled) });
    const ms = await Membership.findAll({
      where: { userId: { [Op.in]: ids }, organizationId: { [Op.in]: orgIds } },
      attributes: ['userId', 'organizationId'],
      raw: true,
      transaction: t,
    });
    for (const m of ms) facts.memberOf.set(m.userId, [...(facts.memberOf.get(m.userId) ?? []), m.organizationId]);
  }
  for (const o of await Organization.findAll({
    where: { id: { [Op.in]: orgIds } },
    attributes: ['id', 'slug'],
    raw: true,
    transaction: t,
  })) {
    facts.slugs.set(o.id, o.slug);
  }
  return facts;
}

export type NewDelivery = Pick<
  WebhookDelivery,
  'endpointId' | 'messageId' | 'eventType' | 'orderingKey' | 'payload' | 'nextAttemptAt' | 'createdAt'
> & {
  dedupeKey?: string | null;
};

/** One insert per thousand rows; a row whose (endpoint, dedupe key) exists is skipped (a restarted job's end). */
export async function insertDeliveries(rows: NewDelivery[], t: Transaction): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await WebhookDelivery.bulkCreate(rows.slice(i, i + CHUNK), { transaction: t, ignoreDuplicates: true });
  }
}

/** Per organization among `orgIds`, how the items of a job ended (for `bulk_job.completed`, counted within each organization). */
export async function jobOutcomesByOrganization(
  db: Database,
  jobId: number,
  orgIds: number[],
): Promise<Array<{ organizationId: number; status: string; n: number }>> {
  if (orgIds.length === 0) return [];
  const rows = await db.sequelize.query<{ organizationId: number | string; status: string; n: number | string }>(
    `SELECT m.organization_id AS "organizationId", ji.status AS "status", COUNT(*) AS "n"
       FROM job_items ji JOIN memberships m ON m.user_id = ji.user_id
      WHERE ji.job_id = :jobId AND m.organization_id IN (:orgIds)
      GROUP BY m.organization_id, ji.status`,
    { replacements: { jobId, orgIds }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ organizationId: Number(r.organizationId), status: r.status, n: Number(r.n) }));
}

/**
 * Claim up to `batchSize` due deliveries under `lease`: pending ones whose time has come and
 * 'sending' ones whose lease ran out, of enabled endpoints, and only the head of each queue — a
 * delivery waits while an earlier one for the same endpoint and ordering key (the user) is still
 * pending or in flight, so one user's events arrive in order. The attempt is counted at claim time.
 */
export async function claimDueDeliveries(db: Database, opts: { cutoff: Date; lease: Date; batchSize: number }): Promise<WebhookDelivery[]> {
  const { cutoff, lease } = opts;
  return db.tx(async (t) => {
    const endpoints = (await WebhookEndpoint.findAll({ where: { enabled: true }, attributes: ['id'], raw: true, transaction: t })).map(
      (e) => e.id,
    );
    if (endpoints.length === 0) return [];
    const head = literal(`NOT EXISTS (SELECT 1 FROM webhook_deliveries prior
        WHERE prior.endpoint_id = "WebhookDelivery".endpoint_id AND prior.ordering_key = "WebhookDelivery".ordering_key
          AND prior.id < "WebhookDelivery".id AND prior.status IN ('pending', 'sending'))`);
    const lock = db.dialect === 'postgres' ? { lock: t.LOCK.UPDATE, skipLocked: true } : {};
    // Two walks, each in the order of webhook_deliveries_due so that LIMIT ends it early: a claim
    // costs the batch, not the backlog (one OR over both states made the database sort every due
    // row on every claim — 10,000 queued events cost seconds of write lock while a bulk job ran).
    // Abandoned attempts first (a crashed worker's), then pending rows whose time has come.
    const expired: WhereOptions<WebhookDelivery> = {
      endpointId: { [Op.in]: endpoints },
      status: 'sending',
      [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: cutoff } }],
    };
    const due: WhereOptions<WebhookDelivery> = {
      endpointId: { [Op.in]: endpoints },
      status: 'pending',
      nextAttemptAt: { [Op.lte]: cutoff },
    };
    const ids: number[] = [];
    for (const where of [expired, due]) {
      if (ids.length >= opts.batchSize) break;
      const found = await WebhookDelivery.findAll({
        attributes: ['id'],
        where: { [Op.and]: [where, head] },
        order: [
          ['nextAttemptAt', 'ASC'],
          ['id', 'ASC'],
        ],
        limit: opts.batchSize - ids.length,
        raw: true,
        transaction: t,
        ...lock,
      });
      for (const f of found) ids.push(f.id);
    }
    if (ids.length === 0) return [];
    await WebhookDelivery.update(
      { status: 'sending', leaseUntil: lease, attempts: literal('attempts + 1') },
      { where: { [Op.and]: [{ id: ids }, { [Op.or]: [expired, due] }] }, transaction: t },
    );
    return WebhookDelivery.findAll({ where: { id: ids, status: 'sending', leaseUntil: lease }, order: [['id', 'ASC']], transaction: t });
  });
}

/** Write a delivery's outcome only while it still carries our lease; the number of rows changed (0: the lease was lost). */
export async function settleDelivery(
  id: number,
  lease: Date,
  values: Partial<Pick<WebhookDelivery, 'status' | 'leaseUntil' | 'lastError' | 'lastStatus' | 'nextAttemptAt' | 'deliveredAt'>>,
  t?: Transaction,
): Promise<number> {
  const [count] = await WebhookDelivery.update(values, { where: { id, status: 'sending', leaseUntil: lease }, transaction: t });
  return count;
}

/**
 * Mark delivered, in one statement per (lease, answer status), those of `ids` that still carry
 * `lease`; returns the ids written (the others' lease was lost). The rows are read first under the
 * transaction's lock (SQLite's write lock; FOR UPDATE on PostgreSQL), so the answer is exact.
 */
export async function settleDelivered(
  db: Database,
  ids: number[],
  lease: Date,
  values: { lastStatus: number; deliveredAt: Date },
  t: Transaction,
): Promise<number[]> {
  const owned = (
    await WebhookDelivery.findAll({
      attributes: ['id'],
      where: { id: { [Op.in]: ids }, status: 'sending', leaseUntil: lease },
      raw: true,
      transaction: t,
      ...(db.dialect === 'postgres' ? { lock: t.LOCK.UPDATE } : {}),
    })
  ).map((r) => r.id);
  if (owned.length === 0) return [];
  await WebhookDelivery.update(
    { status: 'delivered', leaseUntil: null, deliveredAt: values.deliveredAt, lastStatus: values.lastStatus, lastError: null },
    { where: { id: { [Op.in]: owned }, status: 'sending', leaseUntil: lease }, transaction: t },
  );
  return owned;
}

/** A success ends the endpoint's run of failures (written only when there is one to end). */
export async function endFailureRun(endpointId: number, t?: Transaction): Promise<void> {
  await WebhookEndpoint.update({ failureRun: 0 }, { where: { id: endpointId, failureRun: { [Op.gt]: 0 } }, silent: true, transaction: t });
}

/** One more delivery that finally failed; returns the endpoint as it is now (locked for the rest of the transaction). */
export async function lengthenFailureRun(endpointId: number, t: Transaction): Promise<WebhookEndpoint | null> {
  await WebhookEndpoint.update({ failureRun: literal('failure_run + 1') }, { where: { id: endpointId }, transaction: t, silent: true });
  return WebhookEndpoint.findByPk(endpointId, { transaction: t });
}

/** Endpoints of `orgIds` (null: all), oldest first. */
export async function endpointsIn(orgIds: number[] | null): Promise<WebhookEndpoint[]> {
  return WebhookEndpoint.findAll({ where: orgIds === null ? {} : { organizationId: { [Op.in]: orgIds } }, order: [['id', 'ASC']] });
}

/** The latest deliveries of an endpoint (only the failed ones with `failedOnly`), newest first. */
export async function recentDeliveries(endpointId: number, opts: { failedOnly: boolean; limit: number }): Promise<WebhookDelivery[]> {
  return WebhookDelivery.findAll({
    where: { endpointId, ...(opts.failedOnly ? { status: 'failed' } : {}) },
    order: [['id', 'DESC']],
    limit: opts.limit,
  });
}

/** Deliveries of an endpoint by status. */
export async function deliveryCounts(endpointId: number): Promise<Record<string, number>> {
  const rows = (await WebhookDelivery.findAll({
    attributes: ['status', [literal('COUNT(*)'), 'n']],
    where: { endpointId },
    group: ['status'],
    raw: true,
  })) as unknown as Array<{ status: string; n: number | string }>;
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Directory users holding the administrator role in an organization (who hears that its endpoint was disabled). */
export async function administratorsOf(organizationId: number): Promise<Array<Pick<User, 'id' | 'email' | 'username'>>> {
  const ms = await Membership.findAll({
    where: { organizationId, roles: { [Op.like]: '%administrator%' } },
    attributes: ['userId'],
    raw: true,
  });
  if (ms.length === 0) return [];
  return User.findAll({
    where: { id: { [Op.in]: ms.map((m) => m.userId) }, enabled: true },
    attributes: ['id', 'email', 'username'],
    raw: true,
  });
}
