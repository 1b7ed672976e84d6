// The account's open orders at Binance, whoever placed them. Cancel is offered where the role allows
// it: a trader their own orders (by their id), an admin any order (by the id Binance holds,
// scope=account); a viewer none. The server checks again.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { useAuth } from '../auth';
import { plain } from '../format';
import { ErrorMessage } from '../components/ErrorMessage';

type OpenOrder = Schemas['AccountOrder'];

function cancelCall(order: OpenOrder) {
  const symbol = order.symbol ?? '';
  if (order.mine) {
    return api.DELETE('/direct-api/binance/orders/{symbol}/{clientOrderId}',
      { params: { path: { symbol, clientOrderId: order.clientOrderId } } });
  }
  return api.DELETE('/direct-api/binance/orders/{symbol}/{clientOrderId}',
    { params: { path: { symbol, clientOrderId: order.binanceClientOrderId }, query: { scope: 'account' } } });
}

const placedBy = (order: OpenOrder) => (order.mine ? 'you' : order.placed_by ?? 'elsewhere (a bot, Binance)');

export function OpenOrders() {
  const { can } = useAuth();
  const queries = useQueryClient();
  const open = useQuery({
    queryKey: ['orders', 'open'],
    queryFn: () => ok(api.GET('/direct-api/binance/open-orders')),
    refetchInterval: 5000,
  });
  const cancel = useMutation({
    mutationFn: (order: OpenOrder) => ok(cancelCall(order)),
    onSettled: () => queries.invalidateQueries({ queryKey: ['orders'] }),
  });
  const mayCancel = (order: OpenOrder) => can('admin') || (can('trader') && order.mine);
  const orders = open.data?.orders ?? [];
  return (
    <section aria-labelledby="open-title">
      <h2 id="open-title">Open orders of the account</h2>
      <ErrorMessage error={open.error ?? cancel.error} />
      {open.data && !orders.length && <p className="muted">No open orders.</p>}
      {orders.length > 0 && (
        <table className="open-orders">
          <thead><tr><th scope="col">Order id</th><th scope="col">Symbol</th><th scope="col">Side</th>
            <th scope="col">Type</th><th scope="col" className="num">Price</th><th scope="col" className="num">Quantity</th>
            <th scope="col">Status</th><th scope="col">Placed by</th>
            <th scope="col"><span className="visually-hidden">Action</span></th></tr></thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.binanceClientOrderId} data-order-id={order.clientOrderId} data-mine={String(order.mine)}>
                <td>{order.clientOrderId}</td><td>{order.symbol}</td><td>{order.side}</td><td>{order.type}</td>
                <td className="num">{plain(order.price)}</td><td className="num">{plain(order.origQty)}</td>
                <td>{order.status}</td><td>{placedBy(order)}</td>
                <td>{mayCancel(order) && <button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate(order)}
                  aria-label={`Cancel order ${order.clientOrderId}`}>Cancel</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
