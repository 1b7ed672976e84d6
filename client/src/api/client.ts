// The typed API client: openapi-fetch over the paths generated from express_api's OpenAPI
// document (schema.gen.ts), so every request and answer shape comes from the contract.
// The login token lives in memory only (never localStorage): setToken() is called by the
// auth context, and a middleware adds it to each request.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';
import { errorFrom, NetworkError } from './errors';
import { learnServerClock } from '../clock';

export type Schemas = components['schemas'];

let token: string | null = null;
let onUnauthorized: () => void = () => {};

/** The token sent as Bearer, and what to do when the server no longer accepts it. */
export function setToken(value: string | null, whenRefused: () => void = () => {}): void {
  token = value;
  onUnauthorized = whenRefused;
}

const bearer: Middleware = {
  onRequest({ request }) {
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && token && request.headers.has('Authorization')) onUnauthorized();
    return response;
  },
};

// fetch is looked up at each call (not captured once), so tests can stub it; a failed
// connection becomes a NetworkError, so a bug of ours is never reported as the server being down.
async function send(request: Request): Promise<Response> {
  try {
    return await globalThis.fetch(request);
  } catch (err) {
    if (err instanceof TypeError) throw new NetworkError();
    throw err;
  }
}

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? 'http://localhost', fetch: send });
api.use(bearer);

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; a failed one throws the ApiError of its envelope. Answers
 * that say how old they are (as_of, age_s) also tell the page the gateway's clock. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw errorFrom(response.status, error ?? null, response);
  learnServerClock(data);
  return data;
}
