// The account, live: express_api's GET /direct-api/binance/stream/account (server-sent events, read with
// the Bearer token) applied to what react-query holds, so order rows, fills, balances and positions change
// on the page as Binance pushes them. A change the page cannot apply by itself (an order or an asset it
// has not seen) makes it read that part again over REST; so does every (re)connect, for what the gap hid.
import { useCallback, useEffect, useState } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Schemas } from './api/client';
import { useAuthorizedStream } from './api/authorizedStream';

export type AccountEvent = Schemas['AccountEvent'];
export type UserStreams = Schemas['UserStreams'];
type History = Schemas['UserOrderHistory'];
type HistoryOrder = History['orders'][number];
type OpenList = Schemas['AccountOrderList'];
type Portfolio = Schemas['Portfolio'];

export const ACCOUNT_STREAM = '/direct-api/binance/stream/account';
export const OPEN_STATUSES = new Set(['NEW', 'PARTIALLY_FILLED', 'PENDING_NEW']);
/** Query keys of what the stream changes. */
export const KEYS = {
  history: ['orders', 'history'], spotOpen: ['orders', 'open'], futuresOpen: ['orders', 'futures-open'],
  portfolio: ['portfolio'],
} as const;

const isAccountEvent = (data: unknown): data is AccountEvent => {
  const event = data as AccountEvent | null;
  return typeof event?.type === 'string' && typeof event.market === 'string';
};

/** The history with the order's new status and fill; null when the order is not in it. */
export function orderIntoHistory(history: History, event: AccountEvent): History | null {
  const old = history.orders.find((o) => o.binanceClientOrderId === event.clientOrderId && o.market === event.market);
  if (!old) return null;
  const fill = event.fill;
  const known = fill && old.fills.some((f) => f.tradeId === fill.tradeId);
  const fills = fill && !known && fill.tradeId !== undefined && fill.price && fill.qty
    ? [...old.fills, { tradeId: fill.tradeId, price: fill.price, qty: fill.qty, commission: fill.commission ?? null,
      commissionAsset: fill.commissionAsset ?? null, maker: Boolean(fill.maker), time: event.time }]
    : old.fills;
  const order: HistoryOrder = { ...old, fills, status: event.status ?? old.status,
    executedQty: event.executedQty ?? old.executedQty, cumulativeQuote: event.cumulativeQuote ?? old.cumulativeQuote,
    status_time: event.time };
  return { ...history, orders: history.orders.map((o) => (o === old ? order : o)) };
}

/** The open orders with the order's change (gone once it is no longer open); null when it is not among them. */
export function orderIntoOpen(list: OpenList, event: AccountEvent): OpenList | null {
  const old = list.orders.find((o) => o.binanceClientOrderId === event.clientOrderId);
  if (!old) return null;
  if (!OPEN_STATUSES.has(event.status ?? '')) {
    const orders = list.orders.filter((o) => o !== old);
    return { orders, count: orders.length };
  }
  const order = { ...old, status: event.status, executedQty: event.executedQty ?? old.executedQty };
  return { ...list, orders: list.orders.map((o) => (o === old ? order : o)) };
}

/** The portfolio with the spot balances pushed; null when an asset is new to it (read it again). */
export function balancesIntoPortfolio(portfolio: Portfolio, event: AccountEvent): Portfolio | null {
  if (!portfolio.spot) return null;
  let balances = portfolio.spot.balances;
  for (const pushed of event.balances ?? []) {
    if (!balances.some((b) => b.asset === pushed.asset)) return null;
    balances = balances.map((b) => (b.asset === pushed.asset ? { ...b, free: pushed.free, locked: pushed.locked } : b));
  }
  balances = balances.filter((b) => Number(b.free) !== 0 || Number(b.locked) !== 0);
  return { ...portfolio, spot: { ...portfolio.spot, balances, count: balances.length } };
}

/** The portfolio with the positions pushed (gone at zero); null when a position is new to it. */
export function positionsIntoPortfolio(portfolio: Portfolio, event: AccountEvent): Portfolio | null {
  if (!portfolio.futures) return null;
  let positions = portfolio.futures.positions;
  for (const pushed of (event.positions ?? []) as Partial<Schemas['FuturesPosition']>[]) {
    const amount = pushed.positionAmt ?? '0';
    if (Number(amount) === 0) {
      positions = positions.filter((p) => p.symbol !== pushed.symbol);
      continue;
    }
    if (!positions.some((p) => p.symbol === pushed.symbol)) return null;
    positions = positions.map((p) => (p.symbol !== pushed.symbol ? p : { ...p, positionAmt: amount,
      size: amount.replace(/^-/, ''), side: amount.startsWith('-') ? 'SHORT' as const : 'LONG' as const,
      entryPrice: pushed.entryPrice ?? p.entryPrice, unrealizedProfit: pushed.unrealizedProfit ?? p.unrealizedProfit }));
  }
  return { ...portfolio, futures: { ...portfolio.futures, positions } };
}

/** Applies `change` to the cached answer under `key`; what it cannot apply is read again. */
function update<T>(queries: QueryClient, key: readonly string[], change: (old: T) => T | null): void {
  const old = queries.getQueryData<T>(key);
  const next = old === undefined ? null : change(old);
  if (next) queries.setQueryData(key, next);
  void queries.invalidateQueries({ queryKey: key, exact: true, refetchType: next ? 'none' : 'active' });
}

export function applyAccountEvent(queries: QueryClient, event: AccountEvent): void {
  if (event.type === 'order') {
    update<History>(queries, KEYS.history, (old) => orderIntoHistory(old, event));
    update<OpenList>(queries, event.market === 'futures' ? KEYS.futuresOpen : KEYS.spotOpen,
      (old) => orderIntoOpen(old, event));
  } else if (event.type === 'balance') {
    update<Portfolio>(queries, KEYS.portfolio, (old) => balancesIntoPortfolio(old, event));
  } else if (event.type === 'position') {
    update<Portfolio>(queries, KEYS.portfolio, (old) => positionsIntoPortfolio(old, event));
  }
}

export type MarginCall = { time: number; positions: AccountEvent['positions'] };

/** The account stream while the component lives: its state, the user data streams' and the margin calls. */
export function useLiveAccount(enabled = true) {
  const queries = useQueryClient();
  const [userStreams, setUserStreams] = useState<UserStreams | null>(null);
  const [marginCalls, setMarginCalls] = useState<MarginCall[]>([]);
  const onEvent = useCallback((type: string, data: unknown) => {
    if (type === 'user_streams' && data && typeof data === 'object') setUserStreams(data as UserStreams);
    if (type !== 'account' || !isAccountEvent(data)) return;
    if (data.type === 'margin_call') setMarginCalls((old) => [...old.slice(-4), { time: data.time, positions: data.positions }]);
    else applyAccountEvent(queries, data);
  }, [queries]);
  const { state, refused } = useAuthorizedStream(ACCOUNT_STREAM, onEvent, enabled);
  useEffect(() => {
    // (re)connected: what changed while the stream was down is read once over REST
    if (state === 'open') for (const key of Object.values(KEYS)) void queries.invalidateQueries({ queryKey: key, exact: true });
  }, [state, queries]);
  const dismiss = useCallback(() => setMarginCalls([]), []);
  return { state, refused, userStreams, marginCalls, dismiss };
}
