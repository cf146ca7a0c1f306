/*
 * Lets a child process run the TypeScript sources as they are (transpile only, no type check):
 * `node -r ./test/support/ts-register.js src/server/main.ts`. The multi-instance tests start real
 * instances this way, without a build that other work in the tree could break.
 */
const fs = require('fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
