/**
 * Parses the text of `/users …` into a sub-command and arguments. Pure: no Slack, no database.
 * Understands Slack's encoding of what people type: `<@U123|ana>` mentions, `<mailto:a@b|a@b>`
 * links, HTML-escaped `& < >`, and "quoted arguments". Typos get a "did you mean".
 */
import { fail, type Outcome } from '../domain/outcome';
import { isSavedView, SAVED_VIEWS, type SavedView } from '../domain/status';
import { esc, truncate } from './views/common';

export type Arg =
  { kind: 'text'; value: string } | { kind: 'mention'; slackUserId: string; label?: string } | { kind: 'email'; value: string };

export interface SubCommandSpec {
  name: string;
  usage: string;
  summary: string;
  aliases?: string[];
  minArgs: number;
  maxArgs: number;
  /** Takes `--reason TEXT` (quote TEXT when it has spaces). */
  takesReason?: boolean;
}

/** Typed bulk commands name any number of users; the text limit (MAX_TEXT) is the only cap. */
const MANY = Number.MAX_SAFE_INTEGER;

export const SUB_COMMANDS: SubCommandSpec[] = [
  { name: 'help', usage: 'help', summary: 'what you can do', minArgs: 0, maxArgs: 1 },
  { name: 'find', usage: 'find TEXT', summary: 'search username, email and names', aliases: ['search'], minArgs: 1, maxArgs: 20 },
  {
    name: 'list',
    usage: 'list [VIEW]',
    summary: 'saved views: all, active, disabled, locked, password-reset, cannot-login, admins, dormant [DAYS], invited',
    minArgs: 0,
    maxArgs: 2,
  },
  { name: 'show', usage: 'show USER', summary: 'a user card with actions', aliases: ['card', 'info'], minArgs: 1, maxArgs: 1 },
  {
    name: 'enable',
    usage: 'enable USER… [--reason "TEXT"]',
    summary: 'let users log in again (more than 10: a preview with a reason, or the bulk form)',
    minArgs: 1,
    maxArgs: MANY,
    takesReason: true,
  },
  {
    name: 'disable',
    usage: 'disable USER… [--reason "TEXT"]',
    summary: 'stop users from logging in (more than 10: a preview with a reason, or the bulk form)',
    minArgs: 1,
    maxArgs: MANY,
    takesReason: true,
  },
  {
    name: 'activate',
    usage: 'activate USER… [--reason "TEXT"]',
    summary: 'unlock locked users (more than 10: a preview with a reason, or the bulk form)',
    aliases: ['unlock'],
    minArgs: 1,
    maxArgs: MANY,
    takesReason: true,
  },
  { name: 'delete', usage: 'delete USER', summary: 'delete a user (asks first)', minArgs: 1, maxArgs: 1 },
  {
    name: 'reset-password',
    usage: 'reset-password USER…',
    summary: 'email single-use reset links',
    aliases: ['reset'],
    minArgs: 1,
    maxArgs: 100,
  },
  {
    name: 'change-password',
    usage: 'change-password USER',
    summary: 'set a password (modal)',
    aliases: ['set-password'],
    minArgs: 1,
    maxArgs: 1,
  },
  {
    name: 'bulk',
    usage: 'bulk',
    summary: 'reset passwords, disable, enable or unlock many users: pick, paste or a view, a reason, a preview',
    aliases: ['bulk-reset'],
    minArgs: 0,
    maxArgs: 0,
  },
  {
    name: 'api-key',
    usage: 'api-key USER [ORG] | api-key revoke USER [ORG]',
    summary: 'create (or revoke) an API key',
    aliases: ['apikey'],
    minArgs: 1,
    maxArgs: 3,
  },
  {
    name: 'grant',
    usage: 'grant USER ROLE in ORG',
    summary: 'give a role in an organization you administer',
    minArgs: 3,
    maxArgs: 4,
  },
  { name: 'revoke', usage: 'revoke USER ROLE in ORG', summary: 'take a role away', minArgs: 3, maxArgs: 4 },
  {
    name: 'add',
    usage: 'add USER to ORG [as ROLE]',
    summary: 'add someone you can see to an organization you administer',
    minArgs: 2,
    maxArgs: 5,
  },
  {
    name: 'remove',
    usage: 'remove USER from ORG',
    summary: 'take someone out of one organization (to delete the user: delete)',
    minArgs: 2,
    maxArgs: 3,
  },
  {
    name: 'invite',
    usage: 'invite EMAIL [to ORG] [as ROLE] | invite resend EMAIL [ORG] | invite revoke EMAIL [ORG]',
    summary: 'invite someone by email (a form with their name); resend or withdraw an invitation',
    minArgs: 0,
    maxArgs: 5,
  },
  {
    name: 'scim',
    usage: 'scim create ORG [NAME] | scim list [ORG] | scim revoke ID',
    summary: 'SCIM tokens that let an identity provider (Okta, Entra) provision an organization (administrators)',
    minArgs: 1,
    maxArgs: 12,
  },
  {
    name: 'export',
    usage: 'export [VIEW] | export fields',
    summary: 'CSV of your users (or of a saved view: admins, dormant [DAYS], invited…) as a Slack file, copy by email',
    minArgs: 0,
    maxArgs: 2,
  },
  { name: 'reassign', usage: 'reassign FROM TO', summary: "move a user's records to another user", minArgs: 2, maxArgs: 2 },
  {
    name: 'audit',
    usage: 'audit [USER] [action:ACTION] [by:USER]',
    summary: 'latest audit events, optionally about a user, of one action, or by one actor',
    aliases: ['log'],
    minArgs: 0,
    maxArgs: 4,
  },
  {
    name: 'review',
    usage: 'review [ORG]',
    summary: 'access review of an organization (administrators, security, API keys, dormant, invited) in your DM, with a CSV',
    minArgs: 0,
    maxArgs: 1,
  },
  { name: 'approvals', usage: 'approvals', summary: 'approval requests waiting for you (Approve / Deny)', minArgs: 0, maxArgs: 0 },
  {
    name: 'webhooks',
    usage: 'webhooks [add ORG URL [EVENTS] | remove ID | enable ID | test ID | deliveries ID]',
    summary: "signed outbound events: your organizations' endpoints (administrators)",
    aliases: ['webhook'],
    minArgs: 0,
    maxArgs: 4,
  },
];

