import { createHash, randomBytes } from 'node:crypto';

/**
 * API key format: `uok_` + 43 base62 characters (32 random bytes, ~256 bits) + 6 base62 characters
 * of checksum (CRC-like, from SHA-256 of the body). The prefix lets secret scanners find leaked keys;
 * the checksum rejects a mistyped key without touching the database.
 */
export const API_KEY_PREFIX = 'uok_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43;
const CHECK_LENGTH = 6;
export const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECK_LENGTH}}$`);

function toBase62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (out.length < length) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

function checksum(body: string): string {
  return toBase62(createHash('sha256').update(`${API_KEY_PREFIX}${body}`).digest().subarray(0, 5), CHECK_LENGTH);
}

export function generateApiKey(): string {
  // 32 bytes < 62^43, so the body never loses entropy to truncation.
  const body = toBase62(randomBytes(32), BODY_LENGTH);
  return `${API_KEY_PREFIX}${body}${checksum(body)}`;
}

export type ApiKeyCheck = 'ok' | 'malformed' | 'bad_checksum';

export function checkApiKeyFormat(key: string): ApiKeyCheck {
  if (!API_KEY_PATTERN.test(key)) return 'malformed';
  const body = key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + BODY_LENGTH);
  const check = key.slice(API_KEY_PREFIX.length + BODY_LENGTH);
  return checksum(body) === check ? 'ok' : 'bad_checksum';
}

/** What may be shown about a key after creation: the prefix and the first characters. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
