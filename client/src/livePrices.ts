// Prices of a few symbols, live: one REST answer to start with, then the gateway's event
// stream (/api/binance/stream/prices) pushes each change with its own source and as_of.
// Polling runs only while the stream is not open.
import { useCallback, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from './api/client';
import { asked, pollUnlessStreaming, useEventStream } from './api/stream';

export type LivePrice = Schemas['PriceEvent'];
type Received = LivePrice & { receivedAt: number };

const POLL_MS = 5000;

const isPriceEvent = (data: unknown): data is LivePrice => {
  const event = data as LivePrice;
  return typeof event?.symbol === 'string' && typeof event.price === 'string'
    && typeof event.source === 'string' && typeof event.as_of === 'string';
};

export function useLivePrices(symbols: string[]) {
  const list = symbols.join(',');
  // Pushed prices are kept with the list they were pushed for: another list starts without any.
  const [received, setReceived] = useState<{ list: string; bySymbol: Record<string, Received> }>({ list, bySymbol: {} });
  const pushed = received.list === list ? received.bySymbol : {};
  const onEvent = useCallback((_type: string, data: unknown) => {
    if (!isPriceEvent(data)) return;
    setReceived((old) => ({ list, bySymbol: { ...(old.list === list ? old.bySymbol : {}),
      [data.symbol]: { ...data, receivedAt: Date.now() } } }));
  }, [list]);
  const stream = useEventStream(`/api/binance/stream/prices?symbols=${encodeURIComponent(list)}`, ['price'], onEvent);
  const query = useQuery({
    queryKey: ['prices', list],
    queryFn: () => asked(() => ok(api.GET('/api/binance/prices', { params: { query: { symbols: list } } }))),
    ...pollUnlessStreaming(stream, POLL_MS),
  });

  const answer = query.data;
  // The gateway's latest word on each symbol: a push received after the REST answer was asked
  // for is newer than it, whatever order they arrived in; that word says where the price came from.
  const rows = symbols.map((symbol): LivePrice | undefined => {
    const push = pushed[symbol];
    const row = answer?.prices.find((p) => p.symbol === symbol);
    const fetched = row && answer ? { symbol, price: row.price, source: answer.source, as_of: answer.as_of } : undefined;
    return push && (!answer || push.receivedAt >= answer.askedAt) ? push : fetched ?? push;
  });
  return { rows, stream, error: query.error };
}
