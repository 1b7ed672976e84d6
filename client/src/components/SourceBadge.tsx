// Where a number came from and how old it is. Stale and fallback are marked as not current.
import { ageSeconds, formatAge, isCurrent } from '../format';

const TITLES: Record<string, string> = {
  live: 'fetched from Binance for this request',
  stream: "pushed by Binance's websocket stream",
  cache: 'fresh within its cache lifetime',
  stale: 'last known good: Binance failed, this is older than its cache lifetime',
  fallback: 'the shipped snapshot: Binance could not be asked',
};

export function SourceBadge({ source, asOf, now }: { source: string; asOf: string | null | undefined; now: number }) {
  const current = isCurrent(source);
  return (
    <span className={`source ${source}${current ? '' : ' not-current'}`} title={TITLES[source] ?? source}
      data-source={source}>
      <span className="source-name">{current ? source : `${source} (not live)`}</span>
      {' · '}
      <span className="age" data-age-s={ageSeconds(asOf, now)?.toFixed(1) ?? ''}>{formatAge(ageSeconds(asOf, now))}</span>
    </span>
  );
}
