// The order book's best levels (REST depth, refreshed every 2 s), with source and age.
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { useNow } from '../hooks';
import { SourceBadge } from '../components/SourceBadge';
import { ErrorMessage } from '../components/ErrorMessage';

const LEVELS = 10;

function Side({ name, levels }: { name: string; levels: string[][] }) {
  return (
    <table className={`book ${name}`}>
      <caption>{name}</caption>
      <thead><tr><th scope="col" className="num">Price</th><th scope="col" className="num">Quantity</th></tr></thead>
      <tbody>
        {levels.slice(0, LEVELS).map(([price, quantity]) => (
          <tr key={price}><td className="num">{price}</td><td className="num">{quantity}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function OrderBook({ symbol }: { symbol: string }) {
  const now = useNow();
  const book = useQuery({
    queryKey: ['depth', symbol],
    queryFn: () => ok(api.GET('/api/binance/depth', { params: { query: { symbol, limit: 20 } } })),
    refetchInterval: 2000,
  });
  return (
    <section aria-labelledby="book-title">
      <h2 id="book-title">Order book</h2>
      <ErrorMessage error={book.error} />
      {book.data && (
        <>
          <SourceBadge source={book.data.source} asOf={book.data.as_of} now={now} />
          <div className="book-sides">
            <Side name="bids" levels={book.data.bids} />
            <Side name="asks" levels={book.data.asks} />
          </div>
        </>
      )}
    </section>
  );
}
