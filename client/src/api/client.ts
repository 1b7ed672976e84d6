// The typed API client: openapi-fetch over the paths generated from express_api's OpenAPI
// document (schema.gen.ts), so every request and answer shape comes from the contract.
// Every request goes through the session (session.ts): the access token as Bearer, renewed
// through the refresh cookie when the server no longer takes it.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.gen';
import { errorFrom } from './errors';
import { createSession } from './session';
import { learnServerClock } from '../clock';

export type Schemas = components['schemas'];

const origin = globalThis.location?.origin ?? 'http://localhost';

export const session = createSession(origin);

// credentials: same-origin sends the refresh cookie to /api/auth (its path), and to nothing else.
export const api = createClient<paths>({ baseUrl: origin, credentials: 'same-origin', fetch: (request) => session.send(request) });

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; a failed one throws the ApiError of its envelope. Answers
 * that say how old they are (as_of, age_s) also tell the page the gateway's clock. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw errorFrom(response.status, error ?? null, response);
  learnServerClock(data);
  return data;
}

/** A successful answer without a body (204); a failed one throws the ApiError of its envelope. */
export async function done(call: Promise<Answer<unknown>>): Promise<void> {
  const { error, response } = await call;
  if (!response.ok) throw errorFrom(response.status, error ?? null, response);
}
