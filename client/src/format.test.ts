import { describe, expect, it } from 'vitest';
import { ageSeconds, formatAge, isCurrent } from './format';

describe('ages and sources', () => {
  it('ageSeconds — from as_of to now, never negative; nothing for a missing or bad date', () => {
    const now = Date.parse('2026-12-02T10:00:10.000Z');
    expect(ageSeconds('2026-12-02T10:00:00.000Z', now)).toBe(10);
    expect(ageSeconds('2026-12-02T10:00:20.000Z', now)).toBe(0);
    expect(ageSeconds(null, now)).toBeNull();
    expect(ageSeconds('yesterday', now)).toBeNull();
  });

  it('formatAge — seconds, minutes, hours, days', () => {
    expect([4.25, 125, 7300, 200_000, null].map(formatAge)).toEqual(['4.3 s', '2 min', '2 h', '2 d', '—']);
  });

  it('isCurrent — stale and fallback are not current', () => {
    expect(['live', 'stream', 'cache', 'stale', 'fallback'].map(isCurrent)).toEqual([true, true, true, false, false]);
  });
});
