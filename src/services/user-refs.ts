import type { Transaction } from 'sequelize';
import { SCIM_USERNAME_PATTERN } from '../domain/scim';
import { User } from '../store/models';

/** How a person names a user: an id, an email address, or a username. Slack mentions are resolved to emails by the adapter. */
export type UserRef = string;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * Usernames: letters, digits, dots, dashes, underscores, and (since SCIM, issue 17: identity
 * providers send the email address as userName) `@` and `+`; 1–254 characters, stored lower-case.
 * One rule for the import and SCIM, so an export of SCIM-made users imports back.
 */
export const USERNAME_PATTERN = SCIM_USERNAME_PATTERN;
export const EMAIL_PATTERN = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_PATTERN.test(email);
}

/** Find one user by reference; null if none. Never throws on odd input. */
export async function findUserByRef(ref: UserRef, t?: Transaction, lock = false): Promise<User | null> {
  const r = ref.trim();
  if (r.length === 0 || r.length > 254) return null;
  const opts = { transaction: t, lock: lock && t ? t.LOCK.UPDATE : undefined };
  if (/^\d{1,15}$/.test(r)) {
    const byId = await User.findByPk(Number(r), opts);
    if (byId) return byId;
  }
  if (r.includes('@')) {
    // SCIM-made usernames may be email addresses (issue 17): an email match first, then the username.
    const byEmail = await User.findOne({ where: { emailNormalized: normalizeEmail(r) }, ...opts });
    if (byEmail) return byEmail;
  }
  return User.findOne({ where: { username: normalizeUsername(r) }, ...opts });
}

export function describeRef(ref: UserRef): string {
  const r = ref.trim();
  return r.length > 60 ? `${r.slice(0, 57)}…` : r;
}
