import { existsSync } from 'node:fs';
import { config as dotenvConfig } from 'dotenv';

/** Load `.env` from the working directory if present. Real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) dotenvConfig({ path, quiet: true });
}
