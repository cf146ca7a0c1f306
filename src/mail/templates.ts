/**
 * Mail templates: pure functions from plain data to subject, text and HTML. Text first (many
 * admins read mail as text); HTML is the same words, escaped.
 */

import type { LoginRefusal } from '../domain/status';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(title: string, paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = link
    ? `<p><a href="${escapeHtml(link.href)}" style="display:inline-block;padding:10px 16px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(link.label)}</a></p>
<p style="font-size:12px;color:#555">If the button does not work, copy this address into your browser:<br>${escapeHtml(link.href)}</p>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto">
<h1 style="font-size:18px">${escapeHtml(title)}</h1>
${body}
${button}
</body></html>`;
}

export function resetLinkMail(d: { name: string; link: string; expiresHours: number; reason?: string | null }): RenderedMail {
  const subject = 'Set a new password for your account';
  const lines = [
    `Hello ${d.name},`,
    'An administrator asked you to choose a new password. Until you do, you cannot sign in.',
    ...(d.reason ? [`Reason given: ${d.reason}`] : []),
    `The link works once and expires in ${d.expiresHours} hour${d.expiresHours === 1 ? '' : 's'}.`,
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\n${d.link}\n\nIf you did not expect this, tell your administrator.\n`,
    html: layout(subject, [...lines, 'If you did not expect this, tell your administrator.'], {
      href: d.link,
      label: 'Choose a new password',
    }),
  };
}

/** The link asked for on /password/forgot. Nothing changed yet: the current password still works. */
export function selfServiceLinkMail(d: { name: string; link: string; expiresHours: number }): RenderedMail {
  const subject = 'Your link to choose a new password';
  const lines = [
    `Hello ${d.name},`,
    'Someone, hopefully you, asked for a link to choose a new password for your account.',
    'Nothing has changed yet: your current password keeps working until you use the link.',
    `The link works once and expires in ${d.expiresHours} hour${d.expiresHours === 1 ? '' : 's'}.`,
  ];
  const after = 'If you did not ask for it, ignore this email; if you get several, tell your administrator.';
  return {
    subject,
    text: `${lines.join('\n\n')}\n\n${d.link}\n\n${after}\n`,
    html: layout(subject, [...lines, after], { href: d.link, label: 'Choose a new password' }),
  };
}

/** An invitation: a new account chooses its password through the link; an existing one accepts. */
export function invitationMail(d: {
  name: string;
  organization: string;
  by: string;
  link: string;
  expiresDays: number;
  newAccount: boolean;
}): RenderedMail {
  const subject = `You are invited to ${d.organization}`;
  const lines = [
    `Hello ${d.name},`,
    `${d.by} invited you to ${d.organization}.`,
    d.newAccount
      ? 'Open the link to choose your password; your account works once you have set it.'
      : 'Open the link to accept; your existing account and password stay as they are.',
    `The link works once and expires in ${d.expiresDays} day${d.expiresDays === 1 ? '' : 's'}.`,
  ];
  const after = 'If you did not expect this, ignore this email.';
  return {
    subject,
    text: `${lines.join('\n\n')}\n\n${d.link}\n\n${after}\n`,
    html: layout(subject, [...lines, after], { href: d.link, label: d.newAccount ? 'Choose your password' : 'Accept the invitation' }),
  };
}

const utc = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`;

/** `until`: when a temporary lock (LOCKOUT_MODE=temporary) ends by itself; absent or null for a permanent one. */
export function lockoutMail(d: { name: string; attempts: number; at: Date; until?: Date | null }): RenderedMail {
  const subject = 'Your account was locked';
  const lines = [
    `Hello ${d.name},`,
    `Your account was locked on ${utc(d.at)} after ${d.attempts} failed sign-in attempts.`,
    d.until
      ? `It unlocks by itself at ${utc(d.until)}; an administrator or the helpdesk can unlock it sooner. If these attempts were not yours, say so: someone may be guessing your password.`
      : 'An administrator or the helpdesk can unlock it. If these attempts were not yours, say so: someone may be guessing your password.',
  ];
  return { subject, text: `${lines.join('\n\n')}\n`, html: layout(subject, lines) };
}

/** A job's final report, mailed when Slack could not take it (its lines are the Slack message's, in plain text). */
export function jobResultMail(d: { name: string; title: string; lines: string[] }): RenderedMail {
  const subject = d.title;
  const lines = [`Hello ${d.name},`, 'Slack did not accept the final report of a job you started, so here it is by email.', ...d.lines];
  return { subject, text: `${lines.join('\n\n')}\n`, html: layout(subject, lines) };
}

/** What the person should do, by why their account cannot sign in. */
const SIGN_IN_BLOCKED_ADVICE: Record<LoginRefusal, { why: string; todo: string }> = {
  locked: {
    why: 'it is locked after too many failed sign-in attempts',
    todo: 'Ask an administrator or the helpdesk to activate (unlock) it, then sign in again.',
  },
  password_reset: {
    why: 'a password reset is pending: a new password must be chosen first',
    todo: 'Use the link in the password-reset email you were sent. If it has expired or you cannot find it, ask an administrator for a new one.',
  },
  disabled: {
    why: 'it has been disabled by an administrator',
    todo: 'Contact an administrator if you still need access.',
  },
};

/**
 * The right password was given for an account that cannot sign in. The login answer says only
 * "incorrect" (so it gives nothing away to someone guessing); this mail tells the owner why and
 * what to do. It never carries a password or a link with a token.
 */
export function signInBlockedMail(d: { name: string; reason: LoginRefusal; at: Date; lockedUntil?: Date | null }): RenderedMail {
  const advice =
    d.reason === 'locked' && d.lockedUntil
      ? {
          why: SIGN_IN_BLOCKED_ADVICE.locked.why,
          todo: `It unlocks by itself at ${utc(d.lockedUntil)}: sign in again after that, or ask an administrator or the helpdesk to activate (unlock) it sooner.`,
        }
      : SIGN_IN_BLOCKED_ADVICE[d.reason];
  const subject = 'Your account cannot sign in right now';
  const lines = [
    `Hello ${d.name},`,
    `On ${d.at.toISOString().replace('T', ' ').slice(0, 16)} UTC someone tried to sign in to your account with its correct password, and was refused because ${advice.why}.`,
    advice.todo,
    'If that was not you, your password is known to someone else: tell your administrator. You get at most one of these emails an hour.',
  ];
  return { subject, text: `${lines.join('\n\n')}\n`, html: layout(subject, lines) };
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

export function exportMail(d: {
  name: string;
  users: number;
  rows: number;
  fileName: string;
  attachment: 'csv' | 'gzip' | 'none';
  maxBytes: number;
  slackNote: string;
}): RenderedMail {
  const subject = `User export: ${d.users} user${d.users === 1 ? '' : 's'}`;
  const attached = {
    csv: `The file ${d.fileName} is attached.`,
    gzip: `The file is attached gzip-compressed as ${d.fileName}.gz (uncompressed it is larger than the ${formatBytes(d.maxBytes)} email limit).`,
    none: `The file is larger than the ${formatBytes(d.maxBytes)} email limit even compressed, so it is not attached.`,
  }[d.attachment];
  const lines = [
    `Hello ${d.name},`,
    `Your export of ${d.users} user${d.users === 1 ? '' : 's'} is ready: ${d.rows} row${d.rows === 1 ? '' : 's'}, one per organization membership.`,
    attached,
    d.slackNote,
    'The file holds personal data: keep it and share it accordingly.',
  ].filter((l) => l.length > 0);
  return { subject, text: `${lines.join('\n\n')}\n`, html: layout(subject, lines) };
}
