// The login session. The access token lives in this closure only: never in localStorage,
// sessionStorage, IndexedDB or a cookie the page can read, so a script injected later finds it in
// no storage. What survives a reload is the refresh cookie (httpOnly, Path=/api/auth), which the
// browser keeps and sends by itself: on load one POST /api/auth/refresh asks for a new token.
//
// The server rotates that cookie at every refresh and treats a spent one sent again as stolen (the
// whole login ends), so two refreshes must never be on their way at once: every caller (the load,
// the timer before expiry, a 401 from any API call, React StrictMode running an effect twice)
// shares the one refresh in flight, and the tabs of one browser, which share the cookie, take turns
// (a Web Lock): each sends the cookie the one before it left.
import type { components } from './schema.gen';
import { NetworkError } from './errors';

export type User = components['schemas']['User'];
export type SessionAnswer = components['schemas']['Session'];
/** Why the person is logged out, when they did not ask for it. */
export type Notice = 'ended' | 'unreachable' | null;
export type SessionState =
  | { status: 'unknown' } // nothing asked yet
  | { status: 'restoring' } // the refresh on load is on its way
  | { status: 'in'; user: User }
  | { status: 'out'; notice: Notice };

// Calls that are the session's own: a 401 from them is the answer, not a token to renew.
const OWN_CALLS = /^\/api\/auth\/(?:login|refresh|logout|setup|register)$/;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout fires at once past this
const TRY_AGAIN_MS = 5000; // after a refresh that got no answer, while the token still lasts
const REFRESH_LOCK = 'binance-gateway:refresh';

/** `work` while no other tab of this browser holds the refresh lock (where Web Locks exist). */
function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? (locks.request(REFRESH_LOCK, work) as Promise<T>) : work(); // request answers what work answers
}

/** How long before its expiry a token is renewed: a minute, or a quarter of a shorter lifetime. */
export const renewBeforeMs = (lifetimeMs: number): number => Math.min(60_000, lifetimeMs / 4);

/** fetch, looked up at each call (tests stub it); a failed connection becomes a NetworkError,
 * so a bug of ours is never reported as the server being down. */
export async function fetchOrNetworkError(request: Request): Promise<Response> {
  try {
    return await globalThis.fetch(request);
  } catch (err) {
    if (err instanceof TypeError) throw new NetworkError();
    throw err;
  }
}

export type Session = ReturnType<typeof createSession>;

