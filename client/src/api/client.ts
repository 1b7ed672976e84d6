// The typed API client: openapi-fetch over the paths generated from express_api's OpenAPI
// document (schema.gen.ts), so every request and answer shape comes from the contract.
// The login token lives in memory only (never localStorage): setToken() is called by the
// auth context, and a middleware adds it to each request.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';
import { errorFrom } from './errors';

export type Schemas = components['schemas'];

let token: string | null = null;

export function setToken(value: string | null): void {
  token = value;
}

const bearer: Middleware = {
  onRequest({ request }) {
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

// fetch is looked up at each call (not captured once), so tests can stub it.
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? 'http://localhost',
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(bearer);

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; a failed one throws the ApiError of its envelope. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw errorFrom(response.status, error ?? null, response);
  return data;
}
