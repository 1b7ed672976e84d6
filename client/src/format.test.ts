import { describe, expect, it } from 'vitest';
import { ageSeconds, formatAge, isCurrent, isoSeconds, plain } from './format';

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

describe('numbers and times', () => {
  it('plain — trailing zeros dropped without going through a float; other text as it is', () => {
    expect(['0.10000000', '1000.00000000', '67012.34000000', '6701.234', '-0.50', '12', '1e-7', null, ''].map(plain))
      .toEqual(['0.1', '1000', '67012.34', '6701.234', '-0.5', '12', '1e-7', '—', '—']);
    expect(plain('123456789012345678.123456789012345678')).toBe('123456789012345678.123456789012345678');
  });

  it('isoSeconds — epoch seconds as ISO-8601 UTC', () => {
    expect(isoSeconds(1796555928.7408435)).toBe('2026-12-06T11:18:48Z');
  });
});
