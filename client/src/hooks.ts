// Small hooks shared by the views.
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from './api/client';

/** The current time, re-read every `periodMs`: ages on the page keep counting between events. */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** The gateway's own view of Binance (it never calls Binance to answer this). */
export function useStatus() {
  return useQuery({
    queryKey: ['status'],
    queryFn: () => ok(api.GET('/api/status')),
    refetchInterval: 5000,
  });
}
