import { readFile } from 'node:fs/promises';
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';

/**
 * Where the demo's lines come from: a person at a terminal, a pipe, or a `--script` file. The
 * terminal asks for one line at a time (commands, numbers, y/n answers, form fields) and never
 * knows which of the three it is talking to.
 */
export interface LineSource {
  /** The next line, or null at the end of input. */
  next(prompt: string): Promise<string | null>;
  /** Write text without breaking the line the person is typing. */
  print(text: string): void;
  close(): void;
}

/** Lines of a script file: `#` comments are skipped; blank lines are answers ("keep", "none"). */
export async function scriptSource(path: string, out: NodeJS.WritableStream = process.stdout): Promise<LineSource> {
  const text = await readFile(path, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => !l.trimStart().startsWith('#'));
  // A file's final newline is not an extra blank answer.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let closed = false;
  return {
    next: async (prompt) => {
      const line = closed ? undefined : lines.shift();
      if (line === undefined) return null;
      // Echoed, so the output reads as a transcript of what was typed.
      out.write(`${prompt}${line}\n`);
      return line;
    },
    print: (text) => {
      out.write(`${text}\n`);
    },
    close: () => {
      closed = true;
    },
  };
}

/**
 * stdin through readline. On a terminal: a prompt with history, Ctrl-C reported through
 * `onInterrupt`, and output printed while waiting redraws the prompt below it. From a pipe: lines
 * are echoed after their prompt like a script.
 */
export function readlineSource(
  onInterrupt: () => void,
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): LineSource {
  const terminal = Boolean(input.isTTY && output.isTTY);
  const rl: Interface = createInterface({ input, output, terminal, historySize: terminal ? 200 : 0 });
  const queued: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  let ended = false;
  rl.on('line', (line) => {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(line);
    } else queued.push(line);
  });
  rl.on('close', () => {
    ended = true;
    const resolve = waiting;
    waiting = null;
    resolve?.(null);
  });
  rl.on('SIGINT', onInterrupt);
  return {
    next: (prompt) => {
      const line = queued.shift();
      if (line !== undefined) {
        if (!terminal) output.write(`${prompt}${line}\n`);
        return Promise.resolve(line);
      }
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => {
        if (terminal) {
          rl.setPrompt(prompt);
          rl.prompt();
          waiting = resolve;
        } else {
          waiting = (l) => {
            if (l !== null) output.write(`${prompt}${l}\n`);
            resolve(l);
          };
        }
      });
    },
    print: (text) => {
      if (terminal && waiting) {
        clearLine(output, 0);
        cursorTo(output, 0);
        output.write(`${text}\n`);
        rl.prompt(true);
      } else output.write(`${text}\n`);
    },
    close: () => {
      rl.close();
    },
  };
}
