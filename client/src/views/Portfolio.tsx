// The configured account: spot balances valued in USDT (each price with its source), the futures
// wallet and positions, the total, and the fills; kept current by the account stream (liveAccount.ts),
// polled only while it is not open; a margin call shows as an alert. Without keys on the gateway (503
// keys_not_configured) the demo portfolio instead, labelled as such.
import { useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { pollUnlessStreaming, type StreamState } from '../api/stream';
import { KEYS, useLiveAccount } from '../liveAccount';
import { MarginCallAlert } from './trade/MarginCallAlert';
import { ApiError, errorFrom } from '../api/errors';
import { useNow } from '../hooks';
import { plain } from '../format';
import { SourceBadge } from '../components/SourceBadge';
import { ErrorMessage } from '../components/ErrorMessage';
import { Balance } from './Balance';
import { Fills } from './Fills';
import { Positions } from './Positions';
import { WATCHED } from './Prices';

type Answer = Schemas['Portfolio'];
type Spot = NonNullable<Answer['spot']>;
type Part = NonNullable<Answer['errors']['spot']>;
type Wallet = Schemas['FuturesWallet'];

const noKeys = (error: unknown) => error instanceof ApiError && error.code === 'keys_not_configured';
/** A part's failure (errors.spot, errors.futures) as the ApiError it was. */
const failure = (part: Part | undefined) => part && errorFrom(0, { error: part });

/** The account (python_service reads it from the user data streams while they are up); polled unless the
 * account stream (liveAccount.ts) keeps it current, or every `everyMs` whatever the stream does (the values
 * in USDT move with the market, which the account's events do not tell). */
export function usePortfolio(stream: StreamState = 'waiting', everyMs?: number) {
  return useQuery({
    queryKey: KEYS.portfolio,
    queryFn: () => ok(api.GET('/direct-api/binance/portfolio')),
    ...(everyMs ? { refetchInterval: everyMs } : pollUnlessStreaming(stream, 10_000)),
    retry: (count, error) => count < 2 && !(error instanceof ApiError && (error.status < 500 || noKeys(error))),
  });
}

export function Portfolio() {
  const live = useLiveAccount();
  const portfolio = usePortfolio(live.state, 10_000);
  if (noKeys(portfolio.error)) return <DemoPortfolio />;
  const data = portfolio.data;
  const positions = data?.futures?.positions ?? [];
  return (
    <>
      <h1>Portfolio</h1>
      <MarginCallAlert calls={live.marginCalls} onDismiss={live.dismiss} />
      <ErrorMessage error={portfolio.error} />
      {portfolio.isPending && <p className="muted" role="status">Reading the account…</p>}
      {data && (
        <>
          <Total data={data} />
          <SpotBalances spot={data.spot} error={failure(data.errors.spot)} />
          <FuturesWallet wallet={data.futures?.account} error={failure(data.errors.futures)} />
          {data.futures && <Positions positions={positions} />}
        </>
      )}
      <Fills symbols={fillSymbols(data?.spot)} />
    </>
  );
}

function DemoPortfolio() {
  return (
    <>
      <h1>Portfolio <span className="demo-label">demo</span></h1>
      <p className="warning" role="status" data-testid="demo-note">No Binance keys are configured on the gateway, so
        there is no account to show: below is the demo portfolio, sample holdings valued at the gateway's prices.</p>
      <Balance />
    </>
  );
}

/** The spot symbols of the assets held (against USDT), then the watched ones. */
function fillSymbols(spot: Spot | null | undefined): string[] {
  const held = (spot?.balances ?? []).filter((b) => b.asset !== 'USDT').map((b) => `${b.asset}USDT`);
  return [...new Set([...held, ...WATCHED])];
}

function Total({ data }: { data: Answer }) {
  return (
    <section aria-labelledby="total-title">
      <h2 id="total-title">Total</h2>
      {data.total_usdt !== null
        ? <p className="total"><span data-testid="portfolio-total">{plain(data.total_usdt)}</span> USDT
          <span className="muted"> (spot balances plus the futures margin balance)</span></p>
        : <p className="warning">Not known now: a part of the account could not be read (below).</p>}
    </section>
  );
}

function SpotBalances({ spot, error }: { spot: Spot | null; error: unknown }) {
  const now = useNow();
  return (
    <section aria-labelledby="spot-title">
      <h2 id="spot-title">Spot balances</h2>
      <ErrorMessage error={error} />
      {spot && !spot.balances.length && <p className="muted">No spot balances.</p>}
      {spot && spot.balances.length > 0 && (
        <table className="spot">
          <thead><tr><th scope="col">Asset</th><th scope="col" className="num">Free</th><th scope="col" className="num">Locked</th>
            <th scope="col" className="num">Price (USDT)</th><th scope="col" className="num">Value (USDT)</th>
            <th scope="col">Price source · age</th></tr></thead>
          <tbody>
            {spot.balances.map((b) => (
              <tr key={b.asset} data-asset={b.asset}>
                <th scope="row">{b.asset}</th>
                <td className="num free">{plain(b.free)}</td>
                <td className="num locked">{plain(b.locked)}</td>
                <td className="num price">{plain(b.price_usdt)}</td>
                <td className="num value">{plain(b.value_usdt)}</td>
                <td>{b.price_source ? <SourceBadge source={b.price_source} asOf={b.price_as_of} now={now} />
                  : <span className="muted">{b.asset === 'USDT' ? 'quote asset' : 'no price now'}</span>}</td>
              </tr>
            ))}
          </tbody>
          <tfoot><tr><th scope="row" colSpan={4}>Spot total</th>
            <td className="num" data-testid="spot-total">{plain(spot.total_usdt)}</td>
            <td><SourceBadge source={spot.source} asOf={spot.as_of} now={now} /></td></tr></tfoot>
        </table>
      )}
      {spot && spot.unpriced.length > 0 && (
        <p className="warning">No USDT price now for {spot.unpriced.join(', ')}: not in the total.</p>)}
    </section>
  );
}

const WALLET: [Exclude<keyof Wallet, 'assets'>, string][] = [
  ['totalWalletBalance', 'Wallet balance'], ['totalUnrealizedProfit', 'Unrealized profit'],
  ['totalMarginBalance', 'Margin balance'], ['availableBalance', 'Available balance'],
  ['totalInitialMargin', 'Initial margin'], ['totalMaintMargin', 'Maintenance margin'],
];

function FuturesWallet({ wallet, error }: { wallet: Wallet | undefined; error: unknown }) {
  return (
    <section aria-labelledby="wallet-title">
      <h2 id="wallet-title">Futures wallet (USDT-M)</h2>
      <ErrorMessage error={error} />
      {wallet && (
        <dl className="wallet">
          {WALLET.map(([key, words]) => (
            <div key={key} className="pair" data-field={key}><dt>{words}</dt><dd className="num">{plain(wallet[key])} USDT</dd></div>))}
        </dl>
      )}
    </section>
  );
}
