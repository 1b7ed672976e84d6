// The layout and the views: market overview, a symbol's page, the account and trading.
import { lazy, Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { useAuth } from './auth';
import { StatusBanner } from './components/StatusBanner';
import { Prices } from './views/Prices';
import { Balance } from './views/Balance';
import { Login } from './views/Login';
import { ConnectionTest } from './views/ConnectionTest';
import { OrderForm } from './views/OrderForm';
import { OpenOrders } from './views/OpenOrders';
import { OrderHistory } from './views/OrderHistory';
import { Positions } from './views/Positions';

// The chart library is most of the bundle: it loads with the symbol page, not before the first prices.
const SymbolPage = lazy(() => import('./views/SymbolPage').then((module) => ({ default: module.SymbolPage })));

function Overview() {
  return (<><h1>Market overview</h1><Prices /><Balance /></>);
}

function Account() {
  const { user } = useAuth();
  return (<><h1>Account</h1>{user ? <ConnectionTest /> : <Login />}</>);
}

function Trade() {
  const { user } = useAuth();
  if (!user) return (<><h1>Trade</h1><p>Log in to trade.</p><Login /></>);
  return (<><h1>Trade</h1><OrderForm /><OpenOrders /><OrderHistory /><Positions /></>);
}

function NotFound() {
  return <><h1>Not found</h1><p>There is no such page. <NavLink to="/">Back to the market overview</NavLink>.</p></>;
}

function Header() {
  const { user, logout } = useAuth();
  return (
    <header>
      <a className="skip" href="#main">Skip to content</a>
      <span className="brand">Binance gateway</span>
      <nav aria-label="Main">
        <NavLink to="/" end>Markets</NavLink>
        <NavLink to="/symbol/BTCUSDT">Chart</NavLink>
        <NavLink to="/trade">Trade</NavLink>
        <NavLink to="/account">Account</NavLink>
      </nav>
      {user && <span className="who">Logged in as <strong data-testid="who">{user.username}</strong>{' '}
        <button type="button" onClick={logout}>Log out</button></span>}
    </header>
  );
}

export function App() {
  return (
    <>
      <Header />
      <StatusBanner />
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Overview />} />
          <Route path="/symbol/:symbol" element={<Suspense fallback={<p>Loading the chart…</p>}><SymbolPage /></Suspense>} />
          <Route path="/account" element={<Account />} />
          <Route path="/trade" element={<Trade />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </>
  );
}
