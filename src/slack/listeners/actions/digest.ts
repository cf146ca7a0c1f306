// The lockout digest's buttons: activate or reset a row, bulk-reset a spike.
import { showUser } from '../../../services/directory';
import { spikeUsers } from '../../../services/lockout-digest';
import { fillBulkForm } from '../../flows/bulk';
import { actorOrRefuse, actorOrWarnModal, replyEphemeral, replyFailure, safely, updateView, type SlackDeps } from '../../kit';
import { esc, plural, slackDate } from '../../views/common';
import { rewriteDigestRow } from '../../views/digest';
import { textMessage } from '../../views/messages';
import { loadingModal, userOptionLabel, warningModal } from '../../views/modals';
import { performUserAction } from '../../perform';
import { firstAction, type BlockActionArgs } from '../../handler-args';

/** Multi-selects take at most 100 initial options. */
const PREFILL_MAX = 100;

/**
 * Activate / Reset password on a digest row. The clicker's own permission decides (the buttons
 * are the same for everyone in the channel); a refusal is told to them alone and changes nothing.
 * Done: that one row of the channel message is rewritten with who did what.
 */
export function digestRowButton(deps: SlackDeps, action: 'activate' | 'reset_password') {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, `digest:${action}`, async () => {
      const userId = Number(firstAction(body).value);
      if (!Number.isSafeInteger(userId)) return;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const done = await performUserAction(deps, actor, action, userId, body.user.id, client);
      if (!done.ok) return replyFailure(respond, done);
      const now = await showUser(deps.rt, actor, { ref: String(userId) });
      const message = body.message;
      const channel = body.channel?.id ?? body.container?.channel_id;
      if (!now.ok || !message?.ts || !Array.isArray(message.blocks) || !channel) {
        return replyEphemeral(respond, textMessage(`*${esc(done.username ?? String(userId))}*: ${done.notice}`));
      }
      const who = done.username ? `*${esc(done.username)}*: ` : '';
      await client.chat.update({
        channel,
        ts: message.ts,
        text: typeof message.text === 'string' && message.text.length > 0 ? message.text : 'Lockout digest',
        blocks: rewriteDigestRow(message.blocks, userId, `${who}${done.notice}`, now.user),
      });
      await deps.hooks.refreshHome?.(client, body.user.id);
    });
  };
}

function parseWindow(value: string | undefined): { from: Date; to: Date } | null {
  try {
    const v = JSON.parse(value ?? '') as { from?: unknown; to?: unknown };
    const from = new Date(String(v.from));
    const to = new Date(String(v.to));
    return Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from ? null : { from, to };
  } catch {
    return null;
  }
}

/** The spike warning's button: the bulk form (Reset password), pre-filled with the users locked in that hour. */
export function digestSpikeButton(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'digest_spike_bulk', async () => {
      const window = parseWindow(firstAction(body).value);
      if (!window) return;
      // The trigger id expires in 3 s: open the modal before resolving anyone or querying.
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingModal('Bulk password reset') });
      const viewId = opened.view?.id;
      if (!viewId) return;
      const show = updateView(client, viewId);
      const actor = await actorOrWarnModal(deps, client, { id: body.user.id, name: body.user.username }, 'Bulk password reset', show);
      if (!actor) return;
      const found = await spikeUsers(deps.rt, actor, window);
      if (!found.ok) {
        await show(warningModal('Bulk password reset', found.message));
        return;
      }
      const users = found.users;
      const reason = `Possible credential-stuffing attack: ${plural(users.length, 'user')} locked out between ${window.from.toISOString().slice(0, 16).replace('T', ' ')} and ${window.to.toISOString().slice(11, 16)} UTC`;
      await fillBulkForm(deps, client, actor, viewId, {
        action: 'reset_password',
        users: users.slice(0, PREFILL_MAX).map((u) => ({ id: u.id, label: userOptionLabel(u) })),
        reason,
      });
      if (users.length > PREFILL_MAX) {
        await replyEphemeral(
          respond,
          textMessage(
            `:warning: ${plural(users.length, 'user was', 'users were')} locked out in that hour (from ${slackDate(window.from)}); ` +
              `the form holds the first ${PREFILL_MAX} (Slack's limit). Choose the *Locked* view in the form to include everyone still locked.`,
          ),
        );
      }
    });
  };
}
