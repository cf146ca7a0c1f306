import { isValidCron, latestSlotBefore, slotName } from '../../src/jobs/cron-slots';

describe('latestSlotBefore', () => {
  test('weekdays at 09:00 UTC: the latest slot before now, skipping the weekend', async () => {
    const mondayMorning = new Date('2026-11-02T08:30:00Z'); // a Monday, before its slot
    expect(await latestSlotBefore('0 9 * * 1-5', 'UTC', mondayMorning, null)).toEqual(new Date('2026-10-30T09:00:00Z'));
    const mondayLater = new Date('2026-11-02T10:30:00Z');
    expect(await latestSlotBefore('0 9 * * 1-5', 'UTC', mondayLater, null)).toEqual(new Date('2026-11-02T09:00:00Z'));
    // Exactly at the slot counts.
    const exactly = new Date('2026-11-02T09:00:00Z');
    expect(await latestSlotBefore('0 9 * * 1-5', 'UTC', exactly, null)).toEqual(exactly);
  });

  test('in the configured time zone', async () => {
    // 09:00 in Berlin is 08:00 UTC in November (CET).
    const now = new Date('2026-11-03T12:00:00Z');
    expect(await latestSlotBefore('0 9 * * 1-5', 'Europe/Berlin', now, null)).toEqual(new Date('2026-11-03T08:00:00Z'));
    // In summer time (CEST) it is 07:00 UTC.
    expect(await latestSlotBefore('0 9 * * *', 'Europe/Berlin', new Date('2026-07-01T12:00:00Z'), null)).toEqual(
      new Date('2026-07-01T07:00:00Z'),
    );
  });

  test('only slots after `after`; none in the lookback: null', async () => {
    const now = new Date('2026-11-03T10:30:00Z');
    expect(await latestSlotBefore('0 9 * * 1-5', 'UTC', now, new Date('2026-11-03T09:00:05Z'))).toBeNull();
    expect(await latestSlotBefore('0 9 * * 1-5', 'UTC', now, new Date('2026-11-03T08:59:00Z'))).toEqual(new Date('2026-11-03T09:00:00Z'));
    expect(await latestSlotBefore('0 9 1 1 *', 'UTC', now, null, 7 * 24 * 3_600_000)).toBeNull();
  });

  test('six-field expressions with seconds', async () => {
    const now = new Date('2026-11-03T10:30:47.500Z');
    expect(await latestSlotBefore('*/20 * * * * *', 'UTC', now, null)).toEqual(new Date('2026-11-03T10:30:40Z'));
  });

  test('slot names are the UTC instant to the second; validation follows node-cron', () => {
    expect(slotName(new Date('2026-11-02T09:00:00.734Z'))).toBe('2026-11-02T09:00:00.000Z');
    expect(isValidCron('0 9 * * 1-5')).toBe(true);
    expect(isValidCron('99 9 * * *')).toBe(false);
  });
});
