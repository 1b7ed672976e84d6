// Admins: the audit log, newest first, a page at a time: every placement, cancel, leverage and risk
// change (python_service), and every admin action (express_api), merged by time.
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../../api/client';
import { isoSeconds } from '../../format';
import { ErrorMessage } from '../../components/ErrorMessage';

const PAGE = 50;
type Entry = Schemas['AuditLogEntry'];

const refused = (entry: Entry) => entry.decision?.startsWith('refused') ?? false;

export function AuditLog() {
  // The cursors of the pages seen: the last is this page's (undefined: the newest).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const audit = useQuery({
    queryKey: ['audit', before ?? 'newest'],
    queryFn: () => ok(api.GET('/direct-api/binance/audit', { params: { query: { limit: PAGE, ...(before ? { before } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const data = audit.data;
  const older = data?.next_before ?? null;
  return (
    <>
      <h1>Audit log</h1>
      <ErrorMessage error={audit.error} />
      {data?.errors.python_service && <p className="warning">python_service's log could not be read
        ({data.errors.python_service.message}): only express_api's entries are shown.</p>}
      <nav className="pager" aria-label="Audit log pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!older || audit.isPlaceholderData}
          onClick={() => older && setCursors([...cursors, older])}>Older</button>
      </nav>
      {data && !data.entries.length && <p className="muted">Nothing recorded yet.</p>}
      {data && data.entries.length > 0 && (
        <table className="audit">
          <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th>
            <th scope="col">Market</th><th scope="col">Symbol</th><th scope="col">Decision</th><th scope="col">Outcome</th>
            <th scope="col">Detail</th></tr></thead>
          <tbody>
            {data.entries.map((entry) => (
              <tr key={`${entry.source}-${entry.id}`} data-action={entry.action}>
                <td>{isoSeconds(entry.at)}</td><td>{entry.actor}</td><td>{entry.action}</td>
                <td>{entry.market ?? ''}</td><td>{entry.symbol ?? ''}</td>
                <td className={refused(entry) ? 'bad' : ''}>{entry.decision ?? ''}</td><td>{entry.outcome ?? ''}</td>
                <td className="detail"><code>{JSON.stringify(entry.detail)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
