import {
  checkMessageContent,
  findButtons,
  findInputs,
  findOverflows,
  findSelects,
  listControls,
  mrkdwnToPlain,
  renderBlocks,
  renderMessage,
  validateBlocks,
  validateView,
} from '../../src/standin';

const option = (text: string, value = text.toLowerCase()) => ({ text: { type: 'plain_text', text }, value });

const userCard = [
  { type: 'header', text: { type: 'plain_text', text: 'ana' } },
  {
    type: 'section',
    block_id: 'who',
    text: { type: 'mrkdwn', text: '*Ana Silva* <mailto:ana@example.com|ana@example.com> · <@U0ADMIN01>' },
    fields: [
      { type: 'mrkdwn', text: '*Status:* active' },
      { type: 'mrkdwn', text: '*Enabled:* yes' },
      { type: 'mrkdwn', text: '*Failed:* 0' },
    ],
    accessory: { type: 'overflow', action_id: 'row', options: [option('Reset password', 'reset'), option('Delete')] },
  },
  { type: 'divider' },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'Disabled by <@U0ADMIN01> &amp; logged' }] },
  {
    type: 'actions',
    block_id: 'acts',
    elements: [
      { type: 'button', action_id: 'disable', text: { type: 'plain_text', text: 'Disable' }, style: 'danger', value: 'u1' },
      { type: 'button', action_id: 'unlock', text: { type: 'plain_text', text: 'Unlock' } },
      {
        type: 'static_select',
        action_id: 'view',
        placeholder: { type: 'plain_text', text: 'Saved view' },
        options: [option('All'), option('Locked')],
      },
    ],
  },
];

describe('finding elements', () => {
  it('finds buttons, overflows and selects in display order', () => {
    expect(findButtons(userCard)).toEqual([
      { text: 'Disable', actionId: 'disable', blockId: 'acts', value: 'u1', style: 'danger' },
      { text: 'Unlock', actionId: 'unlock', blockId: 'acts' },
    ]);
    expect(findOverflows(userCard)[0]?.options.map((o) => [o.text, o.value])).toEqual([
      ['Reset password', 'reset'],
      ['Delete', 'delete'],
    ]);
    expect(findSelects(userCard).map((s) => [s.actionId, s.options.length])).toEqual([['view', 2]]);
    expect(listControls(userCard).map((c) => `${c.kind}:${c.label}`)).toEqual([
      'overflow:Reset password',
      'overflow:Delete',
      'button:Disable',
      'button:Unlock',
    ]);
  });

  it('finds inputs with their labels', () => {
    const inputs = findInputs([
      {
        type: 'input',
        block_id: 'pw',
        optional: true,
        label: { type: 'plain_text', text: 'Password' },
        element: { type: 'plain_text_input', action_id: 'value' },
      },
    ]);
    expect(inputs).toEqual([
      expect.objectContaining({ blockId: 'pw', actionId: 'value', label: 'Password', type: 'plain_text_input', optional: true }),
    ]);
  });
});

describe('rendering', () => {
  it('renders a card as readable text, numbering controls like listControls', () => {
    expect(renderBlocks(userCard, { numbered: true, width: 10, userName: (id) => (id === 'U0ADMIN01' ? 'ana' : undefined) })).toBe(`ana
═══
*Ana Silva* ana@example.com · @ana
  *Status:* active    *Enabled:* yes
  *Failed:* 0
  ⋯ [1] Reset password [2] Delete
──────────
› Disabled by @ana & logged
[3] Disable (!)  [4] Unlock  <Saved view ▾: All, Locked>`);
  });

  it('renders a text-only message from its mrkdwn', () => {
    expect(renderMessage({ text: 'Hi <@U0ADMIN01>' })).toBe('Hi @U0ADMIN01');
    expect(renderMessage({ text: 'fallback', blocks: [{ type: 'divider' }] }, { width: 3 })).toBe('───');
  });

  it('resolves links, channels and specials in mrkdwn', () => {
    expect(mrkdwnToPlain('see <https://x.test/a|the docs>, <#C0GENERAL|general>, <!here>, <https://x.test>')).toBe(
      'see the docs (https://x.test/a), #general, @here, https://x.test',
    );
  });
});

