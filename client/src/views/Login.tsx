// Log in. The token stays in the session's memory (api/session.ts). Registration is offered until the
// server says it is closed (REGISTRATION, closed by default): then an admin creates accounts.
import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { ApiError } from '../api/errors';
import { ErrorMessage } from '../components/ErrorMessage';

const NOTICES = {
  ended: 'Your session has ended: log in again.',
  unreachable: 'The server could not be asked whether you are still logged in: log in, or reload the page later.',
};

export function Login() {
  const { login, register, notice } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [registrationClosed, setRegistrationClosed] = useState(false);

  const submit = (action: typeof login) => async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action({ username, password });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'registration_closed') setRegistrationClosed(true);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="login-title" className="narrow">
      <h2 id="login-title">Log in</h2>
      {notice && <p className="warning" role="status">{NOTICES[notice]}</p>}
      <form onSubmit={submit(login)} className="login">
        <label>Username <input name="username" autoComplete="username" required value={username}
          onChange={(event) => setUsername(event.target.value)} /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" required
          value={password} onChange={(event) => setPassword(event.target.value)} /></label>
        <button type="submit" disabled={busy}>Log in</button>
        {!registrationClosed && <button type="button" disabled={busy || !username || !password}
          onClick={() => void submit(register)()}>Register as a viewer</button>}
      </form>
      <ErrorMessage error={error} />
      {registrationClosed && <p className="muted">An admin creates the accounts here: ask one for yours.</p>}
    </section>
  );
}
