// Server-sent events that need the Bearer token. EventSource cannot send an Authorization header, so
// the stream is read with fetch through the session (the token, renewed on a 401 like any call) and
// parsed here as the WHATWG event-stream format says: blocks end at a blank line, `event:` names one,
// `data:` lines are joined by line breaks, comments (`:`) are skipped. Reconnects with the back-off of
// stream.ts; a stream the server ends (python_service ends one after a few minutes) is opened again.
import { useEffect, useEffectEvent, useState } from 'react';
import { session } from './client';
import { errorFrom } from './errors';
import { backoffMs, DEFAULT_BACKOFF, type Backoff, type StreamState } from './stream';

export type ServerEvent = { event: string; data: string };

const BLOCK_END = /\r\n\r\n|\n\n|\r\r/;
// 503s that only a change of python_service's settings ends (no keys, streams off): not asked again and again.
const SETTLED = new Set(['keys_not_configured', 'streams_disabled']);
const MAX_BUFFER = 1_000_000; // an event larger than this is not the server's: the stream is dropped

export function parseBlock(block: string): ServerEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}

/** Each event of `body` until it ends; a read failure is thrown. */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = BLOCK_END.exec(buffer))) {
        const parsed = parseBlock(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
        if (parsed) yield parsed;
      }
      if (buffer.length > MAX_BUFFER) throw new Error('An event of the stream is too large');
    }
  } finally {
    reader.releaseLock();
  }
}

export type AuthorizedStreamOptions = {
  url: string;
  onEvent: (type: string, data: unknown) => void;
  onState: (state: StreamState) => void;
  /** A refusal (4xx but 429; no keys or streams off on python_service) is not retried: the stream waits for
   * the page to open it again. */
  onRefused?: (error: unknown) => void;
  backoff?: Backoff;
  send?: (request: Request) => Promise<Response>;
};

/** Opens the stream; the returned function closes it for good. */
export function openAuthorizedStream({ url, onEvent, onState, onRefused, backoff = DEFAULT_BACKOFF,
  send = (request) => session.send(request) }: AuthorizedStreamOptions): () => void {
  const controller = new AbortController();
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const again = () => {
    if (controller.signal.aborted) return;
    failures += 1;
    onState('waiting');
    timer = setTimeout(() => void connect(), backoffMs(failures, backoff));
  };

  async function connect(): Promise<void> {
    onState('connecting');
    try {
      const response = await send(new Request(new URL(url, globalThis.location?.origin ?? 'http://localhost'),
        { headers: { Accept: 'text/event-stream' }, signal: controller.signal }));
      if (!response.ok || !response.body) {
        const error = errorFrom(response.status, await response.json().catch(() => null), response);
        if ((response.status >= 400 && response.status < 500 && response.status !== 429) || SETTLED.has(error.code)) {
          onState('waiting');
          onRefused?.(error);
          return;
        }
        again();
        return;
      }
      failures = 0;
      onState('open');
      for await (const { event, data } of serverSentEvents(response.body)) {
        try {
          onEvent(event, JSON.parse(data));
        } catch {
          // a malformed event is dropped; the caches are read again at the next reconnect
        }
      }
    } catch {
      // the connection failed or was closed: reconnect below unless the page closed it
    }
    again();
  }

  void connect();
  return () => {
    controller.abort();
    if (timer) clearTimeout(timer);
  };
}

/** The stream's state while the component lives (and while `enabled`); `onEvent` may change between renders. */
export function useAuthorizedStream(url: string, onEvent: (type: string, data: unknown) => void, enabled = true) {
  const [state, setState] = useState<StreamState>('connecting');
  const [refused, setRefused] = useState<unknown>(null);
  const handle = useEffectEvent(onEvent);
  useEffect(() => {
    if (!enabled) return undefined;
    const onState = (next: StreamState) => {
      setState(next);
      if (next === 'open') setRefused(null);
    };
    return openAuthorizedStream({ url, onState, onRefused: setRefused,
      onEvent: (type, data) => handle(type, data) });
  }, [url, enabled]);
  return { state, refused };
}
