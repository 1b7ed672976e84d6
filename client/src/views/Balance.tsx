// The demo portfolio (sample holdings, not an account) valued at the gateway's prices, each price with its
// source. Always labelled demo: it is shown where no account can be.
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { useNow } from '../hooks';
import { SourceBadge } from '../components/SourceBadge';
import { ErrorMessage } from '../components/ErrorMessage';

export function Balance() {
  const now = useNow();
  const balance = useQuery({
    queryKey: ['demo-balance'],
    queryFn: () => ok(api.GET('/direct-api/binance/demo-balance')),
    refetchInterval: 10_000,
  });
  const data = balance.data;
  return (
    <section aria-labelledby="balance-title">
      <h2 id="balance-title">Demo portfolio <span className="demo-label">demo</span></h2>
      <p className="muted">Sample holdings, not an account: what they would be worth at the gateway's prices.</p>
      <ErrorMessage error={balance.error} />
      {data && (
        <>
          {data.note && <p className="warning" data-testid="balance-note">{data.note}</p>}
          <table className="balance">
            <thead><tr><th scope="col">Asset</th><th scope="col" className="num">Amount</th>
              <th scope="col" className="num">Price (USDT)</th><th scope="col" className="num">Value (USDT)</th>
              <th scope="col">Source · age</th></tr></thead>
            <tbody>
              {data.assets.map((asset) => (
                <tr key={asset.asset} data-asset={asset.asset}>
                  <th scope="row">{asset.asset}</th>
                  <td className="num">{asset.amount}</td>
                  <td className="num">{asset.price}</td>
                  <td className="num">{asset.value_usdt}</td>
                  <td>{asset.source === 'quote_asset' ? 'quote asset' : <SourceBadge source={asset.source} asOf={asset.as_of} now={now} />}</td>
                </tr>
              ))}
            </tbody>
            <tfoot><tr><th scope="row" colSpan={3}>Total</th><td className="num" data-testid="total">{data.total_usdt}</td>
              <td><SourceBadge source={data.source} asOf={data.as_of} now={now} /></td></tr></tfoot>
          </table>
        </>
      )}
    </section>
  );
}
