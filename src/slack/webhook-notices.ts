// Tells an organization's administrators, in Slack, that one of its webhook endpoints was disabled.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { DisabledEndpoint } from '../services/webhook-delivery';
import { webhookNoticeRecipients } from '../services/webhooks';
import { memberIdByEmail } from './members';
import { endpointDisabledNotice } from './views/webhooks';

/**
 * A DM to each administrator of the endpoint's organization whose directory email is a member of
 * the workspace (users.lookupByEmail). The disabling is audited and logged whatever Slack says, so
 * an administrator who cannot be reached here still finds it in `/users audit` and the log.
 */
export function webhookDisabledReporter(client: WebClient, logger: Logger, commandName: string): (e: DisabledEndpoint) => void {
  return (e) => {
    (async () => {
      const { organization, emails } = await webhookNoticeRecipients(e.organizationId);
      const message = endpointDisabledNotice({ ...e, organization }, commandName);
      let told = 0;
      for (const email of emails) {
        try {
          const id = await memberIdByEmail(client, email);
          if (!id) continue;
          const dm = await client.conversations.open({ users: id });
          if (!dm.channel?.id) continue;
          await client.chat.postMessage({ channel: dm.channel.id, text: message.text, blocks: message.blocks });
          told++;
        } catch (err) {
          logger.debug('webhook notice not sent to one administrator', {
            endpointId: e.endpointId,
            error: String((err as Error).message ?? err),
          });
        }
      }
      if (told === 0)
        logger.warn('no administrator could be told in Slack that a webhook endpoint was disabled', {
          endpointId: e.endpointId,
          organization,
        });
    })().catch((err: unknown) =>
      logger.warn('could not report a disabled webhook endpoint', {
        endpointId: e.endpointId,
        error: String((err as Error).message ?? err),
      }),
    );
  };
}
