// Admins: every user, and what may be done to one: create with a role, change the role, set a new
// password, disable or enable, unlock the login, delete. The server keeps one enabled admin at least
// (409 last_admin), and says so in words shown here.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, done, ok, type Schemas } from '../../api/client';
import { useAuth } from '../../auth';
import { ROLES, type Role } from '../../roles';
import { ErrorMessage } from '../../components/ErrorMessage';

type User = Schemas['User'];
type Change = { role?: Role; password?: string; disabled?: boolean };

export function Users() {
  const users = useQuery({ queryKey: ['users'], queryFn: () => ok(api.GET('/api/auth/users')) });
  const list = users.data?.users ?? [];
  return (
    <>
      <h1>Users</h1>
      <CreateUser />
      <section aria-labelledby="users-title">
        <h2 id="users-title">Everyone</h2>
        <ErrorMessage error={users.error} />
        {list.length > 0 && (
          <table className="users">
            <thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">State</th>
              <th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
            <tbody>{list.map((user) => <UserRow key={user.id} user={user} />)}</tbody>
          </table>
        )}
      </section>
    </>
  );
}

function CreateUser() {
  const queries = useQueryClient();
  const [fields, setFields] = useState<{ username: string; password: string; role: Role }>(
    { username: '', password: '', role: 'viewer' });
  const create = useMutation({
    mutationFn: () => ok(api.POST('/api/auth/users', { body: fields })),
    onSuccess: () => {
      setFields({ username: '', password: '', role: fields.role });
      return queries.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="create-title">
      <h2 id="create-title">Create a user</h2>
      <form onSubmit={submit} className="create-user">
        <label>Username <input name="new-username" autoComplete="off" required value={fields.username}
          onChange={(e) => setFields({ ...fields, username: e.target.value })} /></label>
        <label>Password <input name="new-password" type="password" autoComplete="new-password" required
          value={fields.password} onChange={(e) => setFields({ ...fields, password: e.target.value })} /></label>
        <label>Role <select name="new-role" value={fields.role}
          onChange={(e) => setFields({ ...fields, role: e.target.value as Role })}>
          {ROLES.map((role) => <option key={role}>{role}</option>)}</select></label>
        <button type="submit" disabled={create.isPending}>Create user</button>
      </form>
      <ErrorMessage error={create.error} doing="Not created" />
      {create.data && <p className="good" role="status">Created {create.data.user.username}, a {create.data.user.role}.</p>}
    </section>
  );
}

function UserRow({ user }: { user: User }) {
  const { user: me } = useAuth();
  const queries = useQueryClient();
  const [mode, setMode] = useState<'idle' | 'password' | 'delete'>('idle');
  const [password, setPassword] = useState('');
  const [said, setSaid] = useState<string | null>(null);
  const path = { params: { path: { username: user.username } } };
  const settled = () => queries.invalidateQueries({ queryKey: ['users'] });
  const act = useMutation({
    mutationFn: async ({ run }: { run: () => Promise<unknown>; success: string }) => run(),
    onMutate: () => setSaid(null),
    onSuccess: (_answer, { success }) => {
      setSaid(success);
      setMode('idle');
      setPassword('');
    },
    onSettled: settled,
  });
  const change = (body: Change, success: string) =>
    act.mutate({ run: () => ok(api.PATCH('/api/auth/users/{username}', { ...path, body })), success });
  const unlock = () => act.mutate({ run: () => done(api.POST('/api/auth/users/{username}/unlock', path)),
    success: `${user.username}'s failed logins are forgotten: they may log in at once.` });
  const remove = () => act.mutate({ run: () => done(api.DELETE('/api/auth/users/{username}', path)),
    success: `${user.username} is deleted.` });
  const setNewPassword = (event: FormEvent) => {
    event.preventDefault();
    change({ password }, `${user.username} has a new password; their sessions are ended.`);
  };
  const name = user.username;
  return (
    <>
      <tr data-username={name}>
        <th scope="row">{name}{me?.id === user.id ? ' (you)' : ''}</th>
        <td><select aria-label={`Role of ${name}`} value={user.role} disabled={act.isPending}
          onChange={(e) => change({ role: e.target.value as Role }, `${name} is now a ${e.target.value}.`)}>
          {ROLES.map((role) => <option key={role}>{role}</option>)}</select></td>
        <td className={user.disabled ? 'bad' : ''}>{user.disabled ? 'disabled' : 'enabled'}</td>
        <td>{user.created_at}</td>
        <td className="actions">
          <button type="button" disabled={act.isPending} onClick={() => change({ disabled: !user.disabled },
            `${name} is ${user.disabled ? 'enabled' : 'disabled; their sessions are ended'}.`)}>
            {user.disabled ? 'Enable' : 'Disable'}</button>
          <button type="button" disabled={act.isPending} onClick={() => setMode('password')}>New password</button>
          <button type="button" disabled={act.isPending} onClick={unlock} aria-label={`Unlock ${name}`}>Unlock</button>
          <button type="button" disabled={act.isPending} onClick={() => setMode('delete')} aria-label={`Delete ${name}`}>Delete</button>
        </td>
      </tr>
      {mode === 'password' && (
        <tr className="row-form"><td colSpan={5}>
          <form onSubmit={setNewPassword}>
            <label>New password for {name} <input type="password" autoComplete="new-password" required value={password}
              onChange={(e) => setPassword(e.target.value)} /></label>
            <button type="submit" disabled={act.isPending}>Set the password</button>
            <button type="button" onClick={() => setMode('idle')}>Keep the old one</button>
          </form>
        </td></tr>
      )}
      {mode === 'delete' && (
        <tr className="row-form"><td colSpan={5}>
          <span>Delete {name} for good? Their sessions and order history go too (the audit log keeps their orders).</span>{' '}
          <button type="button" disabled={act.isPending} onClick={remove}>Delete {name} for good</button>
          <button type="button" onClick={() => setMode('idle')}>Keep {name}</button>
        </td></tr>
      )}
      {(act.error || said) && (
        <tr className="row-message"><td colSpan={5}>
          <ErrorMessage error={act.error} doing={`Nothing changed for ${name}`} />
          {said && <p className="good" role="status">{said}</p>}
        </td></tr>
      )}
    </>
  );
}
