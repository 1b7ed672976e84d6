// One symbol: its candle chart (live), 24h figures and order book.
import { useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { INTERVALS, useCandles, type Candle, type Interval } from '../candles';
import { useNow } from '../hooks';
import { CandleChart } from './CandleChart';
import { OrderBook } from './OrderBook';
import { SourceBadge } from '../components/SourceBadge';
import { ErrorMessage } from '../components/ErrorMessage';

const NO_CANDLES: Candle[] = [];

function Ticker({ symbol }: { symbol: string }) {
  const now = useNow();
  const ticker = useQuery({
    queryKey: ['ticker', symbol],
    queryFn: () => ok(api.GET('/api/binance/ticker/24hr', { params: { query: { symbol } } })),
    refetchInterval: 10_000,
  });
  const data = ticker.data && 'lastPrice' in ticker.data ? ticker.data : undefined; // one symbol: one ticker
  return (
    <section aria-labelledby="ticker-title">
      <h2 id="ticker-title">24 hours</h2>
      <ErrorMessage error={ticker.error} />
      {data && (
        <dl className="ticker">
          <dt>Last</dt><dd>{data.lastPrice}</dd>
          <dt>Change</dt><dd>{data.priceChangePercent} %</dd>
          <dt>High</dt><dd>{data.highPrice}</dd>
          <dt>Low</dt><dd>{data.lowPrice}</dd>
          <dt>Volume</dt><dd>{data.volume}</dd>
          <dt>Source</dt><dd><SourceBadge source={data.source} asOf={data.as_of} now={now} /></dd>
        </dl>
      )}
    </section>
  );
}

export function SymbolPage() {
  const symbol = (useParams().symbol ?? 'BTCUSDT').toUpperCase();
  const [interval, choose] = useState<Interval>('1m');
  const { query, latest, provenance, stream } = useCandles(symbol, interval);
  const now = useNow();
  return (
    <>
      <h1>{symbol}</h1>
      <section aria-labelledby="chart-title">
        <h2 id="chart-title">Chart</h2>
        <label>Interval{' '}
          <select value={interval} onChange={(event) => choose(event.target.value as Interval)}>
            {INTERVALS.map((name) => <option key={name}>{name}</option>)}
          </select>
        </label>
        {' '}
        {provenance && <SourceBadge source={provenance.source} asOf={provenance.as_of} now={now} />}
        <span className="muted" data-stream={stream}>{stream === 'open' ? ' updates connected' : ' polling'}</span>
        <ErrorMessage error={query.error} />
        <CandleChart candles={query.data?.candles ?? NO_CANDLES} latest={latest} />
      </section>
      <Ticker symbol={symbol} />
      <OrderBook symbol={symbol} />
    </>
  );
}
