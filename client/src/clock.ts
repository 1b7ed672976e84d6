// The gateway's clock as the page knows it: every answer with as_of and age_s says what the
// gateway's time was (as_of + age_s) when it answered. Ages of pushed events (as_of only) are
// counted on that clock, so a browser whose clock is off still shows true ages.
let offsetMs = 0;

export function learnServerClock(body: unknown, receivedAt = Date.now()): void {
  const { as_of: asOf, age_s: ageS } = (body ?? {}) as { as_of?: unknown; age_s?: unknown };
  if (typeof asOf !== 'string' || typeof ageS !== 'number') return;
  const at = Date.parse(asOf);
  if (!Number.isNaN(at)) offsetMs = at + ageS * 1000 - receivedAt;
}

/** Now, on the gateway's clock. */
export const serverNow = (): number => Date.now() + offsetMs;

export function resetServerClock(): void {
  offsetMs = 0;
}
