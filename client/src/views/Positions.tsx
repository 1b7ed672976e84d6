// USDT-M futures positions of the account.
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';

type Position = { symbol: string; positionAmt: string; entryPrice: string; markPrice: string;
  unRealizedProfit: string; leverage: string; liquidationPrice: string };

export function Positions() {
  const positions = useQuery({
    queryKey: ['positions'],
    queryFn: () => ok(api.GET('/direct-api/binance/futures/positions')),
    refetchInterval: 10_000,
  });
  const rows = (positions.data?.positions ?? []) as Position[];
  return (
    <section aria-labelledby="positions-title">
      <h2 id="positions-title">Futures positions</h2>
      <ErrorMessage error={positions.error} />
      {positions.data && !rows.length && <p className="muted">No open positions.</p>}
      {rows.length > 0 && (
        <table className="positions">
          <thead><tr><th scope="col">Symbol</th><th scope="col" className="num">Size</th><th scope="col" className="num">Entry</th>
            <th scope="col" className="num">Mark</th><th scope="col" className="num">Unrealised PnL</th>
            <th scope="col" className="num">Leverage</th><th scope="col" className="num">Liquidation</th></tr></thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.symbol}><th scope="row">{p.symbol}</th><td className="num">{p.positionAmt}</td>
                <td className="num">{p.entryPrice}</td><td className="num">{p.markPrice}</td>
                <td className="num">{p.unRealizedProfit}</td><td className="num">{p.leverage}</td>
                <td className="num">{p.liquidationPrice}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
