/** `userops export-fields`: list, enable or disable the optional columns of `/users export`. */
import type { Ctx } from '../services/context';
import { SYSTEM_ACTOR } from '../services/context';
import { listExportFields, setExportFields, type ExportFieldList } from '../services/export-fields';
import type { CliIO } from './io';

export const EXPORT_FIELDS_USAGE = 'usage: userops export-fields [list | enable FIELD... | disable FIELD...]';

function printList(list: ExportFieldList, io: CliIO): void {
  io.out(`Always exported (the import columns): ${list.always.join(', ')}`);
  const width = Math.max(...list.fields.map((f) => f.field.length));
  io.out(`${'field'.padEnd(width)}  exported  default`);
  for (const f of list.fields) {
    io.out(`${f.field.padEnd(width)}  ${(f.enabled ? 'yes' : 'no').padEnd(8)}  ${f.default ? 'yes' : 'no'}`);
  }
  io.out(
    list.passwordHashAllowed
      ? 'password_hash puts the bcrypt hash in the password column. API keys and reset tokens are never exportable.'
      : 'Password hashes, API keys and reset tokens are not exportable (set EXPORT_ALLOW_PASSWORD_HASHES=true to offer password_hash).',
  );
}

/** `userops export-fields`: what `/users export` carries; the operator acts as the system actor. */
export async function exportFieldsCli(rt: Ctx, args: string[], io: CliIO): Promise<number> {
  const [verb = 'list', ...names] = args;
  if (verb === 'list' && names.length === 0) {
    const list = await listExportFields(rt, SYSTEM_ACTOR);
    if (!list.ok) {
      io.err(list.message);
      return 1;
    }
    printList(list, io);
    return 0;
  }
  if ((verb !== 'enable' && verb !== 'disable') || names.length === 0) {
    io.err(EXPORT_FIELDS_USAGE);
    return 2;
  }
  const result = await setExportFields(rt, SYSTEM_ACTOR, Object.fromEntries(names.map((n) => [n, verb === 'enable'])));
  if (!result.ok) {
    io.err(result.message);
    return 1;
  }
  const changed = verb === 'enable' ? result.enabled : result.disabled;
  const same = names.map((n) => n.trim().toLowerCase()).filter((n) => !(changed as string[]).includes(n));
  if (changed.length > 0) io.out(`${verb === 'enable' ? 'Enabled' : 'Disabled'}: ${changed.join(', ')}.`);
  if (same.length > 0) io.out(`Already ${verb}d: ${same.join(', ')}.`);
  return 0;
}
