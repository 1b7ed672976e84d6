// Binance's margin call (MARGIN_CALL on the futures user data stream): a position nears liquidation.
import { plain } from '../../format';
import type { MarginCall } from '../../liveAccount';

type Pushed = { symbol?: string; positionAmt?: string; markPrice?: string | null; unrealizedProfit?: string | null;
  maintenanceMargin?: string | null };

export function MarginCallAlert({ calls, onDismiss }: { calls: MarginCall[]; onDismiss: () => void }) {
  const last = calls[calls.length - 1];
  if (!last) return null;
  const positions = (last.positions ?? []) as Pushed[];
  return (
    <div className="margin-call" role="alert" data-testid="margin-call">
      <strong>Margin call</strong> at {new Date(last.time).toISOString()}: Binance warns that
      {positions.length ? '' : ' a position'} {positions.map((p) => `${p.symbol} (${plain(p.positionAmt)} at mark `
        + `${plain(p.markPrice)}, unrealized ${plain(p.unrealizedProfit)} USDT, maintenance margin `
        + `${plain(p.maintenanceMargin)} USDT)`).join('; ')} nears liquidation. Add margin or reduce the position.
      {' '}<button type="button" onClick={onDismiss}>Dismiss</button>
    </div>
  );
}
