// The account's recent fills on one symbol, the symbol chosen from those the account holds or watches.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { useNow } from '../hooks';
import { plain } from '../format';
import { SourceBadge } from '../components/SourceBadge';
import { ErrorMessage } from '../components/ErrorMessage';

const LIMIT = 50;

export function Fills({ symbols }: { symbols: string[] }) {
  const now = useNow();
  const [chosen, setChosen] = useState<string | null>(null);
  const symbol = chosen ?? symbols[0] ?? 'BTCUSDT';
  const fills = useQuery({
    queryKey: ['fills', symbol],
    queryFn: () => ok(api.GET('/direct-api/binance/fills', { params: { query: { symbol, limit: LIMIT } } })),
    refetchInterval: 15_000,
  });
  const trades = fills.data?.trades ?? [];
  return (
    <section aria-labelledby="fills-title">
      <h2 id="fills-title">Fills</h2>
      <label>Symbol <select name="fills-symbol" value={symbol} onChange={(event) => setChosen(event.target.value)}>
        {symbols.map((s) => <option key={s}>{s}</option>)}</select></label>
      {fills.data && <> <SourceBadge source={fills.data.source} asOf={fills.data.as_of} now={now} /></>}
      <ErrorMessage error={fills.error} />
      {fills.data && !trades.length && <p className="muted">No fills on {symbol} yet.</p>}
      {trades.length > 0 && (
        <table className="fills">
          <thead><tr><th scope="col">Time</th><th scope="col">Side</th><th scope="col" className="num">Price</th>
            <th scope="col" className="num">Quantity</th><th scope="col" className="num">Quote quantity</th>
            <th scope="col" className="num">Commission</th><th scope="col">Maker or taker</th></tr></thead>
          <tbody>
            {trades.map((t) => (
              <tr key={t.id} data-fill-id={t.id}>
                <td>{t.time ?? '—'}</td><td>{t.side}</td><td className="num">{plain(t.price)}</td>
                <td className="num">{plain(t.qty)}</td><td className="num">{plain(t.quoteQty)}</td>
                <td className="num">{plain(t.commission)} {t.commissionAsset}</td><td>{t.maker ? 'maker' : 'taker'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
