import { sha256Hex } from '../../../src/domain/tokens';
import type { StandInMessage, StandInView } from '../../../src/standin';
import { ApiKey, ApprovalRequest, AuditEvent, User } from '../../../src/store/models';
import { DIALECTS } from '../../support/db';
import { modalShowing, slackTestEnv, textOf, type SlackTestEnv } from '../../support/slack-env';

const ANA = 'U0ANA0001'; // administrator of acme: the requester
const BOB = 'U0BOB0001'; // administrator of acme: the approver

/** The DM channel the stand-in opens for a user (conversations.open). */
const dmOf = (slackId: string) => `D${slackId.slice(1)}`;
const KEY = /uok_[0-9A-Za-z]{49}/g;

/**
 * Issue 19, `api_key` in APPROVAL_REQUIRED: the key is requested, approved by a second person, and
 * then created by the requester alone, once, in a modal: never in a message (DMs persist).
 */
describe.each(DIALECTS)('an API key under two-person approval on %s', (dialect) => {
  let env: SlackTestEnv;
  /** Every key a modal showed, for the leak check at the end. */
  const shown: string[] = [];

  beforeAll(async () => {
    env = await slackTestEnv(dialect, { env: { APPROVAL_REQUIRED: 'api_key' } });
    await env.person(ANA, { username: 'ana', orgs: { acme: ['administrator'] } });
    await env.person(BOB, { username: 'bob', orgs: { acme: ['administrator'] } });
    for (const u of ['carol', 'dave', 'erin', 'fred'])
      await env.person(`U0${u.toUpperCase()}0001`.slice(0, 9), { username: u, orgs: { acme: ['viewer'] } });
  });
  afterAll(async () => env.close());

  const latestRequest = async () => (await ApprovalRequest.findOne({ order: [['id', 'DESC']] }))!;
  const keysOf = async (username: string) => ApiKey.count({ where: { userId: (await User.findOne({ where: { username } }))!.id } });

  async function apiStatus(key: string): Promise<number> {
    const res = await fetch(`${env.server.url}/api/v1/users`, { headers: { authorization: `Bearer ${key}` } });
    await res.text();
    return res.status;
  }

  /** The next reply to a click through its response_url (a new message, or the clicked one replaced). */
  async function click(slackId: string, on: StandInMessage, button: string): Promise<StandInMessage> {
    const before = env.standIn.messages.length;
    const versions = on.versions.length;
    expect((await env.driver.clickButton(slackId, on, button)).status).toBe(200);
    return env.standIn.waitFor(
      () =>
        env.standIn.messages.slice(before).find((m) => m.source === 'response_url' && (m.visibleTo === slackId || !m.ephemeral)) ??
        (on.versions.length > versions ? on : undefined),
      8000,
      `the answer to ${slackId} clicking ${button}`,
    );
  }

  /** `api-key USER` (or the card's button) answers "Request approval"; clicking it stores and sends the request. */
  async function requestKey(reply: StandInMessage, username: string): Promise<ApprovalRequest> {
    const t = textOf(reply);
    expect(t).toContain(`An API key for *${username}* in *acme* needs a second person's approval`);
    expect(env.driver.buttons(reply).map((b) => b.text)).toEqual(['Request approval', 'Cancel']);
    expect(t).not.toMatch(KEY);
    const pending = await click(ANA, reply, 'Request approval');
    expect(textOf(pending)).toContain('Approval requested (#');
    const req = await latestRequest();
    expect([req.action, req.status, req.neededBecause]).toEqual(['api_key', 'pending', 'api_key']);
    expect(await keysOf(username)).toBe(0);
    return req;
  }

  /** The request in bob's DM. */
  function requestIn(id: number): Promise<StandInMessage> {
    return env.standIn.waitFor(
      () =>
        env.standIn.messages.find(
          (m) => m.channel === dmOf(BOB) && m.source === 'chat.postMessage' && textOf(m).includes(`approval request #${id}`),
        ),
      5000,
      `request #${id} in bob's DM`,
    );
  }

  /** Ana's DM message about request `id` once it carries "Create the key now", as it was then (it is rewritten later). */
  async function createButtonFor(id: number): Promise<StandInMessage> {
    const m = await env.standIn.waitFor(
      () =>
        env.standIn.messages.find(
          (x) => x.channel === dmOf(ANA) && x.versions.some((v) => JSON.stringify(v.blocks ?? []).includes(`approved_key:${id}`)),
        ),
      5000,
      `the "Create the key now" button of #${id}`,
    );
    const v = m.versions.find((x) => JSON.stringify(x.blocks ?? []).includes(`approved_key:${id}`))!;
    return { ...m, text: v.text, blocks: v.blocks };
  }

  /** `slackId` clicks "Create the key now" on `m`: the modal it opens, once it shows more than "Working…". */
  async function createKey(slackId: string, m: StandInMessage, expected: string): Promise<StandInView> {
    expect((await env.driver.clickButton(slackId, m, 'Create the key now')).status).toBe(200);
    return modalShowing(env.standIn, slackId, expected);
  }

  test('request → approve → the requester creates the key once, in a modal; it works; a second click and the approver are refused', async () => {
    const req = await requestKey((await env.run(ANA, 'api-key carol')).reply, 'carol');
    const toBob = await requestIn(req.id);
    expect(textOf(toBob)).toContain('An API key for them in *acme*');
    // Approved late in the request's life: the time to create the key counts from the approval.
    env.clock.now = new Date(env.clock.now.getTime() + 50 * 60_000);
    const approved = await click(BOB, toBob, 'Approve');
    expect(textOf(approved)).toContain('The requester may create the key once, until');
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('approved');
    expect(await keysOf('carol')).toBe(0); // nothing made by the approval itself
    const button = await createButtonFor(req.id);

    // bob cannot use ana's button (even with a click crafted on her message).
    const refused = await createKey(BOB, button, 'Only the person who asked for this key can create it');
    expect(JSON.stringify(refused.view)).not.toMatch(KEY);
    expect(await keysOf('carol')).toBe(0);

    // 30 minutes on: past the request's own expiry, within APPROVAL_TTL_MINUTES of the approval.
    env.clock.now = new Date(env.clock.now.getTime() + 30 * 60_000);
    const modal = await createKey(ANA, button, 'New API key for *carol* in *acme*');
    const key = JSON.stringify(modal.view).match(KEY)![0];
    shown.push(key);
    expect(await apiStatus(key)).toBe(200);
    const row = (await ApiKey.findOne({ where: { keyHash: sha256Hex(key) } }))!;
    expect(row).not.toBeNull();
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('used');
    const line = (await AuditEvent.findOne({ where: { action: 'api_key_generate', targetUserId: row.userId } }))!;
    expect(JSON.parse(line.details!)).toMatchObject({ keyId: row.id, approvalId: req.id, organization: 'acme' });
    expect(line.actorLabel).toContain('ana');

    // The button's messages are rewritten without it; a second click (on the message as it was) makes nothing.
    await env.standIn.waitFor(() => (textOf(toBob).includes('created by') ? toBob : undefined), 5000, 'bob’s copy rewritten');
    const again = await createKey(ANA, button, 'already created');
    expect(JSON.stringify(again.view)).not.toMatch(KEY);
    expect(await ApiKey.count({ where: { userId: row.userId } })).toBe(1);
    expect(await apiStatus(key)).toBe(200);
    expect(await AuditEvent.count({ where: { action: 'api_key_generate', targetUserId: row.userId } })).toBe(1);
  });

  test('approved but not used within APPROVAL_TTL_MINUTES of the approval: refused, nothing made', async () => {
    const req = await requestKey((await env.run(ANA, 'api-key dave acme')).reply, 'dave');
    await click(BOB, await requestIn(req.id), 'Approve');
    const button = await createButtonFor(req.id);
    env.clock.now = new Date(env.clock.now.getTime() + 61 * 60_000);
    const modal = await createKey(ANA, button, 'The time to create this key ran out');
    expect(JSON.stringify(modal.view)).not.toMatch(KEY);
    expect(await keysOf('dave')).toBe(0);
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('approved');
  });

  test('two clicks at once on "Create the key now" make one key', async () => {
    const req = await requestKey((await env.run(ANA, 'api-key fred')).reply, 'fred');
    await click(BOB, await requestIn(req.id), 'Approve');
    const button = await createButtonFor(req.id);
    const viewsBefore = new Set(env.standIn.views.keys());
    const [a, b] = await Promise.all([
      env.driver.clickButton(ANA, button, 'Create the key now'),
      env.driver.clickButton(ANA, button, 'Create the key now'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const modals = () => [...env.standIn.views.values()].filter((v) => !viewsBefore.has(v.id) && v.userId === ANA);
    const texts = await env.standIn.waitFor(
      () => {
        const t = modals().map((v) => JSON.stringify(v.view));
        return t.length === 2 && t.every((x) => !x.includes('Working')) ? t : undefined;
      },
      8000,
      'both modals answered',
    );
    const withKey = texts.filter((t) => t.match(KEY) !== null);
    expect(withKey).toHaveLength(1);
    shown.push(withKey[0].match(KEY)![0]);
    expect(texts.filter((t) => t.includes('already created'))).toHaveLength(1);
    expect(await keysOf('fred')).toBe(1);
  });

  test('denied (asked from the card’s button): no key, no button', async () => {
    const { reply: card } = await env.run(ANA, 'show erin');
    const before = env.standIn.messages.length;
    await env.driver.clickButton(ANA, card, 'API key');
    const ask = await env.standIn.waitFor(
      () => env.standIn.messages.slice(before).find((m) => m.visibleTo === ANA && textOf(m).includes('Request approval')),
      5000,
      'Request approval for erin',
    );
    const req = await requestKey(ask, 'erin');
    await env.driver.clickButton(BOB, await requestIn(req.id), 'Deny…');
    const modal = await modalShowing(env.standIn, BOB, `request #${req.id}`);
    await env.driver.submitView(BOB, modal, { reason: { value: { type: 'plain_text_input', value: 'erin is a person, not a service' } } });
    await modalShowing(env.standIn, BOB, 'Denied by');
    expect((await ApprovalRequest.findByPk(req.id))!.status).toBe('denied');
    await env.standIn.waitFor(
      () => env.standIn.messages.find((m) => m.channel === dmOf(ANA) && textOf(m).includes('erin is a person')),
      5000,
      'the requester told why',
    );
    const dm = env.standIn.messages.filter((m) => m.channel === dmOf(ANA));
    expect(dm.some((m) => m.versions.some((v) => JSON.stringify(v.blocks ?? []).includes(`approved_key:${req.id}`)))).toBe(false);
    expect(await keysOf('erin')).toBe(0);
  });

  test('no key ever reached a message: every chat.postMessage and chat.update the stand-in recorded, and every message version', () => {
    expect(shown.length).toBeGreaterThan(0);
    const posted = [...env.standIn.callsTo('chat.postMessage'), ...env.standIn.callsTo('chat.update')].map((c) => JSON.stringify(c.args));
    expect(posted.length).toBeGreaterThan(0);
    const messages = env.standIn.messages.flatMap((m) => m.versions.map((v) => `${v.text ?? ''}${JSON.stringify(v.blocks ?? [])}`));
    for (const text of [...posted, ...messages]) {
      expect(text).not.toMatch(KEY);
      for (const key of shown) expect(text).not.toContain(key);
    }
  });
});
