import type { App } from '@slack/bolt';
import type { SlackDeps } from '../kit';
import { activateCommand } from './activate';
import { auditCommand } from './audit';
import { deleteCommand } from './delete';
import { enableDisableCommand } from './enable-disable';
import { findCommand, listCommand } from './find';
import { helpCommand } from './help';
import { reassignCommand } from './reassign';
import { resetPasswordCommand } from './reset-password';
import { showCommand } from './show';
import type { SubCommandHandler } from './types';
import { usersCommand } from './users-command';

/** Sub-commands that later parts add register here; anything missing answers "not available yet". */
export function registerCommands(
  app: App,
  deps: SlackDeps,
  extra: Record<string, SubCommandHandler> = {},
  opensModal: string[] = [],
): void {
  const handlers: Record<string, SubCommandHandler> = {
    find: findCommand,
    list: listCommand,
    show: showCommand,
    enable: enableDisableCommand(true),
    disable: enableDisableCommand(false),
    activate: activateCommand,
    delete: deleteCommand,
    'reset-password': resetPasswordCommand,
    reassign: reassignCommand,
    audit: auditCommand,
    ...extra,
  };
  const all = [
    'help',
    'find',
    'list',
    'show',
    'enable',
    'disable',
    'activate',
    'delete',
    'reset-password',
    'change-password',
    'bulk-reset',
    'api-key',
    'export',
    'reassign',
    'audit',
  ];
  const unavailable = new Set(all.filter((n) => n !== 'help' && !handlers[n]));
  handlers.help = helpCommand(unavailable);
  app.command(deps.commandName, usersCommand(deps, { handlers, opensModal: new Set(opensModal) }));
}
