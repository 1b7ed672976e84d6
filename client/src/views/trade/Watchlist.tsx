// The user's watchlist, kept by express_api (GET, PUT /direct-api/watchlist): a symbol chosen from it is
// traded; symbols are added from the search and removed here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';

const KEY = ['watchlist'];

export function useWatchlist() {
  const queries = useQueryClient();
  const list = useQuery({ queryKey: KEY, queryFn: () => ok(api.GET('/direct-api/watchlist')) });
  const save = useMutation({
    mutationFn: (symbols: string[]) => ok(api.PUT('/direct-api/watchlist', { body: { symbols } })),
    onSuccess: (answer) => queries.setQueryData(KEY, answer),
  });
  const symbols = list.data?.symbols ?? [];
  return {
    list, save, symbols,
    add: (symbol: string) => { if (!symbols.includes(symbol)) save.mutate([...symbols, symbol]); },
    remove: (symbol: string) => save.mutate(symbols.filter((s) => s !== symbol)),
  };
}

type Props = { watchlist: ReturnType<typeof useWatchlist>; chosen: string; onChoose: (symbol: string) => void };

export function Watchlist({ watchlist, chosen, onChoose }: Props) {
  const { list, save, symbols, remove } = watchlist;
  return (
    <section aria-labelledby="watchlist-title">
      <h2 id="watchlist-title">Watchlist</h2>
      <ErrorMessage error={list.error ?? save.error} doing={save.error ? 'The watchlist was not saved' : undefined} />
      {list.data && !symbols.length && <p className="muted">Empty: add symbols from the search.</p>}
      <ul className="watchlist">
        {symbols.map((symbol) => (
          <li key={symbol} data-symbol={symbol} className={symbol === chosen ? 'chosen' : undefined}>
            <button type="button" aria-pressed={symbol === chosen} onClick={() => onChoose(symbol)}>{symbol}</button>
            <button type="button" className="remove" disabled={save.isPending} onClick={() => remove(symbol)}
              aria-label={`Remove ${symbol} from the watchlist`}>×</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
