// What this user placed through the gateway (express_api's user store), newest first.
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';

export function OrderHistory() {
  const history = useQuery({ queryKey: ['orders', 'history'], queryFn: () => ok(api.GET('/direct-api/binance/orders')) });
  const orders = history.data?.orders ?? [];
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">My orders</h2>
      <ErrorMessage error={history.error} />
      {history.data && !orders.length && <p className="muted">No orders yet.</p>}
      {orders.length > 0 && (
        <table className="history">
          <thead><tr><th scope="col">Order id</th><th scope="col">Symbol</th><th scope="col">Outcome</th>
            <th scope="col">When</th></tr></thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.id} data-order-id={order.clientOrderId}><td>{order.clientOrderId}</td><td>{order.symbol}</td>
                <td>{order.outcome}</td><td>{order.created_at}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
