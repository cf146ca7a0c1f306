// The arguments each kind of Slack handler receives: Bolt's middleware args per surface, and a sub-command's run.
import type {
  AllMiddlewareArgs,
  BlockAction,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  SlashCommand,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../services/context';
import type { ParsedCommand } from './command-parser';
import type { SlackDeps } from './kit';

export type BlockActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
export type ViewSubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
export type BlockSuggestionArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

/** The first action of a block_actions payload, with the fields the handlers read. */
export function firstAction(body: BlockAction): {
  actionId: string;
  blockId: string;
  value?: string;
  selectedValue?: string;
} {
  const a = body.actions[0] as { action_id: string; block_id: string; value?: string; selected_option?: { value: string } };
  return { actionId: a.action_id, blockId: a.block_id, value: a.value, selectedValue: a.selected_option?.value };
}

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
