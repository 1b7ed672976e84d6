// The first page of a gateway without an admin: whoever can read express_api's log (where start-up
// wrote a one-time setup code) makes the first admin, and is logged in as them.
import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { ErrorMessage } from '../components/ErrorMessage';

export function Setup() {
  const { setUp } = useAuth();
  const [fields, setFields] = useState({ code: '', username: '', password: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const edit = (name: keyof typeof fields) => (event: { target: { value: string } }) =>
    setFields((old) => ({ ...old, [name]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await setUp(fields);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="setup-title" className="narrow">
      <h2 id="setup-title">Create the first admin</h2>
      <p>No admin exists yet. At start, express_api wrote a one-time setup code to its log (with <code>make
        run</code>, in its output): a line with <q>One-time setup code: XXXX-XXXX-XXXX</q>. It is valid once, for an
        hour; a restart writes a new one.</p>
      <form onSubmit={submit} className="setup">
        <label>Setup code <input name="code" autoComplete="one-time-code" required value={fields.code}
          onChange={edit('code')} /></label>
        <label>Admin username <input name="username" autoComplete="username" required value={fields.username}
          onChange={edit('username')} /></label>
        <label>Admin password <input name="password" type="password" autoComplete="new-password" required
          minLength={8} value={fields.password} onChange={edit('password')} /></label>
        <button type="submit" disabled={busy}>Create the admin</button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
