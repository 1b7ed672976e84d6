// The market overview's price table: live over the event stream, each price with its source and age.
import { Link } from 'react-router';
import { useLivePrices } from '../livePrices';
import { useNow } from '../hooks';
import { SourceBadge } from '../components/SourceBadge';
import { ErrorMessage } from '../components/ErrorMessage';
import { isCurrent } from '../format';

export const WATCHED = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];

const STREAM_WORDS = { open: 'live updates on', connecting: 'connecting to live updates…', waiting: 'live updates interrupted: reconnecting, polling meanwhile' };

export function Prices({ symbols = WATCHED }: { symbols?: string[] }) {
  const { rows, stream, error } = useLivePrices(symbols);
  const now = useNow();
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">Prices</h2>
      <p className="muted" data-stream={stream}>{STREAM_WORDS[stream]}</p>
      <ErrorMessage error={error} />
      <table className="prices">
        <thead><tr><th scope="col">Symbol</th><th scope="col" className="num">Price</th><th scope="col">Source · age</th></tr></thead>
        <tbody>
          {symbols.map((symbol, index) => {
            const row = rows[index];
            return (
              <tr key={symbol} data-symbol={symbol} className={row && !isCurrent(row.source) ? 'not-current' : undefined}>
                <th scope="row"><Link to={`/symbol/${symbol}`}>{symbol}</Link></th>
                <td className="num price">{row?.price ?? '…'}</td>
                <td>{row ? <SourceBadge source={row.source} asOf={row.as_of} now={now} /> : '…'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
