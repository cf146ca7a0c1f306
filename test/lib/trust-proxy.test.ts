import express from 'express';
import { parseTrustProxy, trustsEveryAddress, type TrustProxy } from '../../src/lib/trust-proxy';

function parsed(raw: string): TrustProxy {
  const r = parseTrustProxy(raw);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('TRUST_PROXY: what trusts every address', () => {
  test.each([
    // Ranges that add up to the whole space (a /0 itself is refused: see test/lib/config.test.ts).
    '0.0.0.0/1,128.0.0.0/1',
    '10.0.0.1, 0.0.0.0/2,64.0.0.0/2,128.0.0.0/1',
    '::/1,8000::/1',
    // proxy-addr matches an IPv4 client against an IPv4-mapped IPv6 range of /96 or longer.
    '::ffff:0:0/96',
    '::ffff:0.0.0.0/97,::ffff:128.0.0.0/97',
  ])('%s does', (raw) => {
    expect(trustsEveryAddress(parsed(raw))).toBe(true);
  });

  test.each([
    'false',
    '1',
    '10',
    '10.0.0.0/8',
    'loopback,linklocal,uniquelocal',
    '0.0.0.0/1',
    '::/1',
    '0.0.0.0/1,128.0.0.0/2',
    '::ffff:0:0/97',
    '::ffff:0:0/95',
    '0.0.0.0/1,::ffff:128.0.0.0/1',
  ])('%s does not', (raw) => {
    expect(trustsEveryAddress(parsed(raw))).toBe(false);
  });
});

describe('TRUST_PROXY values express accepts', () => {
  // Every value the configuration accepts compiles in express's own 'trust proxy' (proxy-addr),
  // which throws on what it cannot read; the refusals are refused before express sees them.
  test.each([
    'false',
    '0',
    '1',
    '10',
    '10.0.0.1',
    '10.0.0.0/8, 192.168.1.7 ,fd00::/8',
    'loopback,linklocal,uniquelocal',
    '::ffff:10.0.0.1/128',
    '0.0.0.0/1,128.0.0.0/1',
    '::/1',
  ])('%s compiles', (raw) => {
    expect(() => express().set('trust proxy', parsed(raw))).not.toThrow();
  });
  test.each(['true', '0.0.0.0/0', '::/0', '10.0.0.1,::/0'])('%s is refused first', (raw) => {
    expect(parseTrustProxy(raw).ok).toBe(false);
  });
});
