// A spot order: every type Binance takes, checked against the symbol's filters (order/validate) before it
// can be placed, then placed once (its id kept until the outcome is known, so asking again never places two).
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { ApiError } from '../api/errors';
import { newOrderId } from '../orderId';
import { ErrorMessage } from '../components/ErrorMessage';
import { Verdict } from './trade/Verdict';

type Side = 'BUY' | 'SELL';
export const SPOT_TYPES = ['LIMIT', 'MARKET', 'LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT'] as const;
type Kind = (typeof SPOT_TYPES)[number];
type TimeInForce = 'GTC' | 'IOC' | 'FOK';
type Fields = { side: Side; type: Kind; timeInForce: TimeInForce; by: 'quantity' | 'quote'; quantity: string;
  quote: string; price: string; stopPrice: string };
type Order = {
  symbol: string; side: Side; type: Kind; timeInForce?: TimeInForce; quantity?: string; quoteOrderQty?: string;
  price?: string; stopPrice?: string; clientOrderId: string };

const WITH_PRICE = new Set<Kind>(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const WITH_STOP = new Set<Kind>(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const WITH_TIME_IN_FORCE = new Set<Kind>(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const byQuote = (fields: Fields) => fields.type === 'MARKET' && fields.by === 'quote';

/** The order as placed: only the fields its type takes. */
export function orderOf(symbol: string, fields: Fields, clientOrderId: string): Order {
  const order: Order = { symbol, side: fields.side, type: fields.type, clientOrderId };
  if (byQuote(fields)) order.quoteOrderQty = fields.quote.trim();
  else order.quantity = fields.quantity.trim();
  if (WITH_PRICE.has(fields.type)) order.price = fields.price.trim();
  if (WITH_STOP.has(fields.type)) order.stopPrice = fields.stopPrice.trim();
  if (WITH_TIME_IN_FORCE.has(fields.type)) order.timeInForce = fields.timeInForce;
  return order;
}

/** What order/validate is asked (it knows LIMIT, LIMIT_MAKER and MARKET by quantity): a stop-limit order is
 * checked as the LIMIT it becomes, a stop order as the MARKET it becomes; the stop price itself, and a MARKET
 * by quote amount, are checked by python_service when placed. */
export function checkOf(symbol: string, fields: Fields) {
  const common = { symbol, side: fields.side, quantity: fields.quantity.trim() };
  if (WITH_PRICE.has(fields.type)) {
    return { ...common, type: fields.type === 'LIMIT_MAKER' ? 'LIMIT_MAKER' as const : 'LIMIT' as const,
      price: fields.price.trim() };
  }
  return { ...common, type: 'MARKET' as const };
}

/** Known outcomes end an order; an unknown one (202, 5xx, no answer) keeps it to be asked again. */
const settled = (result: Schemas['UserOrderPlacement'] | undefined, error: unknown) =>
  result?.outcome === 'placed' || (error instanceof ApiError && error.status < 500);

const START: Fields = { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', by: 'quantity', quantity: '', quote: '',
  price: '', stopPrice: '' };

export function OrderForm({ symbol = 'BTCUSDT' }: { symbol?: string }) {
  const queries = useQueryClient();
  const [fields, setFields] = useState<Fields>(START);
  // The order being placed, id and all, exactly as first sent: asking again resends it unchanged.
  const [pending, setPending] = useState<Order | null>(null);
  const check = useMutation({ mutationFn: () => ok(api.POST('/api/binance/order/validate', { body: checkOf(symbol, fields) })) });
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
  // A MARKET by quote amount cannot go through order/validate: python_service checks it (MIN_NOTIONAL) at placement.
  const checked = byQuote(fields) ? fields.quote.trim() !== '' : Boolean(check.data?.valid);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pending && checked) send(orderOf(symbol, fields, newOrderId()));
  };

  return (
    <section aria-labelledby="order-title">
      <h2 id="order-title">Place an order</h2>
      <form className="order" onSubmit={submit} data-symbol={symbol}>
        <fieldset disabled={pending !== null}>
          <legend className="visually-hidden">Spot order on {symbol}</legend>
          <span className="order-symbol">Symbol <strong data-testid="order-symbol">{symbol}</strong></span>
          <label>Side <select name="side" value={fields.side} onChange={(e) => edit('side')(e.target.value)}>
            <option>BUY</option><option>SELL</option></select></label>
          <label>Type <select name="type" value={fields.type} onChange={(e) => edit('type')(e.target.value)}>
            {SPOT_TYPES.map((kind) => <option key={kind}>{kind}</option>)}</select></label>
          {WITH_TIME_IN_FORCE.has(fields.type) && <label>Time in force <select name="timeInForce" value={fields.timeInForce}
            onChange={(e) => edit('timeInForce')(e.target.value)}>
            <option value="GTC">GTC (until cancelled)</option><option value="IOC">IOC (fill now, cancel the rest)</option>
            <option value="FOK">FOK (all now or nothing)</option></select></label>}
          {fields.type === 'MARKET' && <label>Buy or sell by <select name="by" value={fields.by}
            onChange={(e) => edit('by')(e.target.value)}>
            <option value="quantity">quantity (base asset)</option><option value="quote">amount to spend (quote asset)</option>
          </select></label>}
          {byQuote(fields)
            ? <label>Amount to spend <input name="quoteOrderQty" inputMode="decimal" maxLength={40} value={fields.quote}
              onChange={(e) => edit('quote')(e.target.value)} size={10} /></label>
            : <label>Quantity <input name="quantity" inputMode="decimal" maxLength={40} value={fields.quantity}
              onChange={(e) => edit('quantity')(e.target.value)} size={10} /></label>}
          {WITH_PRICE.has(fields.type) && <label>Price <input name="price" inputMode="decimal" maxLength={40} value={fields.price}
            onChange={(e) => edit('price')(e.target.value)} size={10} /></label>}
          {WITH_STOP.has(fields.type) && <label>Trigger at <input name="stopPrice" inputMode="decimal" maxLength={40}
            value={fields.stopPrice} onChange={(e) => edit('stopPrice')(e.target.value)} size={10} /></label>}
          {!byQuote(fields) && <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>Check</button>}
          <button type="submit" disabled={!checked || place.isPending}>Place</button>
        </fieldset>
      </form>
      {byQuote(fields) && <p className="muted">An order by amount is checked against the symbol's filters when it is placed.</p>}
      {WITH_STOP.has(fields.type) && <p className="muted">Checked as the {WITH_PRICE.has(fields.type) ? 'LIMIT' : 'MARKET'} order
        it becomes once triggered; the trigger price is checked when it is placed.</p>}
      <ErrorMessage error={check.error} />
      {check.data && <Verdict verdict={check.data} />}
      <PlaceResult result={place.data} error={place.error} pending={pending} busy={place.isPending} askAgain={send} />
    </section>
  );
}

type ResultProps<T> = { result?: Schemas['UserOrderPlacement']; error: unknown; pending: T | null; busy: boolean;
  askAgain: (order: T) => void };

/** A placement's outcome; while it is unknown, a button sends the same order (same id) again. */
export function PlaceResult<T extends { clientOrderId: string }>({ result, error, pending, busy, askAgain }: ResultProps<T>) {
  const again = pending && (
    <button type="button" disabled={busy} onClick={() => askAgain(pending)}>Ask again for order {pending.clientOrderId}</button>);
  if (error) return <div className="place-error"><ErrorMessage error={error} /><Violations error={error} />{again}</div>;
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

type Violation = { filter?: string; message?: string; nearest_valid?: string };

/** A placement refused for the symbol's filters (400 order_invalid) lists each broken one. */
function Violations({ error }: { error: unknown }) {
  const list = error instanceof ApiError && Array.isArray(error.details.violations)
    ? (error.details.violations as Violation[]) : [];
  if (!list.length) return null;
  return (
    <ul className="violations">
      {list.map((v, index) => <li key={index}>{v.filter}: {v.message}{v.nearest_valid ? ` (nearest valid: ${v.nearest_valid})` : ''}</li>)}
    </ul>
  );
}
