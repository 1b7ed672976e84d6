import { readable } from '../api/errors';

/** Any error, as a sentence a person can act on (after what was being done, if given), announced to
 * screen readers. */
export function ErrorMessage({ error, doing }: { error: unknown; doing?: string }) {
  if (!error) return null;
  return <p className="error" role="alert">{doing ? `${doing}: ` : ''}{readable(error)}</p>;
}
