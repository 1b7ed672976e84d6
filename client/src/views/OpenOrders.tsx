// The account's open orders at Binance (spot, or USDT-M futures with the conditional ones waiting),
// whoever placed them. Cancel is offered where the role allows it: a trader their own orders (by their
// id), an admin any order (by the id Binance holds, scope=account); a viewer none. The server checks
// again. While the account stream is open it keeps the rows current (liveAccount.ts): no polling.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { pollUnlessStreaming, type StreamState } from '../api/stream';
import { useAuth } from '../auth';
import { plain } from '../format';
import { KEYS } from '../liveAccount';
import { ErrorMessage } from '../components/ErrorMessage';

type OpenOrder = Schemas['AccountOrder'];
type Market = 'spot' | 'futures';

function cancelCall(market: Market, order: OpenOrder) {
  const symbol = order.symbol ?? '';
  const path = { symbol, clientOrderId: order.mine ? order.clientOrderId : order.binanceClientOrderId };
  const query = order.mine ? {} : { scope: 'account' as const };
  return market === 'futures'
    ? api.DELETE('/direct-api/binance/futures/orders/{symbol}/{clientOrderId}', { params: { path, query } })
    : api.DELETE('/direct-api/binance/orders/{symbol}/{clientOrderId}', { params: { path, query } });
}

const openOrdersCall = (market: Market) => (market === 'futures'
  ? api.GET('/direct-api/binance/futures/open-orders') : api.GET('/direct-api/binance/open-orders'));

const placedBy = (order: OpenOrder) => (order.mine ? 'you' : order.placed_by ?? 'elsewhere (a bot, Binance)');

export function OpenOrders({ market = 'spot', stream = 'waiting' }: { market?: Market; stream?: StreamState }) {
  const { can } = useAuth();
  const queries = useQueryClient();
  const open = useQuery({
    queryKey: market === 'futures' ? KEYS.futuresOpen : KEYS.spotOpen,
    queryFn: () => ok(openOrdersCall(market)),
    ...pollUnlessStreaming(stream, 5000),
  });
  const cancel = useMutation({
    mutationFn: (order: OpenOrder) => ok(cancelCall(market, order)),
    onSettled: () => queries.invalidateQueries({ queryKey: ['orders'] }),
  });
  const mayCancel = (order: OpenOrder) => can('admin') || (can('trader') && order.mine);
  const orders = open.data?.orders ?? [];
  return (
    <section aria-labelledby="open-title">
      <h2 id="open-title">{market === 'futures' ? 'Open futures orders of the account' : 'Open orders of the account'}</h2>
      <ErrorMessage error={open.error ?? cancel.error} />
      {open.data && !orders.length && <p className="muted">{market === 'futures' ? 'No open futures orders.' : 'No open orders.'}</p>}
      {orders.length > 0 && (
        <table className="open-orders" data-market={market}>
          <thead><tr><th scope="col">Order id</th><th scope="col">Symbol</th><th scope="col">Side</th>
            <th scope="col">Type</th><th scope="col" className="num">Price</th><th scope="col" className="num">Trigger</th>
            <th scope="col" className="num">Quantity</th><th scope="col" className="num">Filled</th>
            <th scope="col">Status</th><th scope="col">Placed by</th>
            <th scope="col"><span className="visually-hidden">Action</span></th></tr></thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.binanceClientOrderId} data-order-id={order.clientOrderId} data-mine={String(order.mine)}
                data-status={order.status}>
                <td>{order.clientOrderId}</td><td>{order.symbol}</td><td>{order.side}</td><td>{order.type}</td>
                <td className="num">{plain(order.price)}</td><td className="num stop">{plain(order.stopPrice)}</td>
                <td className="num">{plain(order.origQty)}</td><td className="num filled">{plain(order.executedQty)}</td>
                <td className="status">{order.status}</td><td>{placedBy(order)}</td>
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
