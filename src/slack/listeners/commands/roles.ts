// `/users grant|revoke USER ROLE in ORG`, `/users add USER to ORG [as ROLE]`, `/users remove USER from ORG`.
import type { Outcome } from '../../../domain/outcome';
import { addMembership, grantRole, removeMembership, revokeRole } from '../../../services/roles';
import { argText, keywordArgs, type Arg } from '../../command-parser';
import type { SubCommandHandler } from '../../handler-args';
import { replyEphemeral, replyFailure } from '../../kit';
import { userRefs } from '../../presenters';
import { esc } from '../../views/common';
import { errorMessage, textMessage } from '../../views/messages';

type Respond = Parameters<SubCommandHandler>[0]['respond'];

async function answer(respond: Respond, result: Outcome<{ message: string; changed: boolean }>): Promise<void> {
  if (!result.ok) return replyFailure(respond, result);
  await replyEphemeral(respond, textMessage(`${result.changed ? '✅' : 'ℹ️'} ${esc(result.message)}`));
}

/** USER and the rest, or the usage line: `keyword` names the organization (`in`, `to`, `from`). */
function read(
  args: Arg[],
  usage: string,
  orgKeyword: string,
  extraKeywords: readonly string[] = [],
): { user: Arg; rest: Arg[]; org: string; named: Partial<Record<string, string>> } | { error: string } {
  const split = keywordArgs(args, [orgKeyword, ...extraKeywords]);
  if ('error' in split) return { error: `${split.error} Usage: \`${usage}\`.` };
  const { positional, named } = split;
  // `grant bob viewer acme` (without `in`) reads the same.
  let org = named[orgKeyword];
  const rest = positional.slice(1);
  if (org === undefined && rest.length > 0 && rest[rest.length - 1].kind === 'text') org = argText(rest.pop() as Arg);
  if (positional.length === 0 || org === undefined) return { error: `Usage: \`${usage}\`.` };
  return { user: positional[0], rest, org, named };
}

function roleCommand(grant: boolean): SubCommandHandler {
  return async ({ deps, actor, command, respond, client }) => {
    const usage = `${deps.commandName} ${grant ? 'grant' : 'revoke'} USER ROLE in ORG`;
    const parsed = read(command.args, usage, 'in');
    if ('error' in parsed) return replyEphemeral(respond, errorMessage(parsed.error));
    if (parsed.rest.length !== 1) return replyEphemeral(respond, errorMessage(`Usage: \`${usage}\`.`));
    const { refs, problems } = await userRefs(deps, client, [parsed.user]);
    if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
    const input = { ref: refs[0], role: argText(parsed.rest[0]), org: parsed.org };
    await answer(respond, grant ? await grantRole(deps.rt, actor, input) : await revokeRole(deps.rt, actor, input));
  };
}

export const grantCommand = roleCommand(true);
export const revokeCommand = roleCommand(false);

/** `add USER to ORG [as ROLE]`. */
export const addCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const usage = `${deps.commandName} add USER to ORG [as ROLE]`;
  const parsed = read(command.args, usage, 'to', ['as']);
  if ('error' in parsed) return replyEphemeral(respond, errorMessage(parsed.error));
  if (parsed.rest.length !== 0) return replyEphemeral(respond, errorMessage(`Usage: \`${usage}\`.`));
  const { refs, problems } = await userRefs(deps, client, [parsed.user]);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  await answer(respond, await addMembership(deps.rt, actor, { ref: refs[0], org: parsed.org, role: parsed.named.as }));
};

/** `remove USER from ORG`. */
export const removeCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const usage = `${deps.commandName} remove USER from ORG`;
  const parsed = read(command.args, usage, 'from');
  if ('error' in parsed)
    return replyEphemeral(respond, errorMessage(`${parsed.error} To delete the user, use \`${deps.commandName} delete USER\`.`));
  if (parsed.rest.length !== 0) return replyEphemeral(respond, errorMessage(`Usage: \`${usage}\`.`));
  const { refs, problems } = await userRefs(deps, client, [parsed.user]);
  if (problems.length > 0) return replyEphemeral(respond, errorMessage(problems[0]));
  await answer(respond, await removeMembership(deps.rt, actor, { ref: refs[0], org: parsed.org }));
};
