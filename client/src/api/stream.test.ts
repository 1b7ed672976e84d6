import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffMs, openStream, type StreamState } from './stream';
import { FakeEventSource } from '../test/fakes';

const noJitter = { baseMs: 1000, capMs: 30_000, random: () => 1 };

describe('backoffMs', () => {
  it('doubles per failure up to the cap, with jitter between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, noJitter))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffMs(3, { ...noJitter, random: () => 0 })).toBe(2000);
  });
});

describe('openStream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.install();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('on errors — closes the source and reconnects after a growing back-off, reset once a connection opens', () => {
    const states: StreamState[] = [];
    const stop = openStream({ url: '/s', events: ['price'], onEvent: () => {}, onState: (s) => states.push(s), backoff: noJitter });
    FakeEventSource.last().fail();
    expect(FakeEventSource.opened[0]!.closed).toBe(true);
    vi.advanceTimersByTime(999);
    expect(FakeEventSource.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.opened).toHaveLength(2);
    FakeEventSource.last().fail();
    vi.advanceTimersByTime(1999);
    expect(FakeEventSource.opened).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.opened).toHaveLength(3);
    FakeEventSource.last().open();
    FakeEventSource.last().fail();
    vi.advanceTimersByTime(1000); // reset by the open: one second again
    expect(FakeEventSource.opened).toHaveLength(4);
    expect(states.slice(0, 4)).toEqual(['connecting', 'waiting', 'connecting', 'waiting']);
    stop();
  });

  it('stopped — closes the source and never reconnects', () => {
    const stop = openStream({ url: '/s', events: [], onEvent: () => {}, onState: () => {}, backoff: noJitter });
    FakeEventSource.last().fail();
    stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it('events — parsed JSON handed on; a malformed one dropped without closing the stream', () => {
    const seen: unknown[] = [];
    openStream({ url: '/s', events: ['price'], onEvent: (_t, data) => seen.push(data), onState: () => {} });
    FakeEventSource.last().emit('price', '{not json');
    FakeEventSource.last().emit('price', { symbol: 'BTCUSDT' });
    expect(seen).toEqual([{ symbol: 'BTCUSDT' }]);
    expect(FakeEventSource.last().closed).toBe(false);
  });
});
