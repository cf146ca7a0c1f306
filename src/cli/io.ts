/**
 * Where a CLI command writes: its own module so that main.ts (which dispatches) and the command
 * modules (which write) both import it without importing each other.
 */

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  isTTY: boolean;
}

/** The process's own stdout and stderr, one line per call. */
export const stdio: CliIO = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};
