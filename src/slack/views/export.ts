// Block Kit of `/users export`: the "export started" message and line.
import { esc } from './common';
import { textMessage, type SlackMessage } from './messages';

export interface ExportStarted {
  jobId: number;
  orgSlugs: string[];
  email: string | null;
  /** The saved view exported (`/users export VIEW`), or null for everyone. */
  view?: string | null;
  /** Why the requester's DM with the app could not be opened, or null when it was. */
  dmProblem: string | null;
}

/**
 * What the requester is told once an export is queued (ephemerally, or on App Home). The CSV only
 * ever goes to their DM and their email; when the DM cannot be opened they learn it here, at once.
 */
export function exportStartedText(d: ExportStarted): string {
  const what = `Export #${d.jobId} of ${esc(d.orgSlugs.join(', '))}${d.view ? ` (view ${esc(d.view)})` : ''} started`;
  if (d.dmProblem) {
    const mail = d.email ? `it is emailed to ${esc(d.email)} only` : 'and there is no email address to send it to';
    return `:warning: ${what}, but userops could not open a direct message with you (${esc(d.dmProblem)}), so the CSV will not be shared in Slack: ${mail}.`;
  }
  const mail = d.email ? `, and a copy is emailed to ${esc(d.email)}` : '';
  return `:outbox_tray: ${what}. Progress and the CSV arrive in your direct messages with userops, never in a channel${mail}.`;
}

export function exportStartedMessage(d: ExportStarted): SlackMessage {
  return textMessage(exportStartedText(d));
}
