// `/users scim create ORG [NAME]`, `/users scim list [ORG]`, `/users scim revoke ID` (administrators of the organization).
import { createScimToken, listScimTokens, revokeScimToken } from '../../../services/scim-tokens';
import { argText } from '../../command-parser';
import type { SubCommandHandler } from '../../handler-args';
import { replyEphemeral, replyFailure } from '../../kit';
import { errorMessage, textMessage } from '../../views/messages';
import { scimTokenIssuedMessage, scimTokenListMessage } from '../../views/scim';

export const scimCommand: SubCommandHandler = async ({ deps, actor, command, respond }) => {
  const [verb, ...rest] = command.args.map(argText);
  const usage = `Usage: \`${deps.commandName} scim create ORG [NAME]\`, \`${deps.commandName} scim list [ORG]\` or \`${deps.commandName} scim revoke ID\`.`;
  switch (verb?.toLowerCase()) {
    case 'create': {
      if (rest.length < 1) return replyEphemeral(respond, errorMessage(usage));
      const made = await createScimToken(deps.rt, actor, { org: rest[0], name: rest.slice(1).join(' ') || undefined });
      if (!made.ok) return replyFailure(respond, made);
      return replyEphemeral(respond, scimTokenIssuedMessage(made.info, made.token, `${deps.rt.config.PUBLIC_URL}/scim/v2`));
    }
    case 'list': {
      if (rest.length > 1) return replyEphemeral(respond, errorMessage(usage));
      const listed = await listScimTokens(deps.rt, actor, { org: rest[0] });
      if (!listed.ok) return replyFailure(respond, listed);
      return replyEphemeral(respond, scimTokenListMessage(listed.tokens));
    }
    case 'revoke': {
      if (rest.length !== 1) return replyEphemeral(respond, errorMessage(usage));
      const r = await revokeScimToken(deps.rt, actor, { id: rest[0].replace(/^#/, '') });
      if (!r.ok) return replyFailure(respond, r);
      return replyEphemeral(respond, textMessage(r.message));
    }
    default:
      return replyEphemeral(respond, errorMessage(usage));
  }
};
