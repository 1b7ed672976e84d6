// Test doubles for the browser's network: fetch answering by path, and EventSource driven by the test.
import { vi } from 'vitest';
import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { AuthProvider } from '../auth';

export type Handler = (request: Request) => Response | Promise<Response>;
export type Call = { method: string; path: string; url: URL; headers: Headers; body: string };

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** fetch answering `METHOD /path` (or `/path` for any method) from `routes`; every call is logged. */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === 'GET' ? '' : await input.clone().text();
    calls.push({ method: input.method, path: url.pathname, url, headers: input.headers, body });
    const handler = routes[`${input.method} ${url.pathname}`] ?? routes[url.pathname];
    return handler ? handler(input) : json(404, { error: { code: 'not_found', message: `No route for ${url.pathname}` } });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

export class FakeEventSource {
  static opened: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private listeners: Record<string, ((event: MessageEvent) => void)[]> = {};

  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    (this.listeners[type] ??= []).push(listener);
  }

  close() {
    this.closed = true;
  }

  open() {
    this.onopen?.();
  }

  fail() {
    this.onerror?.();
  }

  emit(type: string, data: unknown) {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    for (const listener of this.listeners[type] ?? []) listener(new MessageEvent(type, { data: text }));
  }

  static install() {
    FakeEventSource.opened = [];
    vi.stubGlobal('EventSource', FakeEventSource);
  }

  static last(): FakeEventSource {
    const source = FakeEventSource.opened[FakeEventSource.opened.length - 1];
    if (!source) throw new Error('no EventSource was opened');
    return source;
  }
}

export function renderWithApp(ui: ReactNode, path = '/') {
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const view = render(
    <QueryClientProvider client={queries}>
      <AuthProvider>
        <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>,
  );
  return { ...view, queries };
}
