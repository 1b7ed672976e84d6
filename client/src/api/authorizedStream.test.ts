import { afterEach, describe, expect, it, vi } from 'vitest';
import { openAuthorizedStream, parseBlock, serverSentEvents } from './authorizedStream';
import type { StreamState } from './stream';
import { json } from '../test/fakes';

const noJitter = { baseMs: 1000, capMs: 30_000, random: () => 1 };
const encoder = new TextEncoder();

/** A body that yields `chunks` as they are pushed, and ends when told. */
function pushedBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
  return { body, push: (text: string) => controller.enqueue(encoder.encode(text)), end: () => controller.close() };
}

async function collect(text: string[]) {
  const { body, push, end } = pushedBody();
  text.forEach(push);
  end();
  const events = [];
  for await (const event of serverSentEvents(body)) events.push(event);
  return events;
}

describe('serverSentEvents', () => {
  it('named events, data lines joined, comments skipped, a block split across chunks and CRLF endings', async () => {
    expect(await collect([': keep-alive\n\n', 'event: account\ndata: {"a":', '1}\n\n', 'data: one\r\ndata: two\r\n\r\n']))
      .toEqual([{ event: 'account', data: '{"a":1}' }, { event: 'message', data: 'one\ntwo' }]);
  });

  it('a multi-byte character split between chunks (inside 币) is read whole', async () => {
    const bytes = encoder.encode('event: account\ndata: {"symbol":"币安人生USDT"}\n\n');
    const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes.slice(0, 33)); c.enqueue(bytes.slice(33)); c.close(); } });
    const events = [];
    for await (const event of serverSentEvents(stream)) events.push(event);
    expect(JSON.parse(events[0]!.data)).toEqual({ symbol: '币安人生USDT' });
  });

  it('a block without data is no event', () => {
    expect(parseBlock('event: account')).toBeNull();
  });
});

describe('openAuthorizedStream', () => {
  afterEach(() => vi.useRealTimers());

  it('sends through the session (asking for text/event-stream), hands on each event, and reconnects when the server ends it', async () => {
    vi.useFakeTimers();
    const bodies = [pushedBody(), pushedBody()];
    const requests: Request[] = [];
    const send = vi.fn(async (request: Request) => {
      requests.push(request);
      return new Response(bodies[requests.length - 1]!.body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const events: [string, unknown][] = [];
    const states: StreamState[] = [];
    const stop = openAuthorizedStream({ url: '/direct-api/binance/stream/account', send, backoff: noJitter,
      onEvent: (type, data) => events.push([type, data]), onState: (s) => states.push(s) });
    await vi.waitFor(() => expect(states).toContain('open'));
    bodies[0]!.push('event: user_streams\ndata: {"spot":"up"}\n\nevent: account\ndata: not json\n\n');
    bodies[0]!.push('event: account\ndata: {"type":"balance","market":"spot"}\n\n');
    await vi.waitFor(() => expect(events).toHaveLength(2)); // the malformed one dropped
    expect(events).toEqual([['user_streams', { spot: 'up' }], ['account', { type: 'balance', market: 'spot' }]]);
    expect(new URL(requests[0]!.url).pathname).toBe('/direct-api/binance/stream/account');
    expect(requests[0]!.headers.get('accept')).toBe('text/event-stream');

    bodies[0]!.end();
    await vi.waitFor(() => expect(states.at(-1)).toBe('waiting'));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    stop();
    expect(requests[1]!.signal.aborted).toBe(true);
  });

  it('a refusal (403, 401 after the session could not renew) — not retried, handed to onRefused', async () => {
    vi.useFakeTimers();
    const send = vi.fn(async () => json(403, { error: { code: 'forbidden', message: 'no' } }));
    const refused = vi.fn();
    const stop = openAuthorizedStream({ url: '/s', send, backoff: noJitter, onEvent: () => {}, onState: () => {},
      onRefused: refused });
    await vi.waitFor(() => expect(refused).toHaveBeenCalledOnce());
    expect(refused.mock.calls[0]![0]).toMatchObject({ status: 403, code: 'forbidden' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledOnce();
    stop();
  });

  it('a 503 (python_service has no room) — tried again after the back-off', async () => {
    vi.useFakeTimers();
    const send = vi.fn(async () => json(503, { error: { code: 'subscriptions_full', message: 'full' } }));
    const stop = openAuthorizedStream({ url: '/s', send, backoff: noJitter, onEvent: () => {}, onState: () => {} });
    await vi.waitFor(() => expect(send).toHaveBeenCalledOnce());
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(2));
    stop();
  });

  it('a 503 that only a change of settings ends (streams_disabled) — not retried, handed to onRefused', async () => {
    vi.useFakeTimers();
    const send = vi.fn(async () => json(503, { error: { code: 'streams_disabled', message: 'STREAMS_ENABLED=false' } }));
    const refused = vi.fn();
    const stop = openAuthorizedStream({ url: '/s', send, backoff: noJitter, onEvent: () => {}, onState: () => {},
      onRefused: refused });
    await vi.waitFor(() => expect(refused).toHaveBeenCalledOnce());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledOnce();
    stop();
  });
});
