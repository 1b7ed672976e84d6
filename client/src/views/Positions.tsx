// USDT-M futures positions, as the portfolio answers them (python_service's names: unrealizedProfit,
// not Binance's unRealizedProfit).
import type { Schemas } from '../api/client';
import { plain } from '../format';

export type Position = Schemas['FuturesPosition'];

const sign = (value: string | null | undefined) => (value?.startsWith('-') ? 'bad' : Number(value) > 0 ? 'good' : '');

type Props = { positions: Position[]; onClose?: (symbol: string) => void; closing?: boolean };

/** The positions; with `onClose`, each row has a button closing it (for traders). */
export function Positions({ positions, onClose, closing = false }: Props) {
  return (
    <section aria-labelledby="positions-title">
      <h2 id="positions-title">Futures positions</h2>
      {!positions.length && <p className="muted">No open positions.</p>}
      {positions.length > 0 && (
        <table className="positions">
          <thead><tr><th scope="col">Symbol</th><th scope="col">Side</th><th scope="col" className="num">Size</th>
            <th scope="col" className="num">Entry</th><th scope="col" className="num">Mark</th>
            <th scope="col" className="num">Unrealized profit (USDT)</th><th scope="col" className="num">Liquidation</th>
            <th scope="col" className="num">Leverage</th><th scope="col" className="num">Notional (USDT)</th>
            {onClose && <th scope="col"><span className="visually-hidden">Action</span></th>}</tr></thead>
          <tbody>
            {positions.map((p) => (
              <tr key={`${p.symbol}-${p.side ?? ''}`} data-symbol={p.symbol}>
                <th scope="row">{p.symbol}</th>
                <td className="side">{p.side ?? (p.positionAmt.startsWith('-') ? 'SHORT' : 'LONG')}</td>
                <td className="num size">{plain(p.size ?? p.positionAmt.replace(/^-/, ''))}</td>
                <td className="num entry">{plain(p.entryPrice)}</td>
                <td className="num mark">{plain(p.markPrice)}</td>
                <td className={`num pnl ${sign(p.unrealizedProfit)}`}>{plain(p.unrealizedProfit)}</td>
                <td className="num liquidation">{plain(p.liquidationPrice)}</td>
                <td className="num leverage">{p.leverage == null ? '—' : `${p.leverage}x`}</td>
                <td className="num notional">{plain(p.notional)}</td>
                {onClose && <td><button type="button" disabled={closing} onClick={() => onClose(p.symbol)}
                  aria-label={`Close the ${p.symbol} position`}>Close</button></td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
