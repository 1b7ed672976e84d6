// The authenticated check of the connection to Binance, on demand.
import { useMutation } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';

export function ConnectionTest() {
  const test = useMutation({ mutationFn: () => ok(api.GET('/direct-api/binance/connection-test')) });
  const result = test.data;
  return (
    <section aria-labelledby="connection-title">
      <h2 id="connection-title">Connection to Binance</h2>
      <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>Test the connection</button>
      <ErrorMessage error={test.error} />
      {result && (
        <dl className="connection" data-ok={String(result.ok)}>
          <dt>Verdict</dt><dd className={result.ok ? 'good' : 'warning'}>{result.ok ? 'working' : 'not working'}</dd>
          <dt>Reachable</dt><dd>{result.reachable ? 'yes' : 'no'}</dd>
          <dt>Restricted (HTTP 451)</dt><dd>{result.restricted ? 'yes' : 'no'}</dd>
          <dt>Keys accepted</dt><dd>{result.authenticated ? 'yes' : 'no'}</dd>
          <dt>Latency</dt><dd>{result.latency_ms == null ? '—' : `${result.latency_ms} ms`}</dd>
          <dt>Permissions</dt><dd>{result.permissions?.join(', ') || '—'}</dd>
          {result.error && <><dt>Problem</dt><dd role="alert">{result.error}</dd></>}
        </dl>
      )}
    </section>
  );
}
