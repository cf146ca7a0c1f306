import { CONFIG_DOCS, ConfigError, loadConfig, type Config } from '../../src/lib/config';

interface VariableCase {
  default: unknown;
  /** Raw value → parsed value. */
  good: Array<[string, unknown]>;
  bad: string[];
}

/** Every variable of CONFIG_DOCS: what it defaults to, what it accepts, what it refuses. */
const CASES: Record<keyof Config, VariableCase> = {
  PORT: {
    default: 3000,
    good: [
      ['8080', 8080],
      [' 0 ', 0],
      ['65535', 65535],
    ],
    bad: ['65536', '-1', 'http', '80.5', '1e3'],
  },
  DATABASE_URL: {
    default: 'sqlite:data/userops.sqlite',
    good: [
      ['sqlite::memory:', 'sqlite::memory:'],
      ['postgres://u:p@db:5432/userops', 'postgres://u:p@db:5432/userops'],
      ['postgresql://db/userops', 'postgresql://db/userops'],
    ],
    bad: ['mysql://root:pw@db/x', 'data/userops.sqlite', 'postgres:db'],
  },
  SLACK_BOT_TOKEN: { default: '', good: [['xoxb-1-2-abc', 'xoxb-1-2-abc']], bad: ['xapp-1-abc', 'token'] },
  SLACK_SIGNING_SECRET: { default: '', good: [['8f742231b10e8888abcd99yyyzzz85a5', '8f742231b10e8888abcd99yyyzzz85a5']], bad: [] },
  SLACK_APP_TOKEN: { default: '', good: [['xapp-1-A0-abc', 'xapp-1-A0-abc']], bad: ['xoxb-1-2-abc'] },
  SLACK_API_URL: {
    default: 'https://slack.com/api/',
    good: [
      ['http://127.0.0.1:4000/api', 'http://127.0.0.1:4000/api/'],
      ['https://slack.example/api/', 'https://slack.example/api/'],
    ],
    bad: ['slack.com/api', 'ftp://slack.com/api/'],
  },
  SLACK_COMMAND: {
    default: '/users',
    good: [['/directory', '/directory']],
    bad: ['directory', '/Users', '/has space', `/${'a'.repeat(32)}`],
  },
  SLACK_TEAM_ID: {
    default: '',
    good: [['T0123ABCD', 'T0123ABCD']],
    bad: ['C0123ABCD', 't0123abcd', 'T0_TEAM'],
  },
  PUBLIC_URL: {
    default: 'http://localhost:3000',
    good: [['https://users.example.com/', 'https://users.example.com']],
    bad: ['users.example.com', 'javascript:alert(1)'],
  },
  SMTP_URL: { default: '', good: [['smtps://u:p@mail:465', 'smtps://u:p@mail:465']], bad: ['mail.example.com:25', 'http://mail'] },
  MAIL_FROM: { default: 'userops <userops@localhost>', good: [['Ops <ops@example.com>', 'Ops <ops@example.com>']], bad: ['  a '] },
  OUTBOX_DIR: { default: 'data/outbox', good: [['/var/mail/userops', '/var/mail/userops']], bad: ['   '] },
  LOCKOUT_THRESHOLD: {
    default: 10,
    good: [
      ['1', 1],
      ['100', 100],
    ],
    bad: ['0', '101', 'ten'],
  },
  LOCKOUT_MODE: { default: 'permanent', good: [['temporary', 'temporary']], bad: ['forever', 'TEMP'] },
  LOCKOUT_BASE_MINUTES: {
    default: 15,
    good: [
      ['0.05', 0.05],
      ['60', 60],
    ],
    bad: ['0', '-1', 'ten', '1e3', '10081'],
  },
  LOCKOUT_MAX_MINUTES: {
    default: 1440,
    good: [
      ['0.5', 0.5],
      ['525600', 525600],
    ],
    bad: ['0', '525601', '1,5'],
  },
  RESET_TOKEN_TTL_HOURS: {
    default: 24,
    good: [
      ['1', 1],
      ['720', 720],
    ],
    bad: ['0', '721'],
  },
  BCRYPT_COST: {
    default: 12,
    good: [
      ['4', 4],
      ['15', 15],
    ],
    bad: ['3', '16', '99', '12.5'],
  },
  HASH_QUEUE_MAX: {
    default: 100,
    good: [
      ['1', 1],
      ['100000', 100000],
    ],
    bad: ['0', '100001', '-5', 'many'],
  },
  PASSWORD_MIN_LENGTH: {
    default: 12,
    good: [
      ['8', 8],
      ['64', 64],
    ],
    bad: ['7', '65'],
  },
  LOGIN_MAX_PER_ACCOUNT: { default: 20, good: [['5', 5]], bad: ['0', '100001'] },
  LOGIN_MAX_PER_IP: { default: 100, good: [['1000', 1000]], bad: ['0'] },
  LOGIN_WINDOW_SECONDS: { default: 60, good: [['86400', 86400]], bad: ['0', '86401'] },
  FORGOT_MAX_PER_ACCOUNT: { default: 3, good: [['1', 1]], bad: ['0', '101'] },
  FORGOT_MAX_PER_IP: { default: 20, good: [['100000', 100000]], bad: ['0', 'many'] },
  SELF_SERVICE_UNLOCK: {
    default: true,
    good: [
      ['false', false],
      ['yes', true],
    ],
    bad: ['maybe'],
  },
  PASSWORD_MAX_AGE_DAYS: {
    default: null,
    good: [
      ['90', 90],
      ['1', 1],
      [' 365 ', 365],
    ],
    bad: ['0', '-5', '30.5', 'ninety', '3651'],
  },
  PASSWORD_EXPIRY_CRON: {
    default: '0 8 * * *',
    good: [['30 7 * * 1-5', '30 7 * * 1-5']],
    bad: ['daily', '0 8 * *'],
  },
  API_RATE_LIMIT_PER_MINUTE: { default: 600, good: [['1', 1]], bad: ['0', 'lots'] },
  TRUST_PROXY: {
    default: false,
    good: [
      ['false', false],
      ['0', false],
      ['no', false],
      ['1', 1],
      [' 2 ', 2],
      ['10', 10],
      ['10.0.0.1', ['10.0.0.1']],
      ['10.0.0.0/8, 192.168.1.7 ,fd00::/8', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
      ['loopback,LinkLocal,uniquelocal', ['loopback', 'linklocal', 'uniquelocal']],
      ['::ffff:10.0.0.1/128', ['::ffff:10.0.0.1/128']],
      // Valid, but a start-up warning: see test/lib/deployment-warnings.test.ts.
      ['0.0.0.0/1,128.0.0.0/1', ['0.0.0.0/1', '128.0.0.0/1']],
    ],
    // A bare true (trust every hop) is refused, whatever its spelling.
    bad: [
      'true',
      'TRUE',
      'yes',
      'on',
      '*',
      'all',
      '11',
      '-1',
      '1.5',
      'maybe',
      '10.0.0.0/33',
      '::1/129',
      '10.0.0.1/',
      '10.0.0.1,',
      '10.0.0.256',
      'fe80::1%eth0',
      '10.0.0.0/8/1',
      '0.0.0.0/0',
      '10.0.0.1,::/0',
    ],
  },
  DIGEST_CHANNEL: {
    default: '',
    good: [
      ['C0123ABCD', 'C0123ABCD'],
      ['G0123ABCD', 'G0123ABCD'],
    ],
    bad: ['#general', 'general', 'c0123abcd'],
  },
  DIGEST_CRON: {
    default: '0 9 * * 1-5',
    good: [
      ['*/5 * * * *', '*/5 * * * *'],
      ['0 0 9 * * 1-5', '0 0 9 * * 1-5'],
    ],
    bad: ['every day', '0 9 * *', '99 9 * * *', '0 9 * * funday'],
  },
  DIGEST_TZ: { default: 'UTC', good: [['Europe/Berlin', 'Europe/Berlin']], bad: ['Mars/Olympus', 'not a zone'] },
  DIGEST_SPIKE_THRESHOLD: { default: 20, good: [['1', 1]], bad: ['0'] },
  DIGEST_SILENT_WHEN_EMPTY: { default: false, good: [['true', true]], bad: ['sometimes'] },
  AUDIT_CHANNEL: { default: '', good: [['C999AAA', 'C999AAA']], bad: ['audit'] },
  EXPORT_EMAIL_MAX_BYTES: {
    default: 5_000_000,
    good: [
      ['0', 0],
      ['100000000', 100_000_000],
    ],
    bad: ['100000001', '5MB'],
  },
  EXPORT_DIR: { default: 'data/exports', good: [['/srv/userops/exports', '/srv/userops/exports']], bad: ['   '] },
  EXPORT_ALLOW_PASSWORD_HASHES: {
    default: false,
    good: [
      ['true', true],
      ['false', false],
    ],
    bad: ['hashes'],
  },
  HOME_COUNTS_MAX_AGE_SECONDS: {
    default: 60,
    good: [
      ['0', 0],
      ['3600', 3600],
    ],
    bad: ['-1', '3601', 'a minute'],
  },
  DORMANT_DAYS: {
    default: 90,
    good: [
      ['1', 1],
      ['3650', 3650],
    ],
    bad: ['0', '3651', 'ninety'],
  },
  INVITE_TTL_DAYS: {
    default: 7,
    good: [
      ['1', 1],
      ['90', 90],
    ],
    bad: ['0', '91', 'week'],
  },
  BULK_BATCH_SIZE: {
    default: 250,
    good: [
      ['10', 10],
      ['5000', 5000],
    ],
    bad: ['9', '5001', 'many'],
  },
  ACCESS_REVIEW_CRON: {
    default: '0 9 1-7 * 1',
    good: [
      ['off', null],
      [' OFF ', null],
      ['0 8 * * 1', '0 8 * * 1'],
    ],
    bad: ['every monday', '0 9 * *', '0 25 * * 1'],
  },
  ACCESS_REVIEW_CHANNELS: {
    default: {},
    good: [
      ['acme=C0123ABCD', { acme: 'C0123ABCD' }],
      [' acme=C0123ABCD , beta-2=G0456EFGH ', { acme: 'C0123ABCD', 'beta-2': 'G0456EFGH' }],
    ],
    bad: ['acme', 'acme=#security', 'acme=C0123ABCD,acme=C0456EFGH', 'Acme=C0123ABCD'],
  },
  APPROVAL_REQUIRED: {
    default: [],
    good: [
      ['bulk,delete,admin_target', ['bulk', 'delete', 'admin_target']],
      [' Delete , delete,api_key ', ['delete', 'api_key']],
    ],
    bad: ['bulk,everything', 'deletes'],
  },
  APPROVAL_BULK_MIN: {
    default: 25,
    good: [
      ['0', 0],
      ['500', 500],
    ],
    bad: ['-1', 'ten', '2.5'],
  },
  APPROVAL_TTL_MINUTES: {
    default: 60,
    good: [
      ['0.5', 0.5],
      ['1440', 1440],
    ],
    bad: ['0', '10081', 'an hour'],
  },
  APPROVALS_CHANNEL: { default: '', good: [['C0APPROVE', 'C0APPROVE']], bad: ['#approvals'] },
  WEBHOOK_SECRET_KEY: {
    default: '',
    good: [['0123456789abcdef0123456789abcdef', '0123456789abcdef0123456789abcdef']],
    bad: ['too-short'],
  },
  WEBHOOK_ALLOW_PRIVATE: {
    default: false,
    good: [
      ['true', true],
      ['false', false],
    ],
    bad: ['sometimes'],
  },
  WEBHOOK_TIMEOUT_SECONDS: {
    default: 10,
    good: [
      ['1', 1],
      ['60', 60],
    ],
    bad: ['0', '61', '1.5'],
  },
  WEBHOOK_RETRY_SCHEDULE: {
    default: [5, 300, 1800, 7200, 18000, 36000, 36000],
    good: [
      ['0.05,0.1', [0.05, 0.1]],
      [' 5 , 60 ', [5, 60]],
    ],
    bad: ['5,,6', '-1', '0', '86401', 'soon', Array.from({ length: 21 }, () => '1').join(',')],
  },
  LOG_LEVEL: {
    default: 'info',
    good: [
      ['debug', 'debug'],
      ['error', 'error'],
    ],
    bad: ['verbose', 'INFO '],
  },
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration (DESIGN §7)', () => {
  test('every documented variable is covered here, and every variable of DESIGN §7 is documented', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(CONFIG_DOCS).sort());
    const design = [
      'PORT',
      'DATABASE_URL',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
      'SLACK_COMMAND',
      'PUBLIC_URL',
      'SMTP_URL',
      'MAIL_FROM',
      'LOCKOUT_THRESHOLD',
      'RESET_TOKEN_TTL_HOURS',
      'BCRYPT_COST',
      'DIGEST_CHANNEL',
      'DIGEST_CRON',
      'EXPORT_EMAIL_MAX_BYTES',
    ];
    expect(Object.keys(CONFIG_DOCS)).toEqual(expect.arrayContaining(design));
  });

  test('an empty environment gives every default', () => {
    const config = loadConfig({});
    expect(config).toEqual(Object.fromEntries(Object.entries(CASES).map(([k, c]) => [k, c.default])));
  });

  test('an empty string counts as unset, except ACCESS_REVIEW_CRON where it means off', () => {
    const config = loadConfig(Object.fromEntries(Object.keys(CONFIG_DOCS).map((k) => [k, ''])));
    expect(config).toEqual({ ...loadConfig({}), ACCESS_REVIEW_CRON: null });
    expect(loadConfig({ ACCESS_REVIEW_CRON: '' }).ACCESS_REVIEW_CRON).toBeNull();
    expect(loadConfig({}).ACCESS_REVIEW_CRON).toBe('0 9 1-7 * 1');
  });

  const good = Object.entries(CASES).flatMap(([name, c]) => c.good.map(([raw, parsed]) => [name, raw, parsed] as const));
  test.each(good)('%s=%j is accepted as %j', (name, raw, parsed) => {
    expect(loadConfig({ [name]: raw })[name as keyof Config]).toEqual(parsed);
  });

  const bad = Object.entries(CASES).flatMap(([name, c]) => c.bad.map((raw) => [name, raw] as const));
  test.each(bad)('%s=%j is refused with one line naming the variable, without echoing the value', (name, raw) => {
    const e = configError({ [name]: raw });
    expect(e.message).toMatch(new RegExp(`^Invalid configuration: ${name} \\S`));
    expect(e.message).not.toContain('\n');
    // Naming the variable once is enough; the message says what is wrong, not what was typed.
    expect(e.message.split(name)).toHaveLength(2);
    if (raw.trim().length >= 4) expect(e.message.slice(`Invalid configuration: ${name}`.length)).not.toContain(raw.trim());
    expect(e.message).not.toMatch(/Invalid input|expected/i);
  });

  test('TRUST_PROXY=true is refused with one line that says why and what to write instead', () => {
    expect(configError({ TRUST_PROXY: 'true' }).message).toBe(
      'Invalid configuration: TRUST_PROXY must be a hop count from 0 to 10, or a comma-separated list of proxy addresses, CIDR ranges, loopback, linklocal or uniquelocal: trusting every hop would let any client choose its own address',
    );
    expect(configError({ TRUST_PROXY: '10.0.0.1, nonsense' }).message).toMatch(/entry 2 is none of these$/);
  });

  test('secrets inside bad values never reach the message', () => {
    const e = configError({ DATABASE_URL: 'mysql://root:Sup3rS3cret@db/x', SLACK_BOT_TOKEN: 'xoxb-1-2-real' });
    expect(e.message).not.toContain('Sup3rS3cret');
    expect(e.message).not.toContain('xoxb-1-2-real');
  });
});
