// A USDT-M futures order: MARKET, LIMIT, STOP_MARKET and TAKE_PROFIT_MARKET, reduce-only if asked; placed
// once (its id kept until the outcome is known). python_service checks it against the contract's filters
// when it is placed: a broken filter comes back as 400 order_invalid with each violation, shown.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../../api/client';
import { ApiError } from '../../api/errors';
import { newOrderId } from '../../orderId';
import { PlaceResult } from '../OrderForm';

type Side = 'BUY' | 'SELL';
export const FUTURES_TYPES = ['MARKET', 'LIMIT', 'STOP_MARKET', 'TAKE_PROFIT_MARKET'] as const;
type Kind = (typeof FUTURES_TYPES)[number];
type Fields = { side: Side; type: Kind; timeInForce: 'GTC' | 'IOC' | 'FOK'; quantity: string; price: string;
  stopPrice: string; reduceOnly: boolean };
type Order = { symbol: string; side: Side; type: Kind; quantity: string; price?: string; stopPrice?: string;
  timeInForce?: Fields['timeInForce']; reduceOnly?: boolean; clientOrderId: string };

const CONDITIONAL = new Set<Kind>(['STOP_MARKET', 'TAKE_PROFIT_MARKET']);

export function futuresOrderOf(symbol: string, fields: Fields, clientOrderId: string): Order {
  const order: Order = { symbol, side: fields.side, type: fields.type, quantity: fields.quantity.trim(), clientOrderId };
  if (fields.type === 'LIMIT') Object.assign(order, { price: fields.price.trim(), timeInForce: fields.timeInForce });
  if (CONDITIONAL.has(fields.type)) order.stopPrice = fields.stopPrice.trim();
  if (fields.reduceOnly) order.reduceOnly = true;
  return order;
}

const settled = (result: Schemas['UserOrderPlacement'] | undefined, error: unknown) =>
  result?.outcome === 'placed' || (error instanceof ApiError && error.status < 500);
const START: Fields = { side: 'BUY', type: 'MARKET', timeInForce: 'GTC', quantity: '', price: '', stopPrice: '',
  reduceOnly: false };

export function FuturesOrderForm({ symbol }: { symbol: string }) {
  const queries = useQueryClient();
  const [fields, setFields] = useState<Fields>(START);
  const [pending, setPending] = useState<Order | null>(null);
  const place = useMutation({
    mutationFn: (order: Order) => ok(api.POST('/direct-api/binance/futures/orders', { body: order })),
    onSettled: (result, error) => {
      if (settled(result, error)) setPending(null);
      void queries.invalidateQueries({ queryKey: ['orders'] });
      void queries.invalidateQueries({ queryKey: ['portfolio'] });
    },
  });
  const send = (order: Order) => {
    if (place.isPending) return;
    setPending(order);
    place.mutate(order);
  };
  const edit = (name: keyof Fields) => (value: string | boolean) => setFields((old) => ({ ...old, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pending && fields.quantity.trim()) send(futuresOrderOf(symbol, fields, newOrderId()));
  };
  return (
    <section aria-labelledby="futures-order-title">
      <h2 id="futures-order-title">Place a futures order (USDT-M)</h2>
      <form className="order futures" onSubmit={submit} data-symbol={symbol}>
        <fieldset disabled={pending !== null}>
          <legend className="visually-hidden">Futures order on {symbol}</legend>
          <span className="order-symbol">Contract <strong>{symbol}</strong></span>
          <label>Side <select name="side" value={fields.side} onChange={(e) => edit('side')(e.target.value)}>
            <option>BUY</option><option>SELL</option></select></label>
          <label>Type <select name="type" value={fields.type} onChange={(e) => edit('type')(e.target.value)}>
            {FUTURES_TYPES.map((kind) => <option key={kind}>{kind}</option>)}</select></label>
          <label>Quantity <input name="quantity" inputMode="decimal" maxLength={40} size={10} value={fields.quantity}
            onChange={(e) => edit('quantity')(e.target.value)} /></label>
          {fields.type === 'LIMIT' && <>
            <label>Price <input name="price" inputMode="decimal" maxLength={40} size={10} value={fields.price}
              onChange={(e) => edit('price')(e.target.value)} /></label>
            <label>Time in force <select name="timeInForce" value={fields.timeInForce}
              onChange={(e) => edit('timeInForce')(e.target.value)}><option>GTC</option><option>IOC</option>
              <option>FOK</option></select></label></>}
          {CONDITIONAL.has(fields.type) && <label>Trigger at <input name="stopPrice" inputMode="decimal" maxLength={40} size={10}
            value={fields.stopPrice} onChange={(e) => edit('stopPrice')(e.target.value)} /></label>}
          <label className="check"><input type="checkbox" name="reduceOnly" checked={fields.reduceOnly}
            onChange={(e) => edit('reduceOnly')(e.target.checked)} /> Reduce only</label>
          <button type="submit" disabled={!fields.quantity.trim() || place.isPending}>Place</button>
        </fieldset>
      </form>
      <PlaceResult result={place.data} error={place.error} pending={pending} busy={place.isPending} askAgain={send} />
    </section>
  );
}
