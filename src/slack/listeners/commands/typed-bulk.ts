// `/users enable|disable|activate USER… [--reason "TEXT"]`: a few at once, more through the bulk flow's preview or form.
import type { PerUserResult } from '../../../services/account-status';
import { actOnTypedRefs, type TypedAction } from '../../../services/bulk-actions';
import { bulkPreviewMessage, fillBulkForm } from '../../flows/bulk';
import type { CommandRun, SubCommandHandler } from '../../handler-args';
import { byLine, replyEphemeral, replyFailure } from '../../kit';
import { isMessage, presentCard, userRefs } from '../../presenters';
import { errorMessage, resultsMessage } from '../../views/messages';
import { noticeModal, warningModal } from '../../views/modals';

const TITLE: Record<TypedAction, string> = { enable: 'Enable', disable: 'Disable', activate: 'Activate' };
const UNDO: Partial<Record<TypedAction, { label: string; action: TypedAction }>> = {
  enable: { label: 'Undo (disable again)', action: 'disable' },
  disable: { label: 'Undo (enable again)', action: 'enable' },
};

/** The inline answer, as the commands always gave it: one user's card after an unlock, else a line per name (and Undo). */
async function answerInline(run: CommandRun, action: TypedAction, results: PerUserResult[], problems: string[]): Promise<void> {
  const { deps, actor, respond, body } = run;
  const only = results.length === 1 && problems.length === 0 ? results[0] : null;
  if (action === 'activate' && only?.userId !== undefined && (only.status === 'done' || only.status === 'noop')) {
    const notice = only.status === 'done' ? `Activated ${byLine(body.user_id, deps.rt.now())}` : `➖ ${only.message}`;
    const card = await presentCard(deps, actor, String(only.userId), { notice });
    return isMessage(card) ? replyEphemeral(respond, card) : replyFailure(respond, card);
  }
  const changed = results.filter((r) => r.status === 'done' && r.userId !== undefined).map((r) => r.userId!);
  const title = `${TITLE[action]}: ${changed.length} of ${results.length + problems.length} changed`;
  const undo = UNDO[action];
  const undoButton = undo && changed.length > 0 ? { label: undo.label, value: `${undo.action}:${changed.join(',')}` } : undefined;
  const lines = [...results, ...problems.map((p) => ({ ref: '', status: 'not_found' as const, message: p }))];
  await replyEphemeral(respond, resultsMessage(title, lines, undoButton && undoButton.value.length <= 2000 ? undoButton : undefined));
}

/**
 * Up to 10 names act at once; more answer with the bulk preview and a Confirm button when the
 * command carries `--reason`, else with the bulk form pre-filled (the dispatcher opened the modal
 * before any slow work, see registerCommands).
 */
export function typedBulkCommand(action: TypedAction): SubCommandHandler {
  return async (run) => {
    const { deps, actor, command, respond, client, modalViewId } = run;
    const { refs, problems } = await userRefs(deps, client, command.args);
    if (refs.length === 0) {
      if (modalViewId)
        await client.views.update({ view_id: modalViewId, view: warningModal('userops', problems[0] ?? 'Name at least one user.') });
      return replyEphemeral(respond, errorMessage(problems[0] ?? 'Name at least one user.'));
    }
    const outcome = await actOnTypedRefs(deps.rt, actor, { action, refs, reason: command.reason ?? null });
    if (!outcome.ok) {
      if (modalViewId) await client.views.update({ view_id: modalViewId, view: warningModal('userops', outcome.message) });
      return replyFailure(respond, outcome);
    }
    if (outcome.mode === 'reason_needed') {
      if (modalViewId) return fillBulkForm(deps, client, actor, modalViewId, { action, pasted: outcome.pasted });
      return replyEphemeral(
        respond,
        errorMessage(`That is ${outcome.count} users: add a reason, e.g. \`${deps.commandName} ${action} … --reason "incident 4711"\`.`),
      );
    }
    // The modal opened for a long list is not needed after all (the names were repeats, or a reason came along).
    if (modalViewId)
      await client.views.update({
        view_id: modalViewId,
        view: noticeModal('userops', 'The answer is in the conversation; you can close this.'),
      });
    if (outcome.mode === 'preview') return replyEphemeral(respond, bulkPreviewMessage(outcome.preview));
    await answerInline(run, action, outcome.results, problems);
  };
}
