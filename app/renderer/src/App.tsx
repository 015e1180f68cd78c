import { useEffect, useState } from 'react';
import { useSlice, useStores } from './context.js';
import { ClientsPage } from './pages/ClientsPage.js';
import { ConnectionsPage } from './pages/ConnectionsPage.js';
import { IdpPage } from './pages/IdpPage.js';
import { InspectorPage } from './pages/InspectorPage.js';
import { StatusPage } from './pages/StatusPage.js';

export type Page = 'status' | 'idp' | 'connections' | 'clients' | 'inspector';

const PAGES: Array<{ id: Page; label: string }> = [
  { id: 'status', label: 'Status' },
  { id: 'idp', label: 'Identity providers' },
  { id: 'connections', label: 'Connections' },
  { id: 'clients', label: 'Clients' },
  { id: 'inspector', label: 'Inspector' },
];

export function App() {
  const stores = useStores();
  const [page, setPage] = useState<Page>('status');
  const problems = useSlice(stores.status, (s) => s.status?.problems.length ?? 0);
  useEffect(() => void stores.status.getState().load(), [stores]);
  return (
    <div className="app">
      <nav>
        <div className="brand">MSSQL MCP Bridge</div>
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
          </button>
        ))}
      </nav>
      <main>
        {page === 'status' && <StatusPage go={setPage} />}
        {page === 'idp' && <IdpPage />}
        {page === 'connections' && <ConnectionsPage />}
        {page === 'clients' && <ClientsPage />}
        {page === 'inspector' && <InspectorPage />}
      </main>
    </div>
  );
}
