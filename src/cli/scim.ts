import type { Runtime } from '../app/runtime';
import { SYSTEM_ACTOR } from '../services/context';
import { createScimToken, listScimTokens, revokeScimToken } from '../services/scim-tokens';
import type { CliIO } from './io';

export const SCIM_USAGE = 'usage: userops scim token create --org SLUG [--name TEXT] | scim token list [--org SLUG] | scim token revoke ID';

/** The value after `--flag`, or null when absent; '' when the flag has no value. */
function flag(args: string[], name: string): string | null {
  const i = args.indexOf(name);
  if (i < 0) return null;
  const v = args[i + 1];
  return v === undefined || v.startsWith('--') ? '' : v;
}

/**
 * `userops scim token create|list|revoke` (issue 17), as the operator (system actor). `create`
 * prints the token once, alone on the last line of stdout, so a script can take it with `tail -1`.
 */
export async function scimCli(rt: Runtime, args: string[], io: CliIO): Promise<number> {
  const [noun, verb, ...rest] = args;
  if (noun !== 'token' || !verb) {
    io.err(SCIM_USAGE);
    return 2;
  }
  if (verb === 'create') {
    const org = flag(rest, '--org');
    const name = flag(rest, '--name');
    if (!org || name === '') {
      io.err(SCIM_USAGE);
      return 2;
    }
    const made = await createScimToken(rt, SYSTEM_ACTOR, { org, name: name ?? undefined });
    if (!made.ok) {
      io.err(made.message);
      return 1;
    }
    io.out(`SCIM token #${made.info.id} “${made.info.name}” for ${made.info.organization}. Base URL: ${rt.config.PUBLIC_URL}/scim/v2`);
    io.out('Shown once; store it in your identity provider now:');
    io.out(made.token);
    return 0;
  }
  if (verb === 'list') {
    const org = flag(rest, '--org');
    if (org === '') {
      io.err(SCIM_USAGE);
      return 2;
    }
    const listed = await listScimTokens(rt, SYSTEM_ACTOR, { org: org ?? undefined });
    if (!listed.ok) {
      io.err(listed.message);
      return 1;
    }
    if (listed.tokens.length === 0) io.out('No SCIM tokens.');
    for (const t of listed.tokens) {
      const state = t.revokedAt
        ? `revoked ${t.revokedAt.toISOString()}`
        : `last used ${t.lastUsedAt ? t.lastUsedAt.toISOString() : 'never'}`;
      io.out(`#${t.id}\t${t.organization}\t${t.name}\t${t.displayPrefix}…\tcreated ${t.createdAt.toISOString()}\t${state}`);
    }
    return 0;
  }
  if (verb === 'revoke' && rest.length === 1) {
    const r = await revokeScimToken(rt, SYSTEM_ACTOR, { id: rest[0] });
    if (!r.ok) {
      io.err(r.message);
      return 1;
    }
    io.out(r.message);
    return 0;
  }
  io.err(SCIM_USAGE);
  return 2;
}