describe('validation', () => {
  it('accepts a well-formed card', () => {
    expect(validateBlocks(userCard, 'message')).toEqual([]);
  });

  it('reports Slack limits with json-pointers', () => {
    const errors = validateBlocks(
      [
        { type: 'section', block_id: 'a', text: { type: 'mrkdwn', text: '' } },
        { type: 'section', block_id: 'a', text: { type: 'plain_text', text: 'ok' } },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'x'.repeat(256), text: { type: 'plain_text', text: 'b' }, value: 'v'.repeat(2001) },
            { type: 'overflow', action_id: 'o', options: Array.from({ length: 6 }, (_, i) => option(`O${i}`)) },
            { type: 'overflow', action_id: 'p', options: [] },
          ],
        },
        {
          type: 'input',
          label: { type: 'plain_text', text: 'L' },
          element: { type: 'static_select', action_id: 's', options: Array.from({ length: 101 }, (_, i) => option(`S${i}`)) },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'x' },
          accessory: { type: 'overflow', action_id: 'q', options: [{ text: { type: 'plain_text', text: 'v' }, value: 'w'.repeat(151) }] },
        },
        { type: 'banner' },
      ],
      'message',
    );
    expect(errors).toEqual([
      'must be more than 0 characters [json-pointer:/blocks/0/text/text]',
      'duplicate block_id "a" [json-pointer:/blocks/1/block_id]',
      'must be less than 256 characters [json-pointer:/blocks/2/elements/0/action_id]',
      'must be less than 2001 characters [json-pointer:/blocks/2/elements/0/value]',
      'no more than 5 items allowed [json-pointer:/blocks/2/elements/1/options]',
      'must contain at least 1 items [json-pointer:/blocks/2/elements/2/options]',
      'no more than 100 items allowed [json-pointer:/blocks/3/element/options]',
      'must be less than 151 characters [json-pointer:/blocks/4/accessory/options/0/value]',
      'unsupported block type "banner" [json-pointer:/blocks/5/type]',
    ]);
  });

  it('allows 100 blocks in a view but 50 in a message', () => {
    const dividers = Array.from({ length: 100 }, () => ({ type: 'divider' }));
    expect(validateBlocks(dividers, 'modal')).toEqual([]);
    expect(validateBlocks(dividers, 'message')).toEqual(['no more than 50 items allowed [json-pointer:/blocks]']);
    expect(validateBlocks([...dividers, { type: 'divider' }], 'home')).toEqual(['no more than 100 items allowed [json-pointer:/blocks]']);
  });

  it('checks modal title and buttons', () => {
    expect(
      validateView({
        type: 'modal',
        title: { type: 'plain_text', text: 'Reset passwords' },
        submit: { type: 'plain_text', text: 'Reset all of these passwords now' },
        close: { type: 'mrkdwn', text: 'No' },
        blocks: [],
      }),
    ).toEqual(['must be less than 25 characters [json-pointer:/view/submit/text]', 'must be plain_text [json-pointer:/view/close/type]']);
  });

  it('refuses an initial value longer than the input allows', () => {
    const input = (initial: string) => ({
      type: 'input',
      label: { type: 'plain_text', text: 'Email' },
      element: { type: 'plain_text_input', action_id: 'v', max_length: 5, initial_value: initial },
    });
    expect(validateBlocks([input('abcde')], 'modal')).toEqual([]);
    expect(validateBlocks([input('abcdef')], 'modal')).toEqual([
      'must not be longer than max_length [json-pointer:/blocks/0/element/initial_value]',
    ]);
  });

  it('requires text or blocks in a message', () => {
    expect(checkMessageContent({})).toEqual({ error: 'no_text', errors: [] });
    expect(checkMessageContent({ text: 'hi' })).toBeUndefined();
    expect(checkMessageContent({ blocks: [{ type: 'header' }] })?.error).toBe('invalid_blocks');
  });
});
