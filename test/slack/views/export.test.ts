import { EXPORT_FIELD_NAMES, EXPORT_FIELDS } from '../../../src/services/export-fields';
import { IMPORT_COLUMNS } from '../../../src/services/import-users';
import { exportFieldsBlockId, exportFieldsModal, readExportFieldChoices } from '../../../src/slack/flows/export-fields';
import { validateView } from '../../../src/standin';

const list = {
  always: [...IMPORT_COLUMNS],
  fields: EXPORT_FIELD_NAMES.map((f) => ({ field: f, ...EXPORT_FIELDS[f], enabled: EXPORT_FIELDS[f].default })),
  passwordHashAllowed: true,
};

describe('export fields modal', () => {
  test('is a valid modal: every optional field once, ticked as set, groups within the 10-option limit', () => {
    const view = exportFieldsModal(list);
    expect(validateView(view)).toEqual([]);
    const groups = view.blocks.filter((b) => b.type === 'input') as Array<{
      block_id: string;
      element: { options: Array<{ value: string }>; initial_options?: Array<{ value: string }> };
    }>;
    const values = groups.flatMap((g) => g.element.options.map((o) => o.value));
    expect(values.sort()).toEqual([...EXPORT_FIELD_NAMES].sort());
    for (const g of groups) expect(g.element.options.length).toBeLessThanOrEqual(10);
    const ticked = groups.flatMap((g) => (g.element.initial_options ?? []).map((o) => o.value));
    expect(ticked.sort()).toEqual(EXPORT_FIELD_NAMES.filter((f) => EXPORT_FIELDS[f].default).sort());
  });

  test('a submission reads back as every shown field on or off', () => {
    const state = {
      [exportFieldsBlockId('profile')]: { value: { type: 'checkboxes', selected_options: [{ value: 'phone' }] } },
      [exportFieldsBlockId('timestamps')]: { value: { type: 'checkboxes', selected_options: [] } },
      [exportFieldsBlockId('secret')]: { value: { type: 'checkboxes', selected_options: [{ value: 'password_hash' }] } },
    } as unknown as Parameters<typeof readExportFieldChoices>[0];
    const choices = readExportFieldChoices(state);
    expect(Object.keys(choices).sort()).toEqual([...EXPORT_FIELD_NAMES].sort());
    expect(
      Object.entries(choices)
        .filter(([, on]) => on)
        .map(([f]) => f),
    ).toEqual(['phone', 'password_hash']);
  });
});
