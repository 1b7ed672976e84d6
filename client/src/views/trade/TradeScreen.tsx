// The trading screen: a symbol found in the exchange's list or chosen from the watchlist, spot or USDT-M
// futures orders (for traders), open orders, positions, balances and the user's orders, all kept current
// by the account stream. A viewer sees everything and can place or cancel nothing (the server checks too).
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import type { StreamState } from '../../api/stream';
import { useAuth } from '../../auth';
import { useLiveAccount, type UserStreams } from '../../liveAccount';
import { ErrorMessage } from '../../components/ErrorMessage';
import { LimitsInForce } from '../admin/Risk';
import { OrderForm } from '../OrderForm';
import { OpenOrders } from '../OpenOrders';
import { OrderHistory } from '../OrderHistory';
import { Positions } from '../Positions';
import { usePortfolio } from '../Portfolio';
import { AccountBalances } from './AccountBalances';
import { FuturesOrderForm } from './FuturesOrderForm';
import { Leverage } from './Leverage';
import { MarginCallAlert } from './MarginCallAlert';
import { SymbolSearch } from './SymbolSearch';
import { Watchlist, useWatchlist } from './Watchlist';

type Market = 'spot' | 'futures';
const STREAM_WORDS: Record<StreamState, string> = { open: 'live: fills, orders and balances change as Binance pushes them',
  connecting: 'connecting to the live account…', waiting: 'live account interrupted: reconnecting, polling meanwhile' };

function LiveLine({ state, userStreams, refused }: { state: StreamState; userStreams: UserStreams | null; refused: unknown }) {
  const upstream = userStreams ? Object.entries(userStreams).map(([market, s]) => `${market} ${s}`).join(', ') : null;
  return (
    <>
      <p className="muted" data-testid="account-stream" data-stream={state}>Account {STREAM_WORDS[state]}
        {upstream ? ` (Binance's user data streams: ${upstream})` : ''}.</p>
      <ErrorMessage error={refused} doing="The live account is off" />
    </>
  );
}

function FuturesPanel({ symbol, trader, stream }: { symbol: string; trader: boolean; stream: StreamState }) {
  const queries = useQueryClient();
  const portfolio = usePortfolio(stream);
  const close = useMutation({
    mutationFn: (on: string) => ok(api.POST('/direct-api/binance/futures/positions/{symbol}/close',
      { params: { path: { symbol: on } } })),
    onSettled: () => {
      void queries.invalidateQueries({ queryKey: ['portfolio'] });
      void queries.invalidateQueries({ queryKey: ['orders'] });
    },
  });
  const positions = portfolio.data?.futures?.positions ?? [];
  const current = positions.find((p) => p.symbol === symbol)?.leverage;
  return (
    <>
      {trader && <FuturesOrderForm symbol={symbol} />}
      {trader && <Leverage symbol={symbol} current={current} />}
      <ErrorMessage error={portfolio.error ?? close.error} />
      {close.data && <p className="good" role="status" data-testid="position-closed">Position closed by order
        {' '}{close.data.clientOrderId} ({close.data.outcome}).</p>}
      {portfolio.data?.futures && <Positions positions={positions} closing={close.isPending}
        onClose={trader ? (on) => close.mutate(on) : undefined} />}
      <OpenOrders market="futures" stream={stream} />
    </>
  );
}

export function TradeScreen() {
  const { can, user } = useAuth();
  const trader = can('trader');
  const [symbol, setSymbol] = useState('BTCUSDT');
  const [market, setMarket] = useState<Market>('spot');
  const live = useLiveAccount();
  const watchlist = useWatchlist();
  const portfolio = usePortfolio(live.state);
  return (
    <>
      <h1>Trade</h1>
      <LiveLine state={live.state} userStreams={live.userStreams} refused={live.refused} />
      <MarginCallAlert calls={live.marginCalls} onDismiss={live.dismiss} />
      <LimitsInForce />
      <div className="trade-top">
        <SymbolSearch chosen={symbol} onChoose={setSymbol} onWatch={watchlist.add} />
        <Watchlist watchlist={watchlist} chosen={symbol} onChoose={setSymbol} />
        <AccountBalances portfolio={portfolio.data} />
      </div>
      <div className="market-switch" role="group" aria-label="Market">
        <button type="button" aria-pressed={market === 'spot'} onClick={() => setMarket('spot')}>Spot</button>
        <button type="button" aria-pressed={market === 'futures'} onClick={() => setMarket('futures')}>USDT-M futures</button>
      </div>
      {!trader && <p className="muted" data-testid="no-trading">You are a {user?.role}: you see the account's orders, but
        placing and cancelling them needs the trader role.</p>}
      {market === 'spot' ? (
        <>
          {trader && <OrderForm key={symbol} symbol={symbol} />}
          <OpenOrders market="spot" stream={live.state} />
        </>
      ) : <FuturesPanel key={symbol} symbol={symbol} trader={trader} stream={live.state} />}
      <OrderHistory stream={live.state} />
    </>
  );
}
