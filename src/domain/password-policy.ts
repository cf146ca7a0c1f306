import { randomInt } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords';

/** bcrypt reads only the first 72 bytes; anything longer would silently be ignored. */
export const MAX_PASSWORD_BYTES = 72;
export const DEFAULT_MIN_LENGTH = 12;

export interface PolicyContext {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  minLength?: number;
}

/** Returns the first problem as a sentence for the person typing, or null if the password is acceptable. */
export function passwordProblem(password: string, ctx: PolicyContext = {}): string | null {
  const min = ctx.minLength ?? DEFAULT_MIN_LENGTH;
  const chars = [...password].length;
  if (chars < min) return `Use at least ${min} characters (this one has ${chars}).`;
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES) {
    return `Use at most ${MAX_PASSWORD_BYTES} bytes (this one is ${bytes} bytes; accented letters and emoji count as 2–4).`;
  }
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'Remove control characters such as tabs and line breaks.';
  if (new Set([...password]).size < 4) return 'Use more different characters.';
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^a-z\u00c0-\uffff]+|[^a-z\u00c0-\uffff]+$/g, '');
  if (COMMON_PASSWORDS.has(lower) || (core.length > 0 && COMMON_PASSWORDS.has(core))) {
    return 'This password is on the list of common passwords; choose another.';
  }
  if (isSequence(lower)) return 'Avoid keyboard or number sequences.';
  const personal = [ctx.username, ctx.email, ctx.email?.split('@')[0], ctx.firstName, ctx.lastName]
    .filter((v): v is string => typeof v === 'string' && v.length >= 3)
    .map((v) => v.toLowerCase());
  if (personal.some((p) => lower === p || core === p || (p.length >= 4 && lower.includes(p) && p.length * 2 >= chars))) {
    return 'The password must not be (or be built from) the username, email or name.';
  }
  return null;
}

function isSequence(s: string): boolean {
  const rows = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc4rfv'];
  return rows.some((row) => row.includes(s) || [...row].reverse().join('').includes(s));
}

const ALPHABET = {
  lower: 'abcdefghijkmnpqrstuvwxyz',
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  digit: '23456789',
  symbol: '-_.!@#%+=',
};

/**
 * A fresh password from crypto.randomInt (never Math.random): 20 characters from an alphabet
 * without look-alikes, at least one of each class, ~118 bits. Loops until the policy accepts it.
 */
export function suggestPassword(length = 20, ctx: PolicyContext = {}): string {
  const all = ALPHABET.lower + ALPHABET.upper + ALPHABET.digit + ALPHABET.symbol;
  for (;;) {
    const chars = [pick(ALPHABET.lower), pick(ALPHABET.upper), pick(ALPHABET.digit), pick(ALPHABET.symbol)];
    while (chars.length < length) chars.push(pick(all));
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    const candidate = chars.join('');
    if (passwordProblem(candidate, { ...ctx, minLength: Math.min(ctx.minLength ?? DEFAULT_MIN_LENGTH, length) }) === null) {
      return candidate;
    }
  }
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)];
}
