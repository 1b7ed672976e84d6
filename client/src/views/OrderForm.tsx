// Check an order against the symbol's filters, then place it once.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { ApiError } from '../api/errors';
import { newOrderId } from '../orderId';
import { ErrorMessage } from '../components/ErrorMessage';

type Side = 'BUY' | 'SELL';
type Kind = 'LIMIT' | 'MARKET' | 'LIMIT_MAKER';
type Fields = { symbol: string; side: Side; type: Kind; quantity: string; price: string };
type Order = { symbol: string; side: Side; type: Kind; quantity: string; price?: string; timeInForce?: 'GTC';
  clientOrderId: string };

function orderOf(fields: Fields, clientOrderId: string): Order {
  const tif = fields.type === 'LIMIT' ? { timeInForce: 'GTC' as const } : {};
  return { ...checkOf(fields), ...tif, clientOrderId };
}

/** What order/validate is asked: the same fields, without an id. */
function checkOf(fields: Fields) {
  const common = { symbol: fields.symbol.trim().toUpperCase(), side: fields.side, quantity: fields.quantity };
  return fields.type === 'MARKET' ? { ...common, type: fields.type } : { ...common, type: fields.type, price: fields.price };
}

/** Known outcomes end an order; an unknown one (202, 5xx, no answer) keeps it to be asked again. */
const settled = (result: Schemas['UserOrderPlacement'] | undefined, error: unknown) =>
  result?.outcome === 'placed' || (error instanceof ApiError && error.status < 500);

export function OrderForm() {
  const queries = useQueryClient();
  const [fields, setFields] = useState<Fields>({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '', price: '' });
  // The order being placed, id and all, exactly as first sent: asking again resends it unchanged.
  const [pending, setPending] = useState<Order | null>(null);
  const check = useMutation({ mutationFn: () => ok(api.POST('/api/binance/order/validate', { body: checkOf(fields) })) });
  const place = useMutation({
    mutationFn: (order: Order) => ok(api.POST('/direct-api/binance/orders', { body: order })),
    onSettled: (result, error) => {
      if (settled(result, error)) setPending(null);
      void queries.invalidateQueries({ queryKey: ['orders'] });
    },
  });
  const send = (order: Order) => {
    if (place.isPending) return;
    setPending(order);
    place.mutate(order);
  };
  const edit = (name: keyof Fields) => (value: string) => {
    setFields((old) => ({ ...old, [name]: value }));
    check.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pending && check.data?.valid) send(orderOf(fields, newOrderId()));
  };
  const verdict = check.data;

  return (
    <section aria-labelledby="order-title">
      <h2 id="order-title">Place an order</h2>
      <form className="order" onSubmit={submit}>
        <fieldset disabled={pending !== null}>
          <legend className="visually-hidden">Order</legend>
          <label>Symbol <input name="symbol" value={fields.symbol} onChange={(e) => edit('symbol')(e.target.value)} size={10} /></label>
          <label>Side <select name="side" value={fields.side} onChange={(e) => edit('side')(e.target.value)}>
            <option>BUY</option><option>SELL</option></select></label>
          <label>Type <select name="type" value={fields.type} onChange={(e) => edit('type')(e.target.value)}>
            <option>LIMIT</option><option>MARKET</option><option>LIMIT_MAKER</option></select></label>
          <label>Quantity <input name="quantity" inputMode="decimal" value={fields.quantity}
            onChange={(e) => edit('quantity')(e.target.value)} size={10} /></label>
          {fields.type !== 'MARKET' && <label>Price <input name="price" inputMode="decimal" value={fields.price}
            onChange={(e) => edit('price')(e.target.value)} size={10} /></label>}
          <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>Check</button>
          <button type="submit" disabled={!verdict?.valid || place.isPending}>Place</button>
        </fieldset>
      </form>
      <ErrorMessage error={check.error} />
      {verdict && (verdict.valid ? <p className="good" role="status">Valid: the filters accept this order.</p> : (
        <ul className="violations" role="alert">
          {verdict.violations.map((v) => <li key={v.filter + v.message}>{v.filter}: {v.message}
            {v.nearest_valid ? ` (nearest valid: ${v.nearest_valid})` : ''}</li>)}
        </ul>))}
      <PlaceResult result={place.data} error={place.error} pending={pending} busy={place.isPending} askAgain={send} />
    </section>
  );
}

type ResultProps = { result?: Schemas['UserOrderPlacement']; error: unknown; pending: Order | null; busy: boolean;
  askAgain: (order: Order) => void };

function PlaceResult({ result, error, pending, busy, askAgain }: ResultProps) {
  const again = pending && (
    <button type="button" disabled={busy} onClick={() => askAgain(pending)}>Ask again for order {pending.clientOrderId}</button>);
  if (error) return <div className="place-error"><ErrorMessage error={error} />{again}</div>;
  if (!result) return null;
  if (result.outcome === 'unknown') {
    return (
      <div role="alert" className="warning" data-outcome="unknown">
        <p>Order {result.clientOrderId}: the outcome is not known yet; nothing else can be placed until it is.</p>
        {again}
      </div>
    );
  }
  return <p role="status" className="good" data-outcome={result.outcome}>Order {result.clientOrderId} {result.outcome}.</p>;
}
