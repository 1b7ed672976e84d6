// What this user placed through the gateway (express_api's user store), newest first: what came of each
// placement, Binance's status as last told and its fills. While the account stream is open it keeps the
// rows current (liveAccount.ts): a fill turns a row PARTIALLY_FILLED, then FILLED, without a reload.
import { useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { pollUnlessStreaming, type StreamState } from '../api/stream';
import { plain } from '../format';
import { KEYS } from '../liveAccount';
import { ErrorMessage } from '../components/ErrorMessage';

type Row = Schemas['UserOrderHistory']['orders'][number];

const asked = (row: Row, name: string): string => {
  const value = (row.request as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** The fills' average price: the quote spent over the quantity filled. */
function averagePrice(row: Row): string {
  const quantity = Number(row.executedQty);
  const quote = Number(row.cumulativeQuote);
  return quantity > 0 && Number.isFinite(quote) ? String(Number((quote / quantity).toPrecision(10))) : '—';
}

export function OrderHistory({ stream = 'waiting' }: { stream?: StreamState }) {
  const history = useQuery({ queryKey: KEYS.history, queryFn: () => ok(api.GET('/direct-api/binance/orders')),
    ...pollUnlessStreaming(stream, 10_000) });
  const orders = history.data?.orders ?? [];
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">My orders</h2>
      <ErrorMessage error={history.error} />
      {history.data && !orders.length && <p className="muted">No orders yet.</p>}
      {orders.length > 0 && (
        <table className="history">
          <thead><tr><th scope="col">Order id</th><th scope="col">Market</th><th scope="col">Symbol</th>
            <th scope="col">Side · type</th><th scope="col">Outcome</th><th scope="col">Status at Binance</th>
            <th scope="col" className="num">Filled</th><th scope="col" className="num">Average price</th>
            <th scope="col" className="num">Fills</th><th scope="col">When</th></tr></thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.id} data-order-id={order.clientOrderId} data-status={order.status ?? ''}>
                <td>{order.clientOrderId}</td><td>{order.market}</td><td>{order.symbol}</td>
                <td>{asked(order, 'side')} {asked(order, 'type')}</td>
                <td className="outcome">{order.outcome}</td><td className="status">{order.status ?? '—'}</td>
                <td className="num filled">{plain(order.executedQty)}</td><td className="num">{averagePrice(order)}</td>
                <td className="num fills">{order.fills.length}</td><td>{order.created_at}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
