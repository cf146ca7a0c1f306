import type { Config } from './config';
import { trustsEveryAddress } from './trust-proxy';

/** Below this, bcrypt is for tests: each cost step halves a cracker's work. */
export const MIN_PRODUCTION_BCRYPT_COST = 10;

function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/**
 * Settings that are valid but weak for a real deployment, one sentence each, for the server to log
 * as warnings at start. A pure function of the configuration; no value that could be a secret is
 * repeated (only BCRYPT_COST's number).
 */
export function deploymentWarnings(config: Config): string[] {
  const lines: string[] = [];
  if (config.BCRYPT_COST < MIN_PRODUCTION_BCRYPT_COST) {
    lines.push(
      `BCRYPT_COST is ${config.BCRYPT_COST}: below ${MIN_PRODUCTION_BCRYPT_COST}, stolen password hashes are cheap to crack; use ${MIN_PRODUCTION_BCRYPT_COST} or more (12 is the default)`,
    );
  }
  const publicUrl = new URL(config.PUBLIC_URL);
  if (publicUrl.protocol === 'http:' && !isLocalHost(publicUrl.hostname)) {
    lines.push(
      'PUBLIC_URL is plain http on a host other than this machine: reset links, which carry the token, travel unencrypted; use https',
    );
  }
  if (config.EXPORT_ALLOW_PASSWORD_HASHES) {
    lines.push('EXPORT_ALLOW_PASSWORD_HASHES is on: exports may carry bcrypt password hashes, which Slack files and email copies take far');
  }
  if (trustsEveryAddress(config.TRUST_PROXY)) {
    lines.push(
      'TRUST_PROXY trusts every address: any client can choose the address the login throttle, the audit log and the lockout digest see; list only your proxies',
    );
  }
  if (config.WEBHOOK_ALLOW_PRIVATE) {
    lines.push(
      'WEBHOOK_ALLOW_PRIVATE is on: webhook endpoints may be plain http and point at loopback or private addresses of your network',
    );
  }
  return lines;
}
