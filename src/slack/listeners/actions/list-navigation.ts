// Paging and the saved-view picker of lists, and older audit events.
import { isSavedView } from '../../../domain/status';
import { queryAudit } from '../../../services/audit-query';
import { AUDIT_PAGE_SIZE } from '../commands/audit';
import { BLOCK } from '../../constants';
import { actorOrRefuse, replaceOriginal, replyFailure, safely, type SlackDeps } from '../../kit';
import { isMessage, presentList } from '../../presenters';
import { auditMessage, decodeAuditPage } from '../../views/audit';
import { decodeListState, type ListState } from '../../views/list-state';
import { firstAction, type BlockActionArgs } from '../../handler-args';

async function showPage(deps: SlackDeps, args: BlockActionArgs, state: ListState | null): Promise<void> {
  const { body, client, respond } = args;
  if (!state) return;
  const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
  if (!actor) return;
  const list = await presentList(deps, actor, state);
  if (!isMessage(list)) return replyFailure(respond, list);
  await replaceOriginal(respond, list);
}

/** Previous / Next: the button's value is the list state of the page to show. */
export function pageButton(deps: SlackDeps) {
  return async (args: BlockActionArgs): Promise<void> => {
    await args.ack();
    await safely(deps, args.respond, 'page', () => showPage(deps, args, decodeListState(firstAction(args.body).value ?? '')));
  };
}

/** The saved-view picker: same text, new view, first page. */
export function viewPicker(deps: SlackDeps) {
  return async (args: BlockActionArgs): Promise<void> => {
    await args.ack();
    await safely(deps, args.respond, 'view_picker', async () => {
      const { blockId, selectedValue } = firstAction(args.body);
      if (!selectedValue || !isSavedView(selectedValue)) return;
      const current = blockId.startsWith(`${BLOCK.listState}:`) ? decodeListState(blockId.slice(BLOCK.listState.length + 1)) : null;
      await showPage(deps, args, { text: current?.text ?? '', view: selectedValue, offset: 0 });
    });
  };
}

/** Older audit events, with the same filter. */
export function auditMore(deps: SlackDeps) {
  return async ({ ack, body, client, respond }: BlockActionArgs): Promise<void> => {
    await ack();
    await safely(deps, respond, 'audit_more', async () => {
      const page = decodeAuditPage(firstAction(body).value);
      if (!page) return;
      const { before, ...filter } = page;
      const actor = await actorOrRefuse(deps, client, body.user.id, body.user.username, respond);
      if (!actor) return;
      const result = await queryAudit(deps.rt, actor, { ...filter, beforeId: before, limit: AUDIT_PAGE_SIZE });
      if (!result.ok) return replyFailure(respond, result);
      await replaceOriginal(respond, auditMessage({ events: result.events, filter, nextBeforeId: result.nextBeforeId }));
    });
  };
}
