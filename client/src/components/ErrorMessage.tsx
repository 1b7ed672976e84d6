import { readable } from '../api/errors';

/** Any error, as a sentence a person can act on, announced to screen readers. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return <p className="error" role="alert">{readable(error)}</p>;
}