export interface ParsedCommand {
  name: string;
  args: Arg[];
  /** `--share` and friends; flags are removed from args. */
  flags: Set<string>;
  /** `--reason TEXT`, for the sub-commands that take one. */
  reason?: string;
}

/** The parsed command, or why it cannot be read (`invalid_input`, with a sentence saying how to write it). */
export type ParseResult = Outcome<{ command: ParsedCommand }>;

const KNOWN_FLAGS = new Set(['share']);
const MAX_TEXT = 4000;

export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Split into tokens, keeping Slack's <…> entities and quoted strings whole. */
export function tokenize(input: string): Arg[] | { error: string } {
  const out: Arg[] = [];
  let i = 0;
  const s = input;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '<') {
      const end = s.indexOf('>', i);
      if (end === -1) return { error: 'A “<” is never closed.' };
      const inner = s.slice(i + 1, end);
      i = end + 1;
      const m = /^@([UW][A-Z0-9]{2,})(?:\|(.*))?$/.exec(inner);
      if (m) {
        out.push({ kind: 'mention', slackUserId: m[1], label: m[2] });
        continue;
      }
      const mail = /^mailto:([^|]+)(?:\|.*)?$/.exec(inner);
      if (mail) {
        out.push({ kind: 'email', value: mail[1].trim() });
        continue;
      }
      // Channels, links, user groups: keep the visible part as text.
      const bar = inner.indexOf('|');
      out.push({ kind: 'text', value: bar >= 0 ? inner.slice(bar + 1) : inner });
      continue;
    }
    if (c === '"' || c === '“' || c === '”' || c === "'" || c === '‘' || c === '’') {
      const closers = c === '"' ? ['"'] : c === "'" ? ["'"] : c === '‘' || c === '’' ? ['’', '‘'] : ['”', '“'];
      let j = i + 1;
      while (j < s.length && !closers.includes(s[j])) j++;
      if (j >= s.length) {
        // An apostrophe inside a word (O'Brien) is not a quote.
        if (c === "'" || c === '’') {
          let k = i;
          while (k < s.length && !/\s/.test(s[k])) k++;
          out.push({ kind: 'text', value: s.slice(i, k) });
          i = k;
          continue;
        }
        return { error: 'A quote is never closed.' };
      }
      out.push({ kind: 'text', value: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]) && s[j] !== '<') j++;
    out.push({ kind: 'text', value: s.slice(i, j) });
    i = j;
  }
  return out;
}

export function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function findSpec(name: string): SubCommandSpec | undefined {
  const n = name.toLowerCase();
  return SUB_COMMANDS.find((c) => c.name === n || c.aliases?.includes(n));
}

export function suggest(name: string): string | null {
  const n = name.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const c of SUB_COMMANDS) {
    for (const candidate of [c.name, ...(c.aliases ?? [])]) {
      const d = levenshtein(n, candidate);
      if (!best || d < best.d) best = { name: c.name, d };
    }
    if (c.name.startsWith(n) && n.length >= 3) return c.name;
  }
  return best && best.d <= Math.max(2, Math.floor(n.length / 3)) ? best.name : null;
}

