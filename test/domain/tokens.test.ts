import { API_KEY_PREFIX, apiKeyDisplayPrefix, checkApiKeyFormat, generateApiKey } from '../../src/domain/api-key';
import { neutralizeCell, restoreCell } from '../../src/domain/csv-safety';
import { RESET_TOKEN_PATTERN, constantTimeEqual, randomToken, sha256Hex } from '../../src/domain/tokens';

describe('tokens', () => {
  test('random tokens are 32 bytes base64url and unique', () => {
    const a = randomToken();
    expect(a).toMatch(RESET_TOKEN_PATTERN);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(randomToken()).not.toBe(a);
  });

  test('sha256 and constant-time equality', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(constantTimeEqual(sha256Hex('x'), sha256Hex('x'))).toBe(true);
    expect(constantTimeEqual(sha256Hex('x'), sha256Hex('y'))).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('API keys', () => {
  test('format: prefix, base62 body, checksum', () => {
    const key = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key).toMatch(/^uok_[0-9A-Za-z]{49}$/);
    expect(checkApiKeyFormat(key)).toBe('ok');
    expect(apiKeyDisplayPrefix(key)).toBe(key.slice(0, 10));
  });

  test('a one-character typo fails the checksum without a lookup', () => {
    const key = generateApiKey();
    let caught = 0;
    for (let i = 4; i < key.length; i++) {
      const c = key[i] === 'a' ? 'b' : 'a';
      const typo = key.slice(0, i) + c + key.slice(i + 1);
      if (checkApiKeyFormat(typo) === 'bad_checksum') caught++;
    }
    expect(caught).toBe(key.length - 4);
  });

  test('malformed keys', () => {
    for (const bad of ['', 'uok_', 'xoxb-123', `uok_${'a'.repeat(48)}`, `uok_${'a'.repeat(48)}!`, `UOK_${'a'.repeat(49)}`]) {
      expect(checkApiKeyFormat(bad)).toBe('malformed');
    }
  });
});

describe('CSV cell safety', () => {
  test.each(['=SUM(A1)', '+1', '-2', '@cmd', '\tx', '\rx'])('neutralises %j', (v) => {
    expect(neutralizeCell(v)).toBe(`'${v}`);
    expect(restoreCell(neutralizeCell(v))).toBe(v);
  });
  test('leaves ordinary cells alone', () => {
    expect(neutralizeCell('ana@example.com')).toBe('ana@example.com');
    expect(neutralizeCell("it's")).toBe("it's");
  });
});
