import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { fail, type ErrorCode, type Failure } from '../domain/outcome';
import { SCIM_PATCH_SCHEMA, type ScimType } from '../domain/scim';

/** A refusal with the SCIM `scimType` (RFC 7644 §3.12) the adapter puts in the error body. */
export type ScimFailure = Failure & { scimType?: ScimType };

export function scimFail(code: ErrorCode, scimType: ScimType, message: string): ScimFailure {
  return { ...fail(code, message), scimType };
}

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

const OPS = new Set(['add', 'replace', 'remove']);

/**
 * A PatchOp message's operations, checked before anything is applied: the schema, a non-empty
 * `Operations` list, each `op` add/replace/remove in any letter case (Entra sends `Replace`),
 * and a path for remove. The op is lower-cased for `scim-patch`.
 */
export function readPatchBody(body: unknown): PatchOperation[] | ScimFailure {
  const b = body as { schemas?: unknown; Operations?: unknown } | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    return scimFail('invalid_input', 'invalidSyntax', 'The body must be a PatchOp message.');
  if (!Array.isArray(b.schemas) || !b.schemas.includes(SCIM_PATCH_SCHEMA))
    return scimFail('invalid_input', 'invalidSyntax', `schemas must include ${SCIM_PATCH_SCHEMA}.`);
  if (!Array.isArray(b.Operations) || b.Operations.length === 0)
    return scimFail('invalid_input', 'invalidSyntax', 'Operations must be a non-empty list.');
  if (b.Operations.length > 100) return scimFail('invalid_input', 'invalidValue', 'At most 100 operations per request.');
  const out: PatchOperation[] = [];
  for (const [i, raw] of b.Operations.entries()) {
    const o = raw as { op?: unknown; path?: unknown; value?: unknown } | null;
    if (typeof o !== 'object' || o === null) return scimFail('invalid_input', 'invalidSyntax', `Operations[${i}] must be an object.`);
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (!OPS.has(op)) return scimFail('invalid_input', 'invalidSyntax', `Operations[${i}].op must be add, replace or remove.`);
    if (o.path !== undefined && typeof o.path !== 'string')
      return scimFail('invalid_input', 'invalidSyntax', `Operations[${i}].path must be a string.`);
    if (op === 'remove' && (o.path === undefined || o.path === ''))
      return scimFail('invalid_input', 'noTarget', `Operations[${i}]: remove needs a path.`);
    if (op !== 'remove' && o.value === undefined)
      return scimFail('invalid_input', 'invalidValue', `Operations[${i}]: ${op} needs a value.`);
    out.push({
      op,
      ...(typeof o.path === 'string' && o.path !== '' ? { path: o.path } : {}),
      ...(o.value !== undefined ? { value: o.value } : {}),
    });
  }
  return out;
}

/**
 * Apply checked operations to a resource's SCIM form with `scim-patch` (never mutating it); a
 * missing target of add/replace is added. The library's refusals become SCIM error types.
 */
export function applyPatch<T extends object>(resource: T, ops: PatchOperation[]): { ok: true; after: T } | ScimFailure {
  const doc = { meta: { created: new Date(0), lastModified: new Date(0) }, ...resource } as unknown as ScimResource;
  try {
    const after = scimPatch(doc, ops as ScimPatchOperation[], { mutateDocument: false, treatMissingAsAdd: true });
    return { ok: true, after: after as unknown as T };
  } catch (e) {
    const code = (e as { scimCode?: string }).scimCode;
    const scimType: ScimType =
      code === 'noTarget' ? 'noTarget' : code === 'invalidValue' || code === 'invalidPath' ? 'invalidValue' : 'invalidSyntax';
    return scimFail('invalid_input', scimType, e instanceof Error ? e.message.slice(0, 300) : 'The patch could not be applied.');
  }
}
