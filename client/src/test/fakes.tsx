// Test doubles for the browser's network: fetch answering by path, and EventSource driven by the test.
import { vi } from 'vitest';
import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { AuthProvider } from '../auth';
import type { Schemas } from '../api/client';

export type Handler = (request: Request) => Response | Promise<Response>;
export type Call = { method: string; path: string; url: URL; headers: Headers; body: string; credentials: RequestCredentials };

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** fetch answering `METHOD /path` (or `/path` for any method) from `routes`; every call is logged. */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === 'GET' ? '' : await input.clone().text();
    calls.push({ method: input.method, path: url.pathname, url, headers: input.headers, body, credentials: input.credentials });
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

export type RoleName = 'viewer' | 'trader' | 'admin';
export const USERS: Record<RoleName, Schemas['User']> = {
  viewer: { id: 3, username: 'vic', role: 'viewer', disabled: false, created_at: '2026-12-06T11:18:47.448Z' },
  trader: { id: 2, username: 'alice', role: 'trader', disabled: false, created_at: '2026-12-06T11:18:46.982Z' },
  admin: { id: 1, username: 'root', role: 'admin', disabled: false, created_at: '2026-12-06T11:18:46.069Z' },
};

/** A login's (or a refresh's) answer for `user`, with its token. */
export const sessionAnswer = (user: Schemas['User'], token: string, expiresIn = 900): Schemas['Session'] => ({
  token, token_type: 'Bearer', expires_in: expiresIn, expires_at: new Date(Date.now() + expiresIn * 1000).toISOString(), user });

/** Routes of a browser whose refresh cookie logs `role` in on load (a new token at each refresh). */
export function signedIn(role: RoleName): Record<string, Handler> {
  let issued = 0;
  return { 'POST /api/auth/refresh': () => json(200, sessionAnswer(USERS[role], `token-${role}-${++issued}`)) };
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
