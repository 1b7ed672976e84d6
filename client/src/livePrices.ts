// Prices of a few symbols, live: one REST answer to start with, then the gateway's event
// stream (/api/binance/stream/prices) pushes each change with its own source and as_of.
// Polling runs only while the stream is not open.
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from './api/client';
import { openStream, type StreamState } from './api/stream';

export type LivePrice = { symbol: string; price: string; source: string; as_of: string };
type PriceEvent = LivePrice;
type Received = LivePrice & { receivedAt: number };

const POLL_MS = 5000;

function isPriceEvent(data: unknown): data is PriceEvent {
  const event = data as PriceEvent;
  return typeof event?.symbol === 'string' && typeof event.price === 'string'
    && typeof event.source === 'string' && typeof event.as_of === 'string';
}

export function useLivePrices(symbols: string[]) {
  const list = symbols.join(',');
  const [stream, setStream] = useState<StreamState>('connecting');
  const [pushed, setPushed] = useState<Record<string, Received>>({});
  const query = useQuery({
    queryKey: ['prices', list],
    queryFn: () => ok(api.GET('/api/binance/prices', { params: { query: { symbols: list } } })),
    refetchInterval: stream === 'open' ? false : POLL_MS,
    refetchOnWindowFocus: stream !== 'open',
  });

  useEffect(() => {
    setPushed({});
    return openStream({
      url: `/api/binance/stream/prices?symbols=${encodeURIComponent(list)}`,
      events: ['price'],
      onState: setStream,
      onEvent: (_type, data) => {
        if (isPriceEvent(data)) setPushed((old) => ({ ...old, [data.symbol]: { ...data, receivedAt: Date.now() } }));
      },
    });
  }, [list]);

  const fetched: Record<string, Received> = {};
  for (const row of query.data?.prices ?? []) {
    fetched[row.symbol] = { symbol: row.symbol, price: row.price, source: query.data!.source,
      as_of: query.data!.as_of, receivedAt: query.dataUpdatedAt };
  }
  // The gateway's latest word on each symbol, pushed or fetched: it says where the price came from now.
  const rows = symbols.map((symbol) => latest(fetched[symbol], pushed[symbol]));
  return { rows, stream, error: query.error, loading: query.isPending };
}

function latest(a: Received | undefined, b: Received | undefined): LivePrice | undefined {
  if (!a || !b) return a ?? b;
  return b.receivedAt >= a.receivedAt ? b : a;
}
