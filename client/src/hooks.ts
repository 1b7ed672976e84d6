// Small hooks shared by the views.
import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from './api/client';
import { serverNow } from './clock';

/** The current time on the gateway's clock, re-read every `periodMs`: ages keep counting between events. */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** The gateway's own view of Binance (it never calls Binance to answer this). When a market's
 * state changes (a 451, a ban, a recovery), every other answer on the page is fetched again at once,
 * so nothing fetched before the change keeps saying "live" until its next refresh. */
export function useStatus() {
  const queries = useQueryClient();
  const status = useQuery({
    queryKey: ['status'],
    queryFn: () => ok(api.GET('/api/status')),
    refetchInterval: 5000,
  });
  const markets = status.data?.markets;
  const states = markets ? `${markets.spot.state}/${markets.futures.state}` : null;
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (states === null) return;
    if (seen.current !== null && seen.current !== states) {
      void queries.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'status' });
    }
    seen.current = states;
  }, [states, queries]);
  return status;
}
