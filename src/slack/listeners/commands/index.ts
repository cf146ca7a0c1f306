// The `/users` registrar: the sub-command table and the sub-commands that open a modal. Import only registerCommands from here.
import type { App } from '@slack/bolt';
import { INLINE_MAX } from '../../../services/bulk-actions';
import { SUB_COMMANDS, type ParsedCommand } from '../../command-parser';
import { approvalsCommand } from '../../flows/approvals';
import { bulkCommand } from '../../flows/bulk';
import { changePasswordCommand } from '../../flows/change-password';
import { inviteCommand, isInviteManagement } from '../../flows/invite';
import type { SubCommandHandler } from '../../handler-args';
import type { SlackDeps } from '../../kit';
import { apiKeyCommand } from './api-key';
import { auditCommand } from './audit';
import { deleteCommand } from './delete';
import { exportCommand } from './export';
import { findCommand, listCommand } from './find';
import { helpCommand } from './help';
import { reassignCommand } from './reassign';
import { reviewCommand } from './review';
import { scimCommand } from './scim';
import { resetPasswordCommand } from './reset-password';
import { addCommand, grantCommand, removeCommand, revokeCommand } from './roles';
import { showCommand } from './show';
import { typedBulkCommand } from './typed-bulk';
import { usersCommand } from './users-command';
import { webhooksCommand } from './webhooks';

/** Every sub-command of `/users` (names as in command-parser's SUB_COMMANDS) and its handler. */
const SUB_COMMAND_HANDLERS: Readonly<Record<string, SubCommandHandler>> = {
  help: helpCommand,
  find: findCommand,
  list: listCommand,
  show: showCommand,
  enable: typedBulkCommand('enable'),
  disable: typedBulkCommand('disable'),
  activate: typedBulkCommand('activate'),
  delete: deleteCommand,
  'reset-password': resetPasswordCommand,
  'change-password': changePasswordCommand,
  bulk: bulkCommand,
  'api-key': apiKeyCommand,
  grant: grantCommand,
  revoke: revokeCommand,
  add: addCommand,
  remove: removeCommand,
  invite: inviteCommand,
  scim: scimCommand,
  export: exportCommand,
  reassign: reassignCommand,
  audit: auditCommand,
  review: reviewCommand,
  approvals: approvalsCommand,
  webhooks: webhooksCommand,
};

/**
 * Sub-commands that open a modal: the dispatcher opens a "loading" modal right after the ack,
 * before any slow I/O (the trigger id expires in 3 s). A name, or a name and its first word
 * (`export fields`) when only that form opens one.
 */
const OPENS_MODAL: ReadonlySet<string> = new Set(['change-password', 'bulk', 'export fields']);

/** A typed enable/disable/activate of more than INLINE_MAX names without a reason answers with the bulk form. */
const TYPED_BULK: ReadonlySet<string> = new Set(['enable', 'disable', 'activate']);
const opensBulkForm = (command: ParsedCommand) => TYPED_BULK.has(command.name) && command.args.length > INLINE_MAX && !command.reason;
/** `invite …` opens the invitation form, except `invite resend|revoke …`. */
const opensInviteForm = (command: ParsedCommand) => {
  const first = command.args[0];
  return command.name === 'invite' && !isInviteManagement(first?.kind === 'text' ? first.value.toLowerCase() : undefined);
};

export function registerCommands(app: App, deps: SlackDeps): void {
  // A sub-command the parser knows but nothing handles is a bug: refuse to start rather than answer with nothing.
  const missing = SUB_COMMANDS.map((c) => c.name).filter((name) => !SUB_COMMAND_HANDLERS[name]);
  if (missing.length > 0) throw new Error(`no handler for /users ${missing.join(', ')}`);
  app.command(
    deps.commandName,
    usersCommand(deps, {
      handlers: SUB_COMMAND_HANDLERS,
      opensModal: OPENS_MODAL,
      alsoOpensModal: (c) => opensBulkForm(c) || opensInviteForm(c),
    }),
  );
}
