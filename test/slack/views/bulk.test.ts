import type { BulkActionPreview } from '../../../src/services/bulk-actions';
import { bulkModal, bulkPreviewMessage, bulkPreviewModal } from '../../../src/slack/flows/bulk';
import { nameList } from '../../../src/slack/flows/bulk/views';

const long = (i: number) => `user-with-a-very-long-name-${'x'.repeat(150)}-${i}`;

function big(count: number): BulkActionPreview {
  const names = Array.from({ length: 50 }, (_, i) => long(i));
  return {
    jobId: 42,
    action: 'disable',
    reason: 'r'.repeat(500),
    count,
    sample: names.slice(0, Math.min(10, count)),
    notFound: names,
    notFoundCount: 120,
    skipped: [
      { reason: 'self', count: 1, names: ['me'] },
      { reason: 'already', count: 3000, names },
      { reason: 'outside_org', count: 70, names },
      { reason: 'no_permission', count: 50, names },
      { reason: 'higher_role', count: 51, names },
    ],
  };
}

const sectionTexts = (blocks: unknown[]) =>
  blocks.flatMap((b) => ((b as { type: string }).type === 'section' ? [(b as { text: { text: string } }).text.text] : []));

describe('bulk views keep within Block Kit limits', () => {
  test('nameList cuts at the limit and says how many more', () => {
    expect(nameList(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(nameList(['a', 'b', 'c'], 10)).toBe('a, b, c and 7 more');
    expect(nameList(['a<b', ...Array.from({ length: 49 }, (_, i) => long(i))], 50, 600)).toMatch(/^a&lt;b, .* and 4[0-9] more$/);
  });

  test('the preview modal: every section ≤ 3,000 characters, one line per skip reason, a confirm only when someone changes', () => {
    const view = bulkPreviewModal(big(5000), 'acme');
    const texts = sectionTexts(view.blocks);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    const all = texts.join('\n');
    expect(all).toContain('*5000 users* will be disabled.');
    expect(all).toContain('and 4990 more');
    expect(all).toMatch(/Not found \(120\): .* and \d+ more/);
    expect(all).toContain('Skipped: you');
    expect(all).toMatch(/Skipped, already disabled \(3000\): .* and \d+ more/);
    expect(all).toContain('Skipped, not in acme (70)');
    expect(all).toContain('Skipped, you may not enable or disable users in every organization they belong to (50)');
    expect(all).toContain('Skipped, they hold a higher role than yours (51)');
    expect(view.submit).toEqual({ type: 'plain_text', text: 'Disable 5000' });
    expect(JSON.parse(view.private_metadata!)).toEqual({ jobId: 42, action: 'disable' });
    expect(bulkPreviewModal(big(0), null).submit).toBeUndefined();
  });

  test('the typed preview message: ≤ 50 blocks, a confirm-carrying button whose value is the job id', () => {
    const m = bulkPreviewMessage(big(12));
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    for (const t of sectionTexts(m.blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    const actions = m.blocks.find((b) => b.type === 'actions') as {
      elements: Array<{ value: string; confirm?: unknown; text: { text: string } }>;
    };
    expect(actions.elements[0]).toMatchObject({ value: '42', text: { text: 'Disable 12' } });
    expect(actions.elements[0].confirm).toBeDefined();
    expect(bulkPreviewMessage(big(0)).blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  test('the form: the actions offered, one preselected, names pasted', () => {
    const v = JSON.stringify(bulkModal({ actions: ['disable', 'enable'], action: 'enable', orgs: [], initialPasted: 'a\nb' }));
    expect(v).toContain('"initial_option":{"text":{"type":"plain_text","text":"Enable"},"value":"enable"}');
    expect(v).not.toContain('reset_password');
    expect(v).toContain('"initial_value":"a\\nb"');
  });
});
