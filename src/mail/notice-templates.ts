/**
 * What account owners are told (issue 16, points 9–10 and 12): one pure function per notice kind,
 * from the facts stored in the notice row to a Slack DM text and the mail that stands in for it when
 * the owner is not a member of the workspace. The facts never include a password or a token, and no
 * text carries a link with one: the only link is the public forgot-password page.
 */
import { escapeHtml, type RenderedMail } from './templates';

export interface NoticeFacts {
  lockout: { at: string; ip: string | null; attempts: number; until: string | null };
  admin_reset: { at: string; by: string };
  admin_password_change: { at: string; by: string };
  api_key_created: { at: string; by: string; organization: string; replaced: boolean };
  password_reset_completed: { at: string; selfService: boolean };
  password_expiry_reminder: { expiresAt: string; daysLeft: number };
  password_expired: { at: string };
}

export type NoticeKind = keyof NoticeFacts;

/** The mail outbox's kind for the email a notice becomes. */
export const NOTICE_MAIL_KIND = {
  lockout: 'lockout_notice',
  admin_reset: 'account_notice',
  admin_password_change: 'password_changed',
  api_key_created: 'account_notice',
  password_reset_completed: 'password_changed',
  password_expiry_reminder: 'account_notice',
  password_expired: 'account_notice',
} as const satisfies Record<NoticeKind, string>;

export interface RenderedNotice {
  /** The DM's text (Slack mrkdwn, escaped). */
  slack: string;
  mail: RenderedMail;
}

const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

/** Slack's three control characters in mrkdwn. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Words {
  subject: string;
  lines: string[];
  link?: { href: string; label: string; lead: string };
}

function words<K extends NoticeKind>(kind: K, f: NoticeFacts[K], forgotUrl: string): Words {
  switch (kind) {
    case 'lockout': {
      const d = f as NoticeFacts['lockout'];
      return {
        subject: 'Your account was locked',
        lines: [
          `Your account was locked on ${utc(d.at)} after ${d.attempts} failed sign-in attempts${d.ip ? ` from the address ${d.ip}` : ''}.`,
          d.until
            ? `It unlocks by itself at ${utc(d.until)}; an administrator or the helpdesk can unlock it sooner.`
            : 'An administrator or the helpdesk can unlock it.',
        ],
        link: { href: forgotUrl, label: 'Reset your password', lead: 'Was this you? If not, reset your password:' },
      };
    }
    case 'admin_reset': {
      const d = f as NoticeFacts['admin_reset'];
      return {
        subject: 'Your password was reset',
        lines: [
          `${d.by} reset your password on ${utc(d.at)}. You cannot sign in until you choose a new one with the link we emailed to you.`,
          'If you did not expect this, tell your administrator.',
        ],
      };
    }
    case 'admin_password_change': {
      const d = f as NoticeFacts['admin_password_change'];
      return {
        subject: 'Your password was changed',
        lines: [
          `${d.by} set a new password for your account on ${utc(d.at)}. They will give it to you through a safe channel; this message never contains it.`,
          'If this was not expected, contact your administrator right away.',
        ],
      };
    }
    case 'api_key_created': {
      const d = f as NoticeFacts['api_key_created'];
      return {
        subject: 'An API key was created for your account',
        lines: [
          `${d.by} created ${d.replaced ? 'a new API key (replacing the previous one)' : 'an API key'} for your account in the organization ${d.organization} on ${utc(d.at)}. It acts as you there.`,
          'If you did not ask for it, tell your administrator: they can revoke it.',
        ],
      };
    }
    case 'password_reset_completed': {
      const d = f as NoticeFacts['password_reset_completed'];
      return {
        subject: 'Your password was changed',
        lines: [
          `Your password was changed on ${utc(d.at)} using a ${d.selfService ? '"forgot password" link' : 'reset link'}.`,
          'If this was not you, contact your administrator right away.',
        ],
      };
    }
    case 'password_expiry_reminder': {
      const d = f as NoticeFacts['password_expiry_reminder'];
      const when = d.daysLeft <= 1 ? 'within a day' : `in ${d.daysLeft} days`;
      return {
        subject: `Your password expires ${when}`,
        lines: [
          `Your password expires ${when}, on ${utc(d.expiresAt)}. After that you cannot sign in until you choose a new one with a link we will email to you.`,
          'Choose a new one before then to keep signing in without interruption:',
        ],
        link: { href: forgotUrl, label: 'Choose a new password', lead: '' },
      };
    }
    case 'password_expired': {
      const d = f as NoticeFacts['password_expired'];
      return {
        subject: 'Your password expired',
        lines: [`Your password expired on ${utc(d.at)}. We emailed you a link to choose a new one; until you do, you cannot sign in.`],
      };
    }
    default:
      throw new Error(`unknown notice kind ${String(kind)}`);
  }
}

/** The DM and the mail of one notice; `publicUrl` is PUBLIC_URL (the forgot-password page lives under it). */
export function renderNotice<K extends NoticeKind>(kind: K, facts: NoticeFacts[K], name: string, publicUrl: string): RenderedNotice {
  const w = words(kind, facts, `${publicUrl}/password/forgot`);
  const slackLines = w.lines.map(esc);
  if (w.link) slackLines.push(`${w.link.lead ? `${esc(w.link.lead)} ` : ''}<${w.link.href}|${esc(w.link.label)}>`);
  const hello = `Hello ${name},`;
  const mailLines = [hello, ...w.lines, ...(w.link?.lead ? [w.link.lead] : [])];
  const text = `${mailLines.join('\n\n')}\n${w.link ? `\n${w.link.href}\n` : ''}`;
  const body = mailLines.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = w.link ? `<p><a href="${escapeHtml(w.link.href)}">${escapeHtml(w.link.label)}</a> (${escapeHtml(w.link.href)})</p>` : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(w.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto">
<h1 style="font-size:18px">${escapeHtml(w.subject)}</h1>
${body}
${button}
</body></html>`;
  return { slack: `*${esc(w.subject)}*\n${slackLines.join('\n')}`, mail: { subject: w.subject, text, html } };
}
