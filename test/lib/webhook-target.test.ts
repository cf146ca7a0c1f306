import { addressVerdict, checkWebhookUrl, resolveVetted } from '../../src/lib/webhook-target';
import { postWebhook } from '../../src/lib/webhook-post';
import { startReceiver } from '../support/webhook-receiver';

describe('webhook targets', () => {
  test.each([
    ['169.254.169.254', false],
    ['169.254.169.254', true],
    ['169.254.10.1', true],
    ['fe80::1', true],
    ['fd00:ec2::254', true],
    ['::ffff:169.254.169.254', true],
    ['0.0.0.0', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['::1', false],
    ['fd12:3456::1', false],
    ['::ffff:127.0.0.1', false],
  ])('%s is refused (allow private: %s)', (address, allow) => {
    expect(addressVerdict(address, allow).ok).toBe(false);
  });

  test.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
  ])('%s is allowed (allow private: %s)', (address, allow) => {
    expect(addressVerdict(address, allow)).toEqual({ ok: true });
  });

  test.each([
    ['', false, /Give the URL/],
    ['not a url', false, /not a URL/],
    ['http://hooks.example.com/x', false, /must start with https:\/\/ \(plain http only with WEBHOOK_ALLOW_PRIVATE=true\)/],
    ['ftp://hooks.example.com/x', true, /https:\/\/ or http:\/\//],
    ['https://user:pw@hooks.example.com/x', false, /user name or password/],
    ['https://hooks.example.com:0/x', false, /Port 0/],
    ['https://hooks.example.com/x#frag', false, /fragment/],
    ['https://169.254.169.254/latest/meta-data', true, /link-local, metadata/],
    ['https://[fe80::1]/x', true, /link-local, metadata/],
    ['https://metadata.google.internal/computeMetadata', true, /metadata service/],
    ['https://10.0.0.5/hook', false, /private address/],
    ['https://localhost/hook', false, /localhost is allowed only/],
    ['https://hooks.example.com:99999/x', false, /not a URL/],
  ])('add refuses %s (allow private: %s)', (url, allow, message) => {
    const v = checkWebhookUrl(url, allow);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toMatch(message);
  });

  test('add accepts https anywhere public, and http to a local receiver only with the flag', () => {
    expect(checkWebhookUrl('https://hooks.example.com/userops?t=1', false)).toEqual({
      ok: true,
      url: 'https://hooks.example.com/userops?t=1',
    });
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', true)).toMatchObject({ ok: true });
  });

  test('a name is checked on what it resolves to at delivery time', async () => {
    expect(await resolveVetted(new URL('http://localhost:1/x'), false)).toMatchObject({
      error: expect.stringMatching(/loopback or private/),
    });
    expect(await resolveVetted(new URL('http://localhost:1/x'), true)).toMatchObject({
      address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
    });
  });
});

describe('a webhook attempt', () => {
  test('is refused before connecting to a metadata, link-local or (without the flag) private address', async () => {
    const r = await startReceiver();
    try {
      for (const [url, allow] of [
        ['http://169.254.169.254/latest/meta-data/', true],
        ['http://[fe80::1]/x', true],
        [r.url, false],
      ] as const) {
        const res = await postWebhook(url, {}, '{}', { timeoutMs: 1000, allowPrivate: allow });
        expect(res).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/^refused/) });
      }
      expect(r.received).toHaveLength(0);
    } finally {
      await r.close();
    }
  });

  test('does not follow a redirect: a 3xx is a failure and the target is never asked', async () => {
    const target = await startReceiver();
    const r = await startReceiver();
    r.answer = () => ({ status: 307, headers: { location: target.url } });
    try {
      const res = await postWebhook(r.url, {}, '{"a":1}', { timeoutMs: 1000, allowPrivate: true });
      expect(res).toEqual({ ok: false, status: 307, error: 'answered 307 (redirects are not followed)' });
      expect(r.received).toHaveLength(1);
      expect(target.received).toHaveLength(0);
    } finally {
      await r.close();
      await target.close();
    }
  });

  test('gives up after the timeout', async () => {
    const r = await startReceiver();
    r.answer = () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 1500));
    try {
      const res = await postWebhook(r.url, {}, '{}', { timeoutMs: 200, allowPrivate: true });
      expect(res).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/no answer within 0.2 s/) });
    } finally {
      await r.close();
    }
  });
});
