#!/usr/bin/env node
// src/cli: the operator's command line (migrate, import, grant, digest, export fields). A composition root like
// src/server: it may import every layer below it.
/** The `userops` command line: parses argv, loads the configuration and dispatches to one command. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../lib/config';
import { loadDotEnv } from '../lib/dotenv';
import { createRuntime } from '../app/runtime';
import { SYSTEM_ACTOR, type Actor } from '../services/context';
import { directoryUserForEmail } from '../services/identity';
import { changeRole } from '../services/memberships';
import { importUsers } from '../services/import-users';
import { digestCommand, digestConfigProblem, parseDigestArgs } from './digest';
import { exportFieldsCli } from './export-fields';
import { webhooksCli } from './webhooks';
import { stdio, type CliIO } from './io';
import { migrateDown, migrationStatus, runMigrate } from './migrate';
import { progressBar } from './progress';
import { scimCli } from './scim';

const USAGE = `userops COMMAND

  migrate [--status | --down]     apply pending migrations (or show them, or undo the last)
  import FILE.csv [--as EMAIL]    create or update users from CSV (--as: with that directory user's rights)
  grant EMAIL ROLE ORG            give a role in an organization
  revoke EMAIL ROLE ORG           take a role away
  digest --now                    post the lockout digest to DIGEST_CHANNEL now
  digest --slot TIME              post one schedule slot's digest, unless an instance already did
  export-fields [list]            what /users export carries besides the import columns
  export-fields enable|disable FIELD...
  webhooks add --org SLUG --url URL [--events LIST]
                                  a signed outbound event endpoint; prints its id and signing secret once
  webhooks list [--org SLUG] | remove ID | enable ID | test ID | deliveries ID [--failed]
  scim token create --org SLUG [--name TEXT]   a SCIM token for an identity provider (printed once, last line)
  scim token list [--org SLUG] | scim token revoke ID
  demo [--script FILE]            the no-credentials tour (same as npm run demo)
  help                            this text`;

/** Run one CLI command; returns the exit code. Exported for tests, which call it in-process. */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env, io: CliIO = stdio): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  // The demo builds its own configuration (embedded SQLite, the local Slack stand-in): none is read here.
  if (command === 'demo') return runDemo(args);
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
  if (command === 'migrate') {
    if (args.includes('--status')) return migrationStatus(config, io);
    if (args.includes('--down')) return migrateDown(config, io);
    if (args.length > 0) {
      io.err(`migrate: unknown option ${args[0]} (use --status or --down)`);
      return 2;
    }
    return runMigrate(config, io);
  }
  const known = ['import', 'grant', 'revoke', 'digest', 'export-fields', 'webhooks', 'scim'];
  if (!known.includes(command)) {
    io.err(`Unknown command “${command}”.\n\n${USAGE}`);
    return 2;
  }
  const digest = command === 'digest' ? parseDigestArgs(args) : null;
  if (digest && 'error' in digest) {
    io.err(digest.error);
    return 2;
  }
  const digestProblem = digest ? digestConfigProblem(config) : null;
  if (digestProblem) {
    io.err(digestProblem);
    return 1;
  }
  const rt = await createRuntime(config);
  try {
    switch (command) {
      case 'import': {
        const parsed = parseImportArgs(args);
        if (!parsed) {
          io.err('usage: userops import FILE.csv [--as EMAIL]');
          return 2;
        }
        let actor: Actor = SYSTEM_ACTOR;
        if (parsed.as !== null) {
          const who = await directoryUserForEmail(rt, parsed.as);
          if (!who.ok) {
            io.err(who.message);
            return 1;
          }
          actor = { kind: 'user', userId: who.userId, label: `${who.username} (cli import)`, via: 'cli' };
        }
        let text: string;
        try {
          text = await readFile(parsed.file, 'utf8');
        } catch (e) {
          io.err(`Cannot read ${parsed.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          return 1;
        }
        const bar = io.isTTY ? progressBar((s) => process.stderr.write(s)) : null;
        const result = await importUsers(rt, actor, text, bar ?? undefined);
        bar?.(1, 1, true);
        if (!result.ok) {
          io.err(result.message);
          return 1;
        }
        for (const e of result.errors) io.err(`line ${e.line}: ${e.message}`);
        io.out(
          `${result.rows} row${result.rows === 1 ? '' : 's'}: ${result.created} created, ${result.updated} updated, ${result.errors.length} rejected.`,
        );
        return result.errors.length > 0 ? 1 : 0;
      }
      case 'export-fields':
        return await exportFieldsCli(rt, args, io);
      case 'webhooks':
        return await webhooksCli(rt, args, io);
      case 'scim':
        return await scimCli(rt, args, io);
      case 'digest':
        if (!digest || 'error' in digest) return 2;
        return await digestCommand(rt, digest.slot, io);
      case 'grant':
      case 'revoke': {
        if (args.length !== 3) {
          io.err(`usage: userops ${command} EMAIL ROLE ORG`);
          return 2;
        }
        const [email, role, org] = args;
        const result = await changeRole(rt, SYSTEM_ACTOR, { email, role, org, grant: command === 'grant' });
        if (!result.ok) {
          io.err(result.message);
          return 1;
        }
        io.out(result.message);
        return 0;
      }
    }
    return 2;
  } finally {
    await rt.close();
  }
}

/** `userops demo` runs the demo's own entry point in a child process sharing this terminal. */
function runDemo(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'demo', 'main.js'), ...args], { stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(1));
  });
}

if (require.main === module) {
  loadDotEnv();
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`userops: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

/** `FILE.csv [--as EMAIL]`, in either order; null when anything else is given. */
export function parseImportArgs(args: string[]): { file: string; as: string | null } | null {
  const rest = [...args];
  let as: string | null = null;
  const i = rest.indexOf('--as');
  if (i >= 0) {
    as = rest[i + 1] ?? '';
    if (as === '' || as.startsWith('--')) return null;
    rest.splice(i, 2);
  }
  return rest.length === 1 && !rest[0].startsWith('--') ? { file: rest[0], as } : null;
}
