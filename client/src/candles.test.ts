import { describe, expect, it } from 'vitest';
import { barOf, merged, type Candle } from './candles';

const candle = (openTime: number, close: string): Candle => ({ open_time: openTime, close_time: openTime + 59_999,
  open: '1.5', high: '2.5', low: '1.0', close, volume: '1', quote_volume: '1', trades: 1,
  taker_buy_base_volume: '0', taker_buy_quote_volume: '0' });

describe('candles for the chart', () => {
  it('barOf — seconds and numbers from milliseconds and decimal strings', () => {
    expect(barOf(candle(1_700_000_040_000, '2.25'))).toEqual({ time: 1_700_000_040, open: 1.5, high: 2.5, low: 1, close: 2.25 });
  });

  it('merged — the same minute replaces the last bar, a newer one is appended, an older one is ignored', () => {
    const bars = [barOf(candle(60_000, '1')), barOf(candle(120_000, '2'))];
    expect(merged(bars, barOf(candle(120_000, '3'))).map((b) => b.close)).toEqual([1, 3]);
    expect(merged(bars, barOf(candle(180_000, '4'))).map((b) => b.close)).toEqual([1, 2, 4]);
    expect(merged(bars, barOf(candle(60_000, '9')))).toBe(bars);
  });
});
