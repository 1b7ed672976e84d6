// Candles for the chart: one REST answer (klines), then each update of the newest candle pushed
// by the gateway's event stream (/api/binance/stream/klines).
import { useCallback, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from './api/client';
import { asked, pollUnlessStreaming, useEventStream } from './api/stream';

export type Interval = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';
export const INTERVALS: Interval[] = ['1m', '5m', '15m', '1h', '4h', '1d'];
export type Candle = Schemas['Candle'];
export type Bar = { time: number; open: number; high: number; low: number; close: number };
type CandleEvent = Schemas['CandleEvent'] & { receivedAt: number };

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

const isCandleEvent = (data: unknown): data is Schemas['CandleEvent'] =>
  typeof (data as Candle)?.open_time === 'number' && typeof (data as Candle).close === 'string'
  && typeof (data as Schemas['CandleEvent']).source === 'string';

export function useCandles(symbol: string, interval: Interval) {
  // The pushed candle is kept with the chart it belongs to: another symbol or interval starts without one.
  const chart = `${symbol} ${interval}`;
  const [pushed, setPushed] = useState<{ chart: string; candle: CandleEvent } | null>(null);
  const latest = pushed?.chart === chart ? pushed.candle : null;
  const onEvent = useCallback((_type: string, data: unknown) => {
    if (isCandleEvent(data)) setPushed({ chart, candle: { ...data, receivedAt: Date.now() } });
  }, [chart]);
  const stream = useEventStream(`/api/binance/stream/klines?${new URLSearchParams({ symbol, interval })}`,
    ['candle'], onEvent);
  const query = useQuery({
    queryKey: ['klines', symbol, interval],
    queryFn: () => asked(() => ok(api.GET('/api/binance/klines', { params: { query: { symbol, interval, limit: 200 } } }))),
    ...pollUnlessStreaming(stream, 10_000),
  });
  // Where the chart's newest number came from: the push, unless the REST answer was asked for after it.
  const pushedIsNewer = latest !== null && (!query.data || latest.receivedAt >= query.data.askedAt);
  const provenance = pushedIsNewer ? latest : query.data;
  return { query, latest: pushedIsNewer ? latest : null, provenance, stream };
}
