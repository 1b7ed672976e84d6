// Candles for the chart: one REST answer (klines), then each update of the newest candle pushed
// by the gateway's event stream (/api/binance/stream/klines).
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from './api/client';
import { openStream, type StreamState } from './api/stream';

export type Interval = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';
export const INTERVALS: Interval[] = ['1m', '5m', '15m', '1h', '4h', '1d'];
export type Candle = Schemas['Candle'];
export type Bar = { time: number; open: number; high: number; low: number; close: number };
type CandleEvent = Candle & { symbol: string; interval: string; source: string; as_of: string };

/** A chart bar (seconds, numbers: the chart draws, it does not compute) from a candle (ms, decimal strings). */
export function barOf(candle: Candle): Bar {
  return { time: Math.floor(candle.open_time / 1000), open: Number(candle.open), high: Number(candle.high),
    low: Number(candle.low), close: Number(candle.close) };
}

/** The bars with `bar` put in: replacing the bar of its time, or appended when newer. */
export function merged(bars: Bar[], bar: Bar): Bar[] {
  const last = bars[bars.length - 1];
  if (!last || bar.time > last.time) return [...bars, bar];
  if (bar.time === last.time) return [...bars.slice(0, -1), bar];
  return bars; // an older candle than the chart's newest: nothing to draw
}

const isCandleEvent = (data: unknown): data is CandleEvent =>
  typeof (data as CandleEvent)?.open_time === 'number' && typeof (data as CandleEvent).close === 'string';

export function useCandles(symbol: string, interval: Interval) {
  const [stream, setStream] = useState<StreamState>('connecting');
  const [latest, setLatest] = useState<CandleEvent | null>(null);
  const query = useQuery({
    queryKey: ['klines', symbol, interval],
    queryFn: () => ok(api.GET('/api/binance/klines', { params: { query: { symbol, interval, limit: 200 } } })),
    refetchInterval: stream === 'open' ? false : 10_000,
  });
  useEffect(() => {
    setLatest(null);
    const query = new URLSearchParams({ symbol, interval });
    return openStream({
      url: `/api/binance/stream/klines?${query}`,
      events: ['candle'],
      onState: setStream,
      onEvent: (_type, data) => {
        if (isCandleEvent(data)) setLatest(data);
      },
    });
  }, [symbol, interval]);
  return { query, latest, stream };
}
