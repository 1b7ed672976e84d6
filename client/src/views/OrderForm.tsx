// Check an order against the symbol's filters, then place it once.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ApiError } from '../api/errors';
import { newOrderId } from '../orderId';
import { ErrorMessage } from '../components/ErrorMessage';

type Side = 'BUY' | 'SELL';
type Kind = 'LIMIT' | 'MARKET' | 'LIMIT_MAKER';
type Violation = { filter: string; message: string; nearest_valid?: string };

export function OrderForm() {
  const queries = useQueryClient();
  const [symbol, setSymbol] = useState('BTCUSDT');
  const [side, setSide] = useState<Side>('BUY');
  const [type, setType] = useState<Kind>('LIMIT');
  const [quantity, setQuantity] = useState('');
  const [price, setPrice] = useState('');
  const [orderId, setOrderId] = useState(newOrderId);
  const common = { symbol: symbol.trim().toUpperCase(), side, quantity };
  const order = type === 'MARKET' ? { ...common, type }
    : { ...common, type, price, ...(type === 'LIMIT' ? { timeInForce: 'GTC' as const } : {}) };

  const check = useMutation({ mutationFn: () => ok(api.POST('/api/binance/order/validate', { body: order })) });
  const place = useMutation({
    mutationFn: () => ok(api.POST('/direct-api/binance/orders', { body: { ...order, clientOrderId: orderId } })),
    onSettled: (result, error) => {
      // Known outcomes free the id for the next order; an unknown one keeps it, so a repeat finds that order.
      const unknown = result?.outcome === 'unknown' || !(error instanceof ApiError) || error.status >= 500;
      if (result?.outcome === 'placed' || (error && !unknown)) setOrderId(newOrderId());
      void queries.invalidateQueries({ queryKey: ['orders'] });
    },
  });
  const edited = (set: (value: string) => void) => (value: string) => {
    set(value);
    check.reset();
  };
  const verdict = check.data as { valid: boolean; violations: Violation[] } | undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!place.isPending) place.mutate();
  };

  return (
    <section aria-labelledby="order-title">
      <h2 id="order-title">Place an order</h2>
      <form className="order" onSubmit={submit}>
        <label>Symbol <input name="symbol" value={symbol} onChange={(e) => edited(setSymbol)(e.target.value)} size={10} /></label>
        <label>Side <select name="side" value={side} onChange={(e) => edited((v) => setSide(v as Side))(e.target.value)}>
          <option>BUY</option><option>SELL</option></select></label>
        <label>Type <select name="type" value={type} onChange={(e) => edited((v) => setType(v as Kind))(e.target.value)}>
          <option>LIMIT</option><option>MARKET</option><option>LIMIT_MAKER</option></select></label>
        <label>Quantity <input name="quantity" inputMode="decimal" value={quantity}
          onChange={(e) => edited(setQuantity)(e.target.value)} size={10} /></label>
        {type !== 'MARKET' && <label>Price <input name="price" inputMode="decimal" value={price}
          onChange={(e) => edited(setPrice)(e.target.value)} size={10} /></label>}
        <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>Check</button>
        <button type="submit" disabled={!verdict?.valid || place.isPending}>Place</button>
      </form>
      <ErrorMessage error={check.error} />
      {verdict && (verdict.valid ? <p className="good" role="status">Valid: the filters accept this order.</p> : (
        <ul className="violations" role="alert">
          {verdict.violations.map((v) => <li key={v.filter + v.message}>{v.filter}: {v.message}
            {v.nearest_valid ? ` (nearest valid: ${v.nearest_valid})` : ''}</li>)}
        </ul>))}
      <PlaceResult place={place} orderId={orderId} />
    </section>
  );
}

type Placement = { outcome: string; clientOrderId: string; message?: string | null };

function PlaceResult({ place, orderId }: { place: { data?: unknown; error: unknown; mutate: () => void }; orderId: string }) {
  const data = place.data as Placement | undefined;
  if (place.error) {
    return (
      <div role="alert">
        <ErrorMessage error={place.error} />
        {!(place.error instanceof ApiError && place.error.status < 500) && (
          <button type="button" onClick={() => place.mutate()}>Ask again for order {orderId}</button>)}
      </div>
    );
  }
  if (!data) return null;
  if (data.outcome === 'unknown') {
    return (
      <div role="alert" className="warning" data-outcome="unknown">
        <p>Order {data.clientOrderId}: the outcome is not known yet. {data.message}</p>
        <button type="button" onClick={() => place.mutate()}>Ask again</button>
      </div>
    );
  }
  return <p role="status" className="good" data-outcome={data.outcome}>Order {data.clientOrderId} {data.outcome}.</p>;
}
