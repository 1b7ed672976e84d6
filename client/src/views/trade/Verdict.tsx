// order/validate's answer: valid, or each filter the order breaks with the nearest valid value.
import type { Schemas } from '../../api/client';

export function Verdict({ verdict }: { verdict: Schemas['OrderCheck'] }) {
  if (verdict.valid) return <p className="good" role="status">Valid: the filters accept this order.</p>;
  return (
    <ul className="violations" role="alert">
      {verdict.violations.map((v) => <li key={v.filter + v.message}>{v.filter}: {v.message}
        {v.nearest_valid ? ` (nearest valid: ${v.nearest_valid})` : ''}</li>)}
    </ul>
  );
}
