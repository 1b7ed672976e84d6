// A contract's initial leverage, within the risk limits' highest leverage (a refusal names the limit).
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useRisk } from '../admin/Risk';

const BINANCE_MAX = 125;

export function Leverage({ symbol, current }: { symbol: string; current?: number | null }) {
  const queries = useQueryClient();
  const ceiling = useRisk().data?.in_force.max_leverage ?? BINANCE_MAX;
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: (leverage: number) => ok(api.POST('/direct-api/binance/futures/leverage', { body: { symbol, leverage } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['portfolio'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const leverage = Number(text.trim());
    if (!/^\d{1,3}$/.test(text.trim()) || leverage < 1 || leverage > ceiling) {
      setProblem(`The leverage is a whole number from 1 to ${ceiling}${ceiling < BINANCE_MAX ? ' (the risk limits\' highest)' : ''}.`);
      return;
    }
    setProblem(null);
    set.mutate(leverage);
  };
  return (
    <section aria-labelledby="leverage-title">
      <h2 id="leverage-title">Leverage on {symbol}</h2>
      <p className="muted">Now {current ? `${current}x` : 'not known (no position)'}; at most {ceiling}x.</p>
      <form onSubmit={submit} className="leverage">
        <label>Leverage <input name="leverage" inputMode="numeric" size={4} value={text} maxLength={10}
          onChange={(e) => setText(e.target.value)} /></label>
        <button type="submit" disabled={set.isPending}>Set the leverage</button>
      </form>
      {problem && <p className="error" role="alert">{problem}</p>}
      <ErrorMessage error={set.error} doing="Not set" />
      {set.data && <p className="good" role="status" data-testid="leverage-set">Leverage on {set.data.symbol} is now
        {' '}{set.data.leverage}x{set.data.maxNotionalValue ? ` (positions up to ${set.data.maxNotionalValue} USDT)` : ''}.</p>}
    </section>
  );
}
