import { useEffect, useEffectEvent, useState } from 'react';
// Server-sent events with our own reconnect: on an error the EventSource is closed (so the
// browser's fixed-delay retry never hammers a struggling gateway) and opened again after an
// exponential back-off with jitter, reset once a connection opens.
export type StreamState = 'connecting' | 'open' | 'waiting';

export type Backoff = { baseMs: number; capMs: number; random: () => number };
export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, capMs: 30_000, random: Math.random };

/** The wait before reconnect attempt `failures` (1, 2, ...): half to all of base x 2^(n-1), capped. */
export function backoffMs(failures: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + (ceiling / 2) * backoff.random();
}

export type StreamOptions = {
  url: string;
  events: string[];
  onEvent: (type: string, data: unknown) => void;
  onState: (state: StreamState) => void;
  backoff?: Backoff;
};

/** Opens the stream; the returned function closes it for good. */
export function openStream({ url, events, onEvent, onState, backoff = DEFAULT_BACKOFF }: StreamOptions): () => void {
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let stopped = false;

  const connect = () => {
    if (stopped) return;
    onState('connecting');
    const current = new EventSource(url);
    source = current;
    current.onopen = () => {
      failures = 0;
      onState('open');
    };
    current.onerror = () => {
      current.close();
      if (stopped) return;
      failures += 1;
      onState('waiting');
      timer = setTimeout(connect, backoffMs(failures, backoff));
    };
    for (const type of events) {
      current.addEventListener(type, (event) => {
        try {
          onEvent(type, JSON.parse((event as MessageEvent<string>).data));
        } catch {
          // a malformed event is dropped; the next one carries the current value again
        }
      });
    }
  };
  connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}

/** The stream's state while the component lives; `onEvent` may change between renders. */
export function useEventStream(url: string, events: string[], onEvent: (type: string, data: unknown) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handle = useEffectEvent(onEvent); // the newest onEvent, without reopening the stream when it changes
  const names = events.join(',');
  useEffect(() => openStream({ url, events: names.split(','), onState: setState,
    onEvent: (type, data) => handle(type, data) }), [url, names]);
  return state;
}

/** Query options for data a stream also pushes: no polling, refocus or reconnect refetch while it is open. */
export function pollUnlessStreaming(state: StreamState, everyMs: number) {
  const open = state === 'open';
  return { refetchInterval: open ? (false as const) : everyMs, refetchOnWindowFocus: !open, refetchOnReconnect: !open };
}

/** A REST answer stamped with when it was asked for: a push received after that is newer. */
export async function asked<T>(call: () => Promise<T>): Promise<T & { askedAt: number }> {
  const askedAt = Date.now();
  return { ...(await call()), askedAt };
}