export function createSession(baseUrl: string) {
  let state: SessionState = { status: 'unknown' };
  let token: string | null = null;
  let expiresAt = 0;
  let inFlight: Promise<boolean> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Bumped whenever a session begins or ends: the answer to a refresh asked before is nobody's.
  let generation = 0;
  const watchers = new Set<() => void>();
  const endWatchers = new Set<() => void>();

  const set = (next: SessionState) => {
    state = next;
    for (const watcher of [...watchers]) watcher();
  };
  const post = (path: string, headers: Record<string, string> = {}) =>
    new Request(new URL(path, baseUrl), { method: 'POST', headers, credentials: 'same-origin' });
  const stopTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const renewIn = (ms: number) => {
    stopTimer();
    timer = setTimeout(() => void renew(), Math.min(MAX_TIMER_MS, Math.max(0, ms)));
  };

  function begin(answer: SessionAnswer): void {
    generation += 1;
    token = answer.token;
    const lifetimeMs = answer.expires_in * 1000; // from now, not expires_at: the browser's clock may be off
    expiresAt = Date.now() + lifetimeMs;
    renewIn(lifetimeMs - renewBeforeMs(lifetimeMs));
    set({ status: 'in', user: answer.user });
  }

  function forget(notice: Notice): void {
    if (state.status === 'out') return;
    const wasIn = state.status === 'in';
    generation += 1;
    token = null;
    stopTimer();
    set({ status: 'out', notice: wasIn ? notice : null });
    if (wasIn) for (const watcher of [...endWatchers]) watcher();
  }

  async function askForToken(): Promise<boolean> {
    const asked = generation;
    let response: Response;
    let answer: SessionAnswer | null = null;
    try {
      // The lock is held until the answer's headers (and so its new cookie) are in.
      response = await inTurn(() => fetchOrNetworkError(post('/api/auth/refresh', { 'X-Requested-With': 'fetch' })));
      if (response.ok) answer = (await response.json()) as SessionAnswer;
    } catch {
      // No answer: the session may be fine. Logged-in pages keep their token and try again;
      // a page loading says it cannot tell.
      if (asked === generation && state.status === 'restoring') set({ status: 'out', notice: 'unreachable' });
      return false;
    }
    if (asked !== generation) return false; // logged out (or in again) meanwhile
    if (answer) {
      begin(answer);
      return true;
    }
    // A refusal (401 spent, revoked or missing cookie; 403) ends the session; a 5xx says nothing of it.
    if (response.status < 500) forget('ended');
    else if (state.status === 'restoring') set({ status: 'out', notice: 'unreachable' });
    return false;
  }

  /** A new token for the refresh cookie; the refresh already on its way, if there is one. */
  function refresh(): Promise<boolean> {
    inFlight ??= askForToken().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  async function renew(): Promise<void> {
    if (await refresh()) return;
    if (state.status !== 'in') return;
    const left = expiresAt - Date.now();
    if (left > 0) renewIn(Math.min(TRY_AGAIN_MS, left));
    else forget('ended');
  }

  return {
    subscribe(watcher: () => void): () => void {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    snapshot: (): SessionState => state,
    /** Called whenever a session ends (logout, refusal): forget what was fetched with it. */
    onEnd(watcher: () => void): () => void {
      endWatchers.add(watcher);
      return () => endWatchers.delete(watcher);
    },

    /** On load: one refresh, whoever asks and however often (StrictMode runs effects twice). */
    restore(): Promise<boolean> {
      if (state.status !== 'unknown') return inFlight ?? Promise.resolve(state.status === 'in');
      set({ status: 'restoring' });
      return refresh();
    },

    /** A login's (or setup's) answer: the token kept in memory, its renewal planned. */
    begin,
    refresh,

    /** Logged out here at once; then the server revokes the cookie's login. */
    async logout(): Promise<void> {
      const pending = inFlight;
      forget(null);
      // A refresh on its way rotates the cookie: wait for it, so the logout names the cookie in force.
      await pending?.catch(() => false);
      const response = await fetchOrNetworkError(post('/api/auth/logout'));
      if (!response.ok) throw new Error(`The server answered the logout with HTTP ${response.status}`);
    },

    /** fetch for the API: the token as Bearer; on a 401, one refresh (shared) and the request sent
     * once more with the new token. A 401 comes before anything is done (the role check runs
     * first), so sending a placement again cannot place it twice. */
    async send(request: Request): Promise<Response> {
      const sentWith = token;
      const leaveAlone = OWN_CALLS.test(new URL(request.url).pathname) || request.headers.has('Authorization');
      const spare = sentWith && !leaveAlone ? request.clone() : null;
      if (spare) request.headers.set('Authorization', `Bearer ${sentWith}`);
      const response = await fetchOrNetworkError(request);
      if (response.status !== 401 || !spare) return response;
      // Renewed meanwhile (the timer, another call's 401): the new token, without another refresh.
      const renewed = token !== sentWith ? token : (await refresh()) ? token : null;
      if (!renewed) {
        if (state.status === 'in' && token === sentWith) forget('ended'); // a refusal has ended it already
        return response;
      }
      spare.headers.set('Authorization', `Bearer ${renewed}`);
      const again = await fetchOrNetworkError(spare);
      if (again.status === 401 && token === renewed) forget('ended');
      return again;
    },

    /** Tests only: back to a page that has just loaded. */
    reset(): void {
      generation += 1;
      token = null;
      inFlight = null;
      stopTimer();
      state = { status: 'unknown' };
      watchers.clear();
      endWatchers.clear();
    },
  };
}
