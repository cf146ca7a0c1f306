/**
 * A small JSON Schema (2020-12, as OpenAPI 3.1 uses it) checker for the subset docs/openapi.yaml
 * uses. A keyword it does not know is an error, not a pass: the spec cannot silently rely on
 * something this checker ignores.
 */

export type JsonSchema = boolean | { [keyword: string]: unknown };

const ANNOTATIONS = new Set(['description', 'title', 'default', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'summary']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Resolve a local `$ref` such as `#/components/schemas/User` against `root`. */
export function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(part in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Problems of `value` against `schema`, each naming where (`$.users[0].email: …`); empty when it conforms. */
export function validate(schema: JsonSchema, value: unknown, root: unknown, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  const problems: string[] = [];
  const s = schema;
  for (const keyword of Object.keys(s)) {
    if (ANNOTATIONS.has(keyword)) continue;
    const arg = s[keyword];
    switch (keyword) {
      case '$ref':
        problems.push(...validate(resolveRef(root, String(arg)) as JsonSchema, value, root, at));
        break;
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [String(arg)];
        if (!types.some((t) => hasType(value, t))) problems.push(`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
        break;
      }
      case 'enum':
        if (!(arg as unknown[]).some((e) => e === value))
          problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(arg)}`);
        break;
      case 'const':
        if (arg !== value) problems.push(`${at}: expected ${JSON.stringify(arg)}`);
        break;
      case 'properties':
        if (typeOf(value) === 'object') {
          for (const [name, sub] of Object.entries(arg as Record<string, JsonSchema>)) {
            if (name in (value as object)) problems.push(...validate(sub, (value as Record<string, unknown>)[name], root, `${at}.${name}`));
          }
        }
        break;
      case 'required':
        if (typeOf(value) === 'object') {
          for (const name of arg as string[]) if (!(name in (value as object))) problems.push(`${at}: missing required ${name}`);
        }
        break;
      case 'additionalProperties':
        if (typeOf(value) === 'object') {
          const known = new Set(Object.keys((s.properties as object | undefined) ?? {}));
          for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
            if (!known.has(name))
              problems.push(
                ...validate(arg as JsonSchema, v, root, `${at}.${name}`).map((p) =>
                  arg === false ? `${at}: unexpected property ${name}` : p,
                ),
              );
          }
        }
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((v, i) => problems.push(...validate(arg as JsonSchema, v, root, `${at}[${i}]`)));
        break;
      case 'minItems':
      case 'maxItems':
        if (Array.isArray(value) && (keyword === 'minItems' ? value.length < Number(arg) : value.length > Number(arg))) {
          problems.push(`${at}: ${value.length} items breaks ${keyword} ${String(arg)}`);
        }
        break;
      case 'minLength':
      case 'maxLength':
        if (typeof value === 'string' && (keyword === 'minLength' ? [...value].length < Number(arg) : [...value].length > Number(arg))) {
          problems.push(`${at}: length ${value.length} breaks ${keyword} ${String(arg)}`);
        }
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(String(arg), 'u').test(value))
          problems.push(`${at}: ${JSON.stringify(value)} does not match ${String(arg)}`);
        break;
      case 'minimum':
      case 'maximum':
        if (typeof value === 'number' && (keyword === 'minimum' ? value < Number(arg) : value > Number(arg))) {
          problems.push(`${at}: ${value} breaks ${keyword} ${String(arg)}`);
        }
        break;
      case 'format':
        if (arg !== 'date-time') throw new Error(`unsupported format ${String(arg)} at ${at}`);
        if (typeof value === 'string' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))))
          problems.push(`${at}: ${JSON.stringify(value)} is not a date-time`);
        break;
      case 'oneOf':
      case 'anyOf':
      case 'allOf': {
        const results = (arg as JsonSchema[]).map((sub) => validate(sub, value, root, at));
        const passing = results.filter((r) => r.length === 0).length;
        if (keyword === 'allOf') problems.push(...results.flat());
        else if (keyword === 'anyOf' ? passing === 0 : passing !== 1) {
          problems.push(`${at}: ${passing} of ${results.length} ${keyword} alternatives match (${results.flat().join('; ')})`);
        }
        break;
      }
      default:
        throw new Error(`json-schema checker: unsupported keyword ${keyword} at ${at}`);
    }
  }
  return problems;
}
