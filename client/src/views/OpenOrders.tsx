// The user's open orders at Binance, each cancellable by the id the user placed it with.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';

type OpenOrder = Schemas['UserOrder'];

export function OpenOrders() {
  const queries = useQueryClient();
  const open = useQuery({
    queryKey: ['orders', 'open'],
    queryFn: () => ok(api.GET('/direct-api/binance/open-orders')),
    refetchInterval: 5000,
  });
  const cancel = useMutation({
    mutationFn: (order: OpenOrder) => ok(api.DELETE('/direct-api/binance/orders/{symbol}/{clientOrderId}',
      { params: { path: { symbol: order.symbol ?? '', clientOrderId: order.clientOrderId } } })),
    onSettled: () => queries.invalidateQueries({ queryKey: ['orders'] }),
  });
  const orders = open.data?.orders ?? [];
  return (
    <section aria-labelledby="open-title">
      <h2 id="open-title">Open orders</h2>
      <ErrorMessage error={open.error ?? cancel.error} />
      {open.data && !orders.length && <p className="muted">No open orders.</p>}
      {orders.length > 0 && (
        <table className="open-orders">
          <thead><tr><th scope="col">Order id</th><th scope="col">Symbol</th><th scope="col">Side</th>
            <th scope="col">Type</th><th scope="col" className="num">Price</th><th scope="col" className="num">Quantity</th>
            <th scope="col">Status</th><th scope="col"><span className="visually-hidden">Action</span></th></tr></thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.clientOrderId} data-order-id={order.clientOrderId}>
                <td>{order.clientOrderId}</td><td>{order.symbol}</td><td>{order.side}</td><td>{order.type}</td>
                <td className="num">{order.price}</td><td className="num">{order.origQty}</td><td>{order.status}</td>
                <td><button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate(order)}
                  aria-label={`Cancel order ${order.clientOrderId}`}>Cancel</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
