import type { AccessReview, ReviewRow } from '../../../src/services/access-review';
import { accessReviewCsv } from '../../../src/services/access-review';
import { accessReviewMessage, parseReviewButton, REVIEW_NAMES_SHOWN } from '../../../src/slack/views/access-review';

const row = (i: number, extra: Partial<ReviewRow> = {}): ReviewRow => ({
  id: i,
  username: `u${String(i).padStart(2, '0')}`,
  name: `User ${i}`,
  email: `u${i}@example.com`,
  lastLoginAt: null,
  detail: 'never logged in',
  ...extra,
});

const review: AccessReview = {
  organization: { id: 1, slug: 'acme', name: 'ACME' },
  at: new Date('2026-11-02T09:00:00Z'),
  dormantDays: 90,
  sections: [
    { key: 'administrators', rows: [row(1)] },
    { key: 'security', rows: [] },
    { key: 'api_keys', rows: [row(2, { detail: 'API keys: uok_x' })] },
    { key: 'dormant', rows: Array.from({ length: 12 }, (_, i) => row(10 + i)) },
    { key: 'invited', rows: [row(3, { name: '=cmd()' })] },
  ],
};

describe('access review view and CSV (pure)', () => {
  const m = accessReviewMessage(review, { scheduled: true });
  const json = JSON.stringify(m.blocks);

  test('one section per question; the first names and “and N more”; no button for an empty section', () => {
    expect(json).toContain('Dormant users: 12*');
    expect(json).toContain(`and ${12 - REVIEW_NAMES_SHOWN} more (see the CSV)`);
    expect(json).toContain('Security role: 0*');
    expect(json).toContain('_Nobody._');
    const buttons = m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((b) => (b as { text: { text: string } }).text.text)).toEqual([
      'Reset passwords of the 1 administrator…',
      'Disable the 1 user with API keys…',
      'Disable the 12 dormant users…',
      'Disable the 1 invited user…',
    ]);
    expect(parseReviewButton((buttons[2] as { value: string }).value)).toEqual({ a: 'disable', s: 'dormant', o: 'acme' });
    expect(m.blocks.length).toBeLessThanOrEqual(50);
  });

  test('button values that are not ours are ignored', () => {
    for (const v of [
      '',
      'x',
      '{"a":"delete","s":"dormant","o":"acme"}',
      '{"a":"disable","s":"toString","o":"acme"}',
      '{"a":"disable","s":"dormant"}',
    ])
      expect(parseReviewButton(v)).toBeNull();
  });

  test('the CSV has every row of every section, neutralised against formulas', () => {
    const lines = accessReviewCsv(review).trim().split('\r\n');
    expect(lines).toHaveLength(1 + 1 + 1 + 12 + 1);
    expect(lines.filter((l) => l.startsWith('acme,dormant,'))).toHaveLength(12);
    expect(lines).toContain("acme,invited,u03,'=cmd(),u3@example.com,,never logged in");
  });
});
