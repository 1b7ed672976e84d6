// The symbol to trade, found in the exchange's own list (python_service's exchange-info: every listed
// spot symbol, Unicode ones too); it can be added to the watchlist. A symbol typed whole that the spot list
// lacks (a futures-only contract) can be chosen too: the server checks it when it is used.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { matchSymbols, normalSymbol, symbolProblem } from '../../symbols';

export const useSymbols = () => useQuery({
  queryKey: ['symbols'],
  queryFn: () => ok(api.GET('/api/binance/exchange-info')),
  staleTime: 5 * 60_000,
  select: (answer) => answer.symbols.filter((s) => s.status === 'TRADING').map((s) => s.symbol),
});

type Props = { chosen: string; onChoose: (symbol: string) => void; onWatch?: (symbol: string) => void };

export function SymbolSearch({ chosen, onChoose, onWatch }: Props) {
  const [text, setText] = useState('');
  const symbols = useSymbols();
  const problem = text ? symbolProblem(text) : null;
  const found = symbols.data && !problem ? matchSymbols(symbols.data, text) : [];
  const typed = normalSymbol(text);
  const choose = (symbol: string) => {
    onChoose(symbol);
    setText('');
  };
  return (
    <section aria-labelledby="search-title" className="symbol-search">
      <h2 id="search-title">Symbol</h2>
      <p>Trading <strong data-testid="chosen-symbol">{chosen}</strong>
        {onWatch && <> <button type="button" onClick={() => onWatch(chosen)}>Add {chosen} to the watchlist</button></>}</p>
      <label>Find a symbol <input name="symbol-search" type="search" value={text} maxLength={200} autoComplete="off"
        onChange={(e) => setText(e.target.value)} /></label>
      <ErrorMessage error={symbols.error} doing="The exchange's symbols could not be read" />
      {problem && <p className="error" role="alert">{problem}</p>}
      {symbols.data && !problem && text && !found.length && <p className="muted">No listed symbol contains “{text}”.</p>}
      {found.length > 0 && text && (
        <ul className="symbol-matches" aria-label="Matching symbols">
          {found.map((symbol) => <li key={symbol}><button type="button" onClick={() => choose(symbol)}>{symbol}</button></li>)}
        </ul>
      )}
      {symbols.data && text && !problem && !found.length && (
        <button type="button" onClick={() => choose(typed)}>Trade {typed} (not in the spot list: a futures contract?)</button>)}
    </section>
  );
}
