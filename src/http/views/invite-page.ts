import { escapeHtml as h } from '../../mail/templates';
import { page, passwordField } from './reset-page';

/** The invitation page (issue 20): the reset page's frame, an invitation's words. Pure. */

export interface InviteFormData {
  username: string;
  organizations: string[];
  /** A new account chooses its password; an existing one only accepts. */
  newAccount: boolean;
  csrf: string;
  minLength: number;
  errors?: { password?: string; confirm?: string; form?: string };
}

export function inviteFormPage(d: InviteFormData): string {
  const e = d.errors ?? {};
  const orgs = d.organizations.map((o) => `<strong>${h(o)}</strong>`).join(', ');
  const fields = d.newAccount
    ? `${passwordField(d, 'password', 'Choose a password', `At least ${d.minLength} characters. A long phrase is easier to remember than symbols.`)}
${passwordField(d, 'confirm', 'Repeat the password', 'Type it once more so a typo does not lock you out.')}`
    : '<p>Your existing account and password stay as they are.</p>';
  return page(
    'Accept your invitation',
    `<h1>Accept your invitation</h1>
<p>You are invited to ${orgs} as <strong>${h(d.username)}</strong>.</p>
${e.form ? `<p class="error" role="alert">${h(e.form)}</p>` : ''}
<form method="post" novalidate>
<input type="hidden" name="csrf" value="${h(d.csrf)}">
${fields}
<button type="submit">${d.newAccount ? 'Set password and join' : 'Accept the invitation'}</button>
</form>`,
  );
}

export function inviteDonePage(username: string, organizations: string[]): string {
  return page(
    'Invitation accepted',
    `<h1>Invitation accepted</h1>
<div class="box" role="status"><p>Welcome, <strong>${h(username)}</strong>: you are now a member of ${organizations.map((o) => `<strong>${h(o)}</strong>`).join(', ')}. You can sign in now.</p></div>
<p>This link no longer works.</p>`,
  );
}
