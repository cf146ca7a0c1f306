import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The shape README's map promises (issue 21): imports only point down the layers, no import
 * circle, SQL text only in src/store and migrations/, and files a person can hold.
 */
const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = tsFiles(SRC);
const source = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

/** Relative imports (and re-exports) of a file, resolved to files under src/. */
function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const m of source.get(file)!.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)'/gm)) {
    const target = normalize(join(dirname(file), m[1]));
    const hit = [`${target}.ts`, join(target, 'index.ts')].find((c) => source.has(c));
    if (hit) out.push(hit);
  }
  return out;
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0];

/** Each top-level folder and the folders it may import from (README, "How a request travels"). */
const MAY_IMPORT: Record<string, string[]> = {
  domain: [],
  lib: ['domain'],
  store: ['domain', 'lib'],
  mail: ['domain', 'lib', 'store'],
  services: ['domain', 'lib', 'store', 'mail'],
  jobs: ['domain', 'lib', 'store', 'mail', 'services'],
  app: ['domain', 'lib', 'store', 'mail', 'services', 'jobs'],
  slack: ['domain', 'lib', 'mail', 'services', 'jobs', 'app'],
  http: ['domain', 'lib', 'mail', 'services', 'jobs', 'app'],
  server: ['domain', 'lib', 'store', 'mail', 'services', 'jobs', 'app', 'slack', 'http'],
  cli: ['domain', 'lib', 'store', 'mail', 'services', 'jobs', 'app', 'slack', 'http'],
  standin: ['domain', 'lib'],
  demo: ['domain', 'lib', 'store', 'mail', 'services', 'jobs', 'app', 'slack', 'http', 'server', 'cli', 'standin'],
};

describe('architecture (README: how a request travels)', () => {
  test('every top-level folder of src/ has its place in the layers', () => {
    const folders = [...new Set(files.map(folderOf))].filter((f) => !f.endsWith('.ts')).sort();
    expect(folders).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  test('imports only point down the layers', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of importsOf(file)) {
        const to = folderOf(target);
        if (to !== from && !MAY_IMPORT[from].includes(to)) wrong.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no import circle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of importsOf(file)) {
        if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(SRC, f)).join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(circles).toEqual([]);
  });

  test('SQL text lives only in src/store (and migrations/)', () => {
    const sqlish = /\b(SELECT\s+[\w*"]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b|sequelize\.query\(|Sequelize\.literal\(|(?<!z\.)\bliteral\(\s*['"`]/;
    const outside = files.filter((f) => folderOf(f) !== 'store' && sqlish.test(source.get(f)!)).map((f) => relative(ROOT, f));
    expect(outside).toEqual([]);
  });

  test('Slack and HTTP adapters do not reach into the store', () => {
    const reaching = files
      .filter((f) => ['slack', 'http'].includes(folderOf(f)))
      .filter((f) => importsOf(f).some((t) => folderOf(t) === 'store'))
      .map((f) => relative(ROOT, f));
    expect(reaching).toEqual([]);
  });

  test('no source file over 500 lines', () => {
    const long = files.filter((f) => source.get(f)!.split('\n').length > 500).map((f) => relative(ROOT, f));
    expect(long).toEqual([]);
  });
});
