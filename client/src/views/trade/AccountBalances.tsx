// The balances beside the order forms: spot free and locked, the futures wallet's available balance. They
// change as the account stream pushes them (liveAccount.ts), without a reload.
import type { Schemas } from '../../api/client';
import { plain } from '../../format';

type Portfolio = Schemas['Portfolio'];

export function AccountBalances({ portfolio }: { portfolio: Portfolio | undefined }) {
  const spot = portfolio?.spot;
  const wallet = portfolio?.futures?.account;
  return (
    <section aria-labelledby="balances-title">
      <h2 id="balances-title">Balances</h2>
      {!portfolio && <p className="muted">Reading the account…</p>}
      {spot && (
        <table className="balances">
          <thead><tr><th scope="col">Asset</th><th scope="col" className="num">Free</th>
            <th scope="col" className="num">Locked</th></tr></thead>
          <tbody>
            {spot.balances.map((b) => (
              <tr key={b.asset} data-asset={b.asset}><th scope="row">{b.asset}</th>
                <td className="num free">{plain(b.free)}</td><td className="num locked">{plain(b.locked)}</td></tr>))}
          </tbody>
        </table>
      )}
      {portfolio && !spot && <p className="warning">The spot balances could not be read now.</p>}
      {wallet && <p data-testid="futures-available">Futures available balance: {plain(wallet.availableBalance)} USDT
        {' '}(wallet {plain(wallet.totalWalletBalance)} USDT)</p>}
    </section>
  );
}
