// The layout and the pages. Pages that need a login or a role are wrapped in RequireRole, and the
// header links only to what the user's role may see; express_api checks every request's role itself.
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { NavLink, Route, Routes, useNavigate } from 'react-router';
import { useAuth } from './auth';
import type { Role } from './roles';
import { StatusBanner } from './components/StatusBanner';
import { ErrorMessage } from './components/ErrorMessage';
import { RequireRole } from './components/RequireRole';
import { Prices } from './views/Prices';
import { Balance } from './views/Balance';
import { Portfolio } from './views/Portfolio';
import { ConnectionTest } from './views/ConnectionTest';
import { NetworkBadge } from './components/NetworkBadge';
import { TradeScreen } from './views/trade/TradeScreen';
import { Users } from './views/admin/Users';
import { RiskLimits } from './views/admin/Risk';
import { AuditLog } from './views/admin/Audit';

// The chart library is most of the bundle: it loads with the symbol page, not before the first prices.
const SymbolPage = lazy(() => import('./views/SymbolPage').then((module) => ({ default: module.SymbolPage })));

function Markets() {
  return (<><h1>Market overview</h1><Prices /><Balance /></>);
}

function Account() {
  const { user } = useAuth();
  return (
    <>
      <h1>Account</h1>
      <section aria-labelledby="me-title">
        <h2 id="me-title">You</h2>
        <dl><dt>Username</dt><dd>{user?.username}</dd><dt>Role</dt><dd data-testid="my-role">{user?.role}</dd></dl>
      </section>
      <ConnectionTest />
    </>
  );
}

function NotFound() {
  return <><h1>Not found</h1><p>There is no such page. <NavLink to="/">Back to the first page</NavLink>.</p></>;
}

const LINKS: { to: string; words: string; role?: Role; end?: boolean }[] = [
  { to: '/', words: 'Portfolio', role: 'viewer', end: true },
  { to: '/markets', words: 'Markets' },
  { to: '/symbol/BTCUSDT', words: 'Chart' },
  { to: '/trade', words: 'Trade', role: 'viewer' },
  { to: '/account', words: 'Account', role: 'viewer' },
  { to: '/admin/users', words: 'Users', role: 'admin' },
  { to: '/admin/risk', words: 'Risk limits', role: 'admin' },
  { to: '/admin/audit', words: 'Audit log', role: 'admin' },
];

function Header() {
  const { user, can, logout } = useAuth();
  const navigate = useNavigate();
  const [logoutError, setLogoutError] = useState<unknown>(null);
  // Out to the first page: the next person to log in here starts there, not on the last one's page.
  const leave = () => {
    setLogoutError(null);
    void navigate('/');
    logout().catch(setLogoutError);
  };
  return (
    <header>
      <a className="skip" href="#main">Skip to content</a>
      <span className="brand">Binance gateway</span>
      <nav aria-label="Main">
        {!user && <NavLink to="/" end>Log in</NavLink>}
        {LINKS.filter((link) => !link.role || can(link.role)).map((link) => (
          <NavLink key={link.to} to={link.to} end={link.end}>{link.words}</NavLink>))}
      </nav>
      {user && <NetworkBadge />}
      {user && <span className="who">Logged in as <strong data-testid="who">{user.username}</strong>{' '}
        <span className="role" data-testid="role">{user.role}</span>{' '}
        <button type="button" onClick={leave}>Log out</button></span>}
      {logoutError !== null && <ErrorMessage error={logoutError}
        doing="Logged out in this page, but the server could not be told: the login may still be open" />}
    </header>
  );
}

const page = (role: Role, element: ReactNode) => <RequireRole role={role}>{element}</RequireRole>;

export function App() {
  return (
    <>
      <Header />
      <StatusBanner />
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={page('viewer', <Portfolio />)} />
          <Route path="/markets" element={<Markets />} />
          <Route path="/symbol/:symbol" element={<Suspense fallback={<p>Loading the chart…</p>}><SymbolPage /></Suspense>} />
          <Route path="/trade" element={page('viewer', <TradeScreen />)} />
          <Route path="/account" element={page('viewer', <Account />)} />
          <Route path="/admin/users" element={page('admin', <Users />)} />
          <Route path="/admin/risk" element={page('admin', <RiskLimits />)} />
          <Route path="/admin/audit" element={page('admin', <AuditLog />)} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </>
  );
}
