// Block Kit of `/users help`.
import { SUB_COMMANDS } from '../command-parser';
import type { SlackMessage } from './messages';

export function helpMessage(commandName: string): SlackMessage {
  const lines = SUB_COMMANDS.map((c) => `\`${commandName} ${c.usage}\` — ${c.summary}`);
  const text = [
    '*userops* — the user directory, from Slack.',
    lines.join('\n'),
    '_USER_ is a username, an email, an id or an @mention. Replies are visible only to you; add `--share` to `find`, `list` or `show` to post in the channel._',
  ].join('\n\n');
  return { text: 'userops help', blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
