import { queryAudit } from '../../services/audit-query';
import { replyEphemeral, replyFailure } from '../kit';
import { userRefs } from '../presenters';
import { auditMessage } from '../views/audit';
import { errorMessage } from '../views/messages';
import type { SubCommandHandler } from './types';

export const AUDIT_PAGE_SIZE = 15;

/** `audit [USER]`: the latest events, newest first, with an Older button. */
export const auditCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const { refs, problems } = await userRefs(deps, client, command.args);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  const result = await queryAudit(deps.rt, actor, { ref: refs[0], limit: AUDIT_PAGE_SIZE });
  if (!result.ok) return replyFailure(respond, result);
  await replyEphemeral(respond, auditMessage({ events: result.events, ref: refs[0], nextBeforeId: result.nextBeforeId }));
};
