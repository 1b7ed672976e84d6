// What is wrong upstream, per market, in words: shown above every view while it lasts, so
// numbers below are never taken for live while Binance restricts, bans or fails.
import { useStatus } from '../hooks';
import { ErrorMessage } from './ErrorMessage';
import type { Schemas } from '../api/client';

type Market = Schemas['UpstreamState'];

const SAY: Record<string, (name: string, m: Market) => string> = {
  restricted: (name, m) => `Binance refuses this location for ${name} (HTTP 451) since ${m.since ?? '?'}: ${name} numbers are stale or fallback, not live.${m.message ? ` ${m.message}` : ''}`,
  banned: (name, m) => `Binance has banned this IP for ${name} (HTTP 418) until ${m.until ?? '?'}: ${name} numbers are not live.`,
  rate_limited: (name, m) => `Binance rate-limits this IP for ${name} (HTTP 429) until ${m.until ?? '?'}: ${name} numbers may be old.`,
  unreachable: (name) => `Binance ${name} cannot be reached: numbers may be old.`,
};

export function StatusBanner() {
  const status = useStatus();
  if (status.error) {
    return <div className="banner unreachable" role="alert"><ErrorMessage error={status.error} /></div>;
  }
  const markets: Record<string, Market> | undefined = status.data?.markets;
  if (!markets) return null;
  const notes = Object.entries(markets)
    .filter(([, market]) => SAY[market.state])
    .map(([name, market]) => ({ name, state: market.state, text: SAY[market.state]!(name, market) }));
  if (!notes.length) return null;
  return (
    <div className="banners" role="alert">
      {notes.map((note) => (
        <p key={note.name} className={`banner ${note.state}`} data-market={note.name} data-state={note.state}>{note.text}</p>
      ))}
    </div>
  );
}
