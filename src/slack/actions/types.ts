import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';

export type BlockActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

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
