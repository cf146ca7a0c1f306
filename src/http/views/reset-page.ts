import { escapeHtml as h } from '../../mail/templates';

/**
 * The password reset page: plain HTML, no external assets, no script. Pure functions of the data
 * they show. Errors are tied to their field with aria-describedby so screen readers announce them.
 */

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}
h1{font-size:1.4rem}label{display:block;font-weight:600;margin-top:1rem}
input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8c959f;border-radius:6px}
input[aria-invalid=true]{border-color:#cf222e;outline-color:#cf222e}
.hint{color:#57606a;font-size:.9rem;margin:.25rem 0 0}.error{color:#cf222e;font-weight:600;margin:.25rem 0 0}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}
button:focus,input:focus{outline:3px solid #0969da;outline-offset:2px}
.box{padding:1rem;border-radius:6px;background:#f6f8fa;border:1px solid #d0d7de}
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export interface ResetFormData {
  username: string;
  csrf: string;
  minLength: number;
  errors?: { password?: string; confirm?: string; form?: string };
}

export function passwordField(
  d: Pick<ResetFormData, 'minLength' | 'errors'>,
  id: 'password' | 'confirm',
  label: string,
  hint: string,
): string {
  const err = d.errors?.[id];
  const describedBy = [`${id}-hint`, err ? `${id}-error` : ''].filter(Boolean).join(' ');
  return `<label for="${id}">${h(label)}</label>
<input type="password" id="${id}" name="${id}" required minlength="${d.minLength}" autocomplete="new-password" aria-describedby="${describedBy}"${err ? ' aria-invalid="true"' : ''}${err && id === 'password' ? ' autofocus' : ''}>
<p class="hint" id="${id}-hint">${h(hint)}</p>
${err ? `<p class="error" id="${id}-error" role="alert">${h(err)}</p>` : ''}`;
}

export function resetFormPage(d: ResetFormData): string {
  const e = d.errors ?? {};
  const field = (id: 'password' | 'confirm', label: string, hint: string) => {
    const err = e[id];
    const describedBy = [`${id}-hint`, err ? `${id}-error` : ''].filter(Boolean).join(' ');
    return `<label for="${id}">${h(label)}</label>
<input type="password" id="${id}" name="${id}" required minlength="${d.minLength}" autocomplete="new-password" aria-describedby="${describedBy}"${err ? ' aria-invalid="true"' : ''}${err && id === 'password' ? ' autofocus' : ''}>
<p class="hint" id="${id}-hint">${h(hint)}</p>
${err ? `<p class="error" id="${id}-error" role="alert">${h(err)}</p>` : ''}`;
  };
  return page(
    'Choose a new password',
    `<h1>Choose a new password</h1>
<p>For the account <strong>${h(d.username)}</strong>.</p>
${e.form ? `<p class="error" role="alert">${h(e.form)}</p>` : ''}
<form method="post" novalidate>
<input type="hidden" name="csrf" value="${h(d.csrf)}">
${field('password', 'New password', `At least ${d.minLength} characters. A long phrase is easier to remember than symbols.`)}
${field('confirm', 'Repeat the new password', 'Type it once more so a typo does not lock you out.')}
<button type="submit">Set password</button>
</form>`,
  );
}

/** `stillLocked`: the password is set but the account stays locked (SELF_SERVICE_UNLOCK=false). */
export function resetDonePage(username: string, stillLocked = false): string {
  const status = stillLocked
    ? `The password for <strong>${h(username)}</strong> is set, but the account is locked: contact your administrator to unlock it before you sign in.`
    : `The password for <strong>${h(username)}</strong> is set. You can sign in with it now.`;
  return page(
    'Password changed',
    `<h1>Password changed</h1>
<div class="box" role="status"><p>${status}</p></div>
<p>This link no longer works. If you did not ask for this change, tell your administrator.</p>`,
  );
}

const FORGOT_LINK = '<p><a href="/password/forgot">Forgot your password?</a> Ask for a new link yourself.</p>';

export function resetProblemPage(title: string, message: string): string {
  return page(title, `<h1>${h(title)}</h1><div class="box" role="alert"><p>${h(message)}</p></div>\n${FORGOT_LINK}`);
}

export interface ForgotFormData {
  csrf: string;
  login?: string;
  errors?: { login?: string; form?: string };
}

/** GET /password/forgot: one field (username or email) and one button. */
export function forgotFormPage(d: ForgotFormData): string {
  const e = d.errors ?? {};
  const describedBy = ['login-hint', e.login ? 'login-error' : ''].filter(Boolean).join(' ');
  return page(
    'Forgot your password?',
    `<h1>Forgot your password?</h1>
<p>Enter your username or email address. If it matches an account, we send a link to choose a new password to the account's email address.</p>
${e.form ? `<p class="error" role="alert">${h(e.form)}</p>` : ''}
<form method="post" novalidate>
<input type="hidden" name="csrf" value="${h(d.csrf)}">
<label for="login">Username or email</label>
<input type="text" id="login" name="login" required maxlength="254" autocomplete="username" autocapitalize="none" spellcheck="false" value="${h(d.login ?? '')}" aria-describedby="${describedBy}"${e.login ? ' aria-invalid="true" autofocus' : ''}>
<p class="hint" id="login-hint">Your current password keeps working until you use the link.</p>
${e.login ? `<p class="error" id="login-error" role="alert">${h(e.login)}</p>` : ''}
<button type="submit">Send me a link</button>
</form>`,
  );
}

/** The answer to every request, word for word the same whatever happened. */
export function forgotSentPage(answer: string): string {
  return page(
    'Check your email',
    `<h1>Check your email</h1>
<div class="box" role="status"><p>${h(answer)}</p></div>
<p>The link works once and expires. If nothing arrives within a few minutes, check the spelling and ask again, or contact your administrator.</p>`,
  );
}
