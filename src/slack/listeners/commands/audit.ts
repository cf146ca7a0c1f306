// `/users audit [USER]`.
import { queryAudit, type AuditFilter } from '../../../services/audit-query';
import type { Arg } from '../../command-parser';
import { replyEphemeral, replyFailure } from '../../kit';
import { userRefs } from '../../presenters';
import { auditMessage } from '../../views/audit';
import { errorMessage } from '../../views/messages';
import type { SubCommandHandler } from '../../handler-args';

export const AUDIT_PAGE_SIZE = 15;

export interface AuditArgs {
  about?: Arg;
  by?: Arg;
  action?: string;
}

/** `[USER] [action:ACTION] [by:USER]` in any order; `by:` may be followed by a mention (`by: @ana`). */
export function parseAuditArgs(args: Arg[], commandName: string): AuditArgs | { error: string } {
  const out: AuditArgs = {};
  const usage = `Usage: \`${commandName} audit [USER] [action:ACTION] [by:USER]\`.`;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = a.kind === 'text' ? /^(action|by):(.*)$/i.exec(a.value) : null;
    if (m) {
      const key = m[1].toLowerCase() as 'action' | 'by';
      const value: Arg | undefined = m[2] ? { kind: 'text', value: m[2] } : args[++i];
      if (!value || out[key] !== undefined) return { error: usage };
      if (key === 'action') {
        if (value.kind !== 'text') return { error: usage };
        out.action = value.value;
      } else out.by = value;
      continue;
    }
    if (out.about !== undefined) return { error: usage };
    out.about = a;
  }
  return out;
}

/** `audit [USER] [action:ACTION] [by:USER]`: the latest events, newest first, with an Older button. */
export const auditCommand: SubCommandHandler = async ({ deps, actor, command, respond, client }) => {
  const parsed = parseAuditArgs(command.args, deps.commandName);
  if ('error' in parsed) return replyEphemeral(respond, errorMessage(parsed.error));
  const resolved = await userRefs(
    deps,
    client,
    [parsed.about, parsed.by].filter((a): a is Arg => a !== undefined),
  );
  if (resolved.problems.length > 0) return replyEphemeral(respond, errorMessage(resolved.problems[0]));
  const refs = [...resolved.refs];
  const filter: AuditFilter = {
    ref: parsed.about ? refs.shift() : undefined,
    by: parsed.by ? refs.shift() : undefined,
    action: parsed.action,
  };
  const result = await queryAudit(deps.rt, actor, { ...filter, limit: AUDIT_PAGE_SIZE });
  if (!result.ok) return replyFailure(respond, result);
  await replyEphemeral(respond, auditMessage({ events: result.events, filter, nextBeforeId: result.nextBeforeId }));
};
