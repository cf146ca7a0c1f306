// Block Kit of SCIM tokens: the token shown once, the list, and usage. Pure functions of plain data.
import type { KnownBlock } from '@slack/types';
import type { ScimTokenInfo } from '../../services/scim-tokens';
import { esc, slackDate } from './common';
import type { SlackMessage } from './messages';

/**
 * The one time a SCIM token is shown: ephemeral, to the administrator only. The token is in the
 * blocks, never in `text` (Slack uses that for notifications and previews).
 */
export function scimTokenIssuedMessage(info: ScimTokenInfo, token: string, baseUrl: string): SlackMessage {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `:identification_card: SCIM token #${info.id} *${esc(info.name)}* for *${esc(info.organization)}*:` },
    },
    { type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${token}\`\`\`` } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `In your identity provider: base URL \`${esc(baseUrl)}\`, authentication “HTTP header / bearer token” with this token. It is shown only this once.`,
        },
      ],
    },
  ];
  return { text: `SCIM token #${info.id} created for ${info.organization} (shown once).`, blocks };
}

export function scimTokenListMessage(tokens: ScimTokenInfo[]): SlackMessage {
  if (tokens.length === 0)
    return { text: 'No SCIM tokens.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'No SCIM tokens.' } }] };
  const lines = tokens.map((t) => {
    const state = t.revokedAt ? `revoked ${slackDate(t.revokedAt)}` : `last used ${slackDate(t.lastUsedAt)}`;
    return `• #${t.id} *${esc(t.name)}* in ${esc(t.organization)} — \`${esc(t.displayPrefix)}…\`, created ${slackDate(t.createdAt)}, ${state}`;
  });
  return {
    text: `${tokens.length} SCIM token${tokens.length === 1 ? '' : 's'}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } }],
  };
}
