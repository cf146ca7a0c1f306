import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../services/context';
import type { ParsedCommand } from '../command-parser';
import type { SlackDeps } from '../kit';

/** One run of a sub-command, after the ack, with the acting directory user resolved. */
export interface CommandRun {
  deps: SlackDeps;
  actor: Actor;
  command: ParsedCommand;
  body: SlashCommand;
  client: WebClient;
  respond: RespondFn;
  /** For sub-commands that open a modal: the "loading" modal opened before any slow work. */
  modalViewId?: string;
}

export type SubCommandHandler = (run: CommandRun) => Promise<void>;
