import { MAX_PASSWORD_BYTES, passwordProblem, suggestPassword } from '../../src/domain/password-policy';

describe('password policy', () => {
  test('length: 11 characters refused, 12 accepted', () => {
    expect(passwordProblem('Zq7!mKp2#vRw'.slice(0, 11))).toMatch(/at least 12 characters/);
    expect(passwordProblem('Zq7!mKp2#vRw')).toBeNull();
  });

  test('bytes: 72 accepted, 73 refused (multi-byte characters count by bytes)', () => {
    const euro = '€'; // 3 bytes in UTF-8
    const p72 = `${euro.repeat(20)}Zq7!mKp2#vRw`; // 60 + 12 = 72 bytes
    expect(Buffer.byteLength(p72)).toBe(MAX_PASSWORD_BYTES);
    expect(passwordProblem(p72)).toBeNull();
    const p73 = `${p72}x`;
    expect(passwordProblem(p73)).toMatch(/at most 72 bytes/);
    // 24 characters but 96 bytes: counted as characters for the minimum, as bytes for the maximum.
    expect(passwordProblem('€'.repeat(24) + 'abc')).toMatch(/bytes/);
  });

  test('common passwords refused, also with case and decoration', () => {
    expect(passwordProblem('password1234')).toMatch(/common/);
    expect(passwordProblem('Password2026!')).toMatch(/common/);
    expect(passwordProblem('correcthorsebatterystaple')).toMatch(/common/);
    expect(passwordProblem('qwertyuiop123')).toMatch(/common/);
  });

  test('sequences and too few distinct characters refused', () => {
    expect(passwordProblem('abcdefghijklmn')).toMatch(/sequence/);
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/different/);
  });

  test('username, email and name not allowed as the password', () => {
    expect(passwordProblem('margaret.hamilton', { username: 'margaret.hamilton' })).toMatch(/username/);
    expect(passwordProblem('margaret.hamilton!', { email: 'margaret.hamilton@example.com' })).toMatch(/username/);
    expect(passwordProblem('Zq7!mKp2#vRw-longer', { username: 'ana' })).toBeNull();
  });

  test('control characters refused', () => {
    expect(passwordProblem('Zq7!mKp2\n#vRw')).toMatch(/control/);
  });

  test('suggested passwords always satisfy the policy and differ', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const p = suggestPassword();
      expect(passwordProblem(p, { username: 'ana', email: 'ana@example.com' })).toBeNull();
      expect(p).toHaveLength(20);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
      seen.add(p);
    }
    expect(seen.size).toBe(500);
  });
});