export function parseCommand(rawText: string, commandName = '/users'): ParseResult {
  if (rawText.length > MAX_TEXT)
    return fail('invalid_input', `That is too long (${rawText.length} characters); keep commands under ${MAX_TEXT}.`);
  const text = unescapeSlack(rawText)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .trim();
  if (text.length === 0) return { ok: true, command: { name: 'help', args: [], flags: new Set() } };
  const tokens = tokenize(text);
  if ('error' in tokens) return fail('invalid_input', `${tokens.error} Try \`${commandName} help\`.`);
  const [first, ...rest] = tokens;
  if (first.kind !== 'text') {
    return fail(
      'invalid_input',
      `Start with a sub-command, e.g. \`${commandName} show ${first.kind === 'email' ? first.value : 'USER'}\`.`,
    );
  }
  const spec = findSpec(first.value);
  if (!spec) {
    const guess = suggest(first.value);
    const shown = first.value.length > 40 ? `${first.value.slice(0, 40)}…` : first.value;
    return fail(
      'invalid_input',
      guess
        ? `Unknown sub-command “${shown}”. Did you mean \`${commandName} ${guess}\`?`
        : `Unknown sub-command “${shown}”. Try \`${commandName} help\` for the list.`,
    );
  }
  const flags = new Set<string>();
  const args: Arg[] = [];
  let reason: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i];
    if (t.kind === 'text' && /^--?[a-z]+$/i.test(t.value)) {
      const f = t.value.replace(/^--?/, '').toLowerCase();
      if (f === 'reason' && spec.takesReason) {
        const next = rest[i + 1];
        if (!next || next.kind !== 'text' || next.value.trim().length === 0)
          return fail(
            'invalid_input',
            `Write the reason after --reason, in quotes: \`${commandName} ${spec.name} … --reason "incident 4711"\`.`,
          );
        reason = next.value.trim();
        i++;
        continue;
      }
      if (!KNOWN_FLAGS.has(f))
        return fail('invalid_input', `Unknown option “${t.value}”. The options are --share${spec.takesReason ? ' and --reason' : ''}.`);
      flags.add(f);
      continue;
    }
    if (t.kind === 'text' && t.value.length === 0) continue;
    args.push(t);
  }
  if (args.length < spec.minArgs || args.length > spec.maxArgs) {
    return fail('invalid_input', `Usage: \`${commandName} ${spec.usage}\` — ${spec.summary}.`);
  }
  return { ok: true, command: { name: spec.name, args, flags, ...(reason !== undefined ? { reason } : {}) } };
}

export function argText(a: Arg): string {
  if (a.kind === 'mention') return a.label ? `@${a.label}` : `<@${a.slackUserId}>`;
  return a.value;
}

/**
 * Split `bob security in acme` into positional arguments (`bob`, `security`) and the word after
 * each keyword (`in` → `acme`). Keywords are matched case-insensitively; each may appear once.
 */
export function keywordArgs(
  args: Arg[],
  keywords: readonly string[],
): { positional: Arg[]; named: Partial<Record<string, string>> } | { error: string } {
  const positional: Arg[] = [];
  const named: Partial<Record<string, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const word = a.kind === 'text' ? a.value.toLowerCase() : null;
    if (word !== null && keywords.includes(word)) {
      const next = args[i + 1];
      if (!next || next.kind !== 'text') return { error: `Write a name after “${word}”.` };
      if (named[word] !== undefined) return { error: `“${word}” appears twice.` };
      named[word] = next.value;
      i++;
      continue;
    }
    positional.push(a);
  }
  return { positional, named };
}

/**
 * A saved view named by arguments, as `list` and `export` take it: `VIEW`, or `dormant DAYS` (the
 * view dormant-DAYS). An error sentence for anything else.
 */
export function viewOfArgs(args: Arg[], command: string): SavedView | { error: string } {
  let view = args.length > 0 ? argText(args[0]).toLowerCase() : 'all';
  if (args.length === 2) {
    const days = argText(args[1]);
    if (view !== 'dormant' || !/^\d{1,5}$/.test(days) || !isSavedView(`dormant-${Number(days)}`)) {
      return { error: `Only \`dormant\` takes a number: \`${command} dormant DAYS\`, DAYS from 1 to 3650.` };
    }
    view = `dormant-${Number(days)}`;
  }
  if (!isSavedView(view)) {
    return { error: `There is no saved view “${esc(truncate(view, 60))}”. Views: ${SAVED_VIEWS.join(', ')}.` };
  }
  return view;
}
