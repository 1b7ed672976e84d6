// Log in or register; the token stays in memory (see auth.tsx).
import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { ErrorMessage } from '../components/ErrorMessage';

export function Login() {
  const { login, register, ended } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = (action: typeof login) => async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action({ username, password });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="login-title">
      <h2 id="login-title">Log in</h2>
      {ended && <p className="warning" role="status">Your session has ended: log in again.</p>}
      <form onSubmit={submit(login)} className="login">
        <label>Username <input name="username" autoComplete="username" required value={username}
          onChange={(event) => setUsername(event.target.value)} /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" required
          value={password} onChange={(event) => setPassword(event.target.value)} /></label>
        <button type="submit" disabled={busy}>Log in</button>
        <button type="button" disabled={busy} onClick={() => void submit(register)()}>Register</button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
