import { useEffect, useRef, useState } from 'react';
import { useSlice, useStores } from './context.js';
import { ClientsPage } from './pages/ClientsPage.js';
import { ConnectionsPage } from './pages/ConnectionsPage.js';
import { IdpPage } from './pages/IdpPage.js';
import { InspectorPage } from './pages/InspectorPage.js';
import { PolicyPage } from './pages/PolicyPage.js';
import { StatusPage } from './pages/StatusPage.js';
import { ToolsPage } from './pages/ToolsPage.js';
import type { Page } from './page.js';
import { canSignOut, signOut } from './api.js';
import { WaitingSignIns } from './components/waiting-sign-ins.js';
import { WaitingWrites } from './components/waiting-writes.js';

const PAGES: Array<{ id: Page; label: string }> = [
  { id: 'status', label: 'Status' },
  { id: 'waiting', label: 'Waiting for you' },
  { id: 'idp', label: 'Identity providers' },
  { id: 'connections', label: 'Connections' },
  { id: 'tools', label: 'Tools' },
  { id: 'policy', label: 'Policy' },
  { id: 'clients', label: 'Clients' },
  { id: 'inspector', label: 'Inspector' },
];

/** Each page has a URL (`#/connections`): reload, back and forward work, and a link can name a page. */
const pageInUrl = (): Page => {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.id === id) ? (id as Page) : 'status';
};

export function App() {
  const stores = useStores();
  const [page, setPageState] = useState<Page>(pageInUrl);
  const setPage = (p: Page) => {
    if (p !== page) history.pushState(null, '', `#/${p}`);
    setPageState(p);
  };
  useEffect(() => {
    const follow = () => setPageState(pageInUrl());
    addEventListener('popstate', follow);
    return () => removeEventListener('popstate', follow);
  }, []);
  // After a switch, focus the page's heading: a screen reader announces the page, the keyboard starts there.
  const opened = useRef(false);
  useEffect(() => {
    if (!opened.current) return void (opened.current = true);
    const heading = document.querySelector<HTMLElement>('main h2');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus();
  }, [page]);
  const problems = useSlice(stores.status, (s) => s.status?.problems.length ?? 0);
  const waitingWrites = useSlice(stores.writes, (s) => s.waiting.length);
  const waitingSignIns = useSlice(stores.clients, (s) => s.broker?.pending.length ?? 0);
  const waiting = waitingWrites + waitingSignIns;
  useEffect(() => {
    void stores.status.getState().load();
    void stores.writes.getState().load();
    void stores.clients.getState().loadBroker();
  }, [stores]);
  return (
    <div className="app">
      {/* Hash URLs name pages here, so the skip link moves focus itself instead of changing the hash. */}
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to the page
      </a>
      <nav aria-label="Pages">
        <h1 className="brand">MSSQL MCP Bridge</h1>
        {PAGES.map((p) => (
          <button
            key={p.id}
            type="button"
            className={page === p.id ? 'active' : undefined}
            aria-current={page === p.id ? 'page' : undefined}
            onClick={() => setPage(p.id)}
          >
            {p.label}
            {p.id === 'status' && problems > 0 && <span className="count">{problems}</span>}
            {p.id === 'waiting' && waiting > 0 && (
              <span className="count" data-testid="waiting-count">
                {waiting}
              </span>
            )}
          </button>
        ))}
        {canSignOut() && (
          <button type="button" className="sign-out" onClick={signOut} data-testid="sign-out">
            Sign out
          </button>
        )}
      </nav>
      <main id="main" tabIndex={-1}>
        <WaitingSignIns />
        {page !== 'waiting' && <WaitingWrites compact />}
        {page === 'status' && <StatusPage go={setPage} />}
        {page === 'waiting' && (
          <section>
            <h2>Waiting for you</h2>
            <WaitingWrites />
          </section>
        )}
        {page === 'idp' && <IdpPage />}
        {page === 'connections' && <ConnectionsPage />}
        {page === 'tools' && <ToolsPage />}
        {page === 'policy' && <PolicyPage />}
        {page === 'clients' && <ClientsPage />}
        {page === 'inspector' && <InspectorPage />}
      </main>
    </div>
  );
}
