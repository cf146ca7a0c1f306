import { findSpike } from '../../src/domain/lockout-spike';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 2, 8, 0) + minutes * 60_000);

describe('findSpike', () => {
  test('no lockouts, or no more than the threshold within any hour: no spike', () => {
    expect(findSpike([], 3)).toBeNull();
    // Four lockouts, but never more than three within one hour.
    const spread = [0, 30, 59, 61].map((m, i) => ({ userId: i + 1, at: at(m) }));
    expect(findSpike(spread.slice(0, 3), 3)).toBeNull();
    expect(
      findSpike(
        [0, 40, 80, 120].map((m, i) => ({ userId: i, at: at(m) })),
        2,
      ),
    ).toBeNull();
  });

  test('more than the threshold within one hour is a spike; the densest hour is reported', () => {
    const lockouts = [
      { userId: 1, at: at(0) },
      { userId: 2, at: at(70) },
      { userId: 3, at: at(75) },
      { userId: 4, at: at(90) },
      { userId: 5, at: at(129) },
      { userId: 6, at: at(200) },
    ];
    const spike = findSpike(lockouts, 3);
    expect(spike).toEqual({ count: 4, from: at(70), to: at(130), userIds: [2, 3, 4, 5] });
    // Exactly at the threshold is not "more than".
    expect(findSpike(lockouts, 4)).toBeNull();
  });

  test('the hour is half-open: a lockout exactly one hour later starts the next window', () => {
    const lockouts = [0, 10, 20, 60].map((m, i) => ({ userId: i, at: at(m) }));
    expect(findSpike(lockouts, 2)?.count).toBe(3);
    expect(findSpike(lockouts, 3)).toBeNull();
  });

  test('unsorted input and a user locked twice: counted twice, listed once', () => {
    const lockouts = [
      { userId: 9, at: at(20) },
      { userId: 7, at: at(5) },
      { userId: 9, at: at(1) },
    ];
    expect(findSpike(lockouts, 2)).toEqual({ count: 3, from: at(1), to: at(61), userIds: [9, 7] });
  });
});
