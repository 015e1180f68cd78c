import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { callTool, useToolResult } from './use-tool';
import './styles.css';

interface TableItem {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  rowEstimate: number | null;
  description?: string;
}
interface ForeignKey {
  name: string;
  from: string;
  to: string;
  columns: Array<{ from: string; to: string }>;
}
interface Described {
  database: string;
  schema: string;
  table: string;
  description?: string;
  columns: Array<{
    name: string;
    type: string;
    nullable: boolean;
    default: string | null;
    description?: string;
  }>;
  primaryKey: string[];
  foreignKeys: ForeignKey[];
  referencedBy: ForeignKey[];
  indexes: Array<{ name: string; unique: boolean; primaryKey: boolean; columns: string[] }>;
}
interface Match {
  database: string;
  schema: string;
  table: string;
  column?: string;
  kind: string;
  description?: string;
}
/** What list_databases, list_tables, describe_table or search_schema returned (structuredContent). */
type Opening = Partial<{
  databases: Array<{ name: string }>;
  database: string;
  tables: TableItem[];
  matches: Match[];
}> &
  Partial<Described>;

interface Nav {
  database?: string;
  tables?: TableItem[];
  detail?: Described;
}

/** Databases → tables → one table's columns, keys and relationships, browsed through the read tools. */
function SchemaView() {
  const { app, args, result, error } = useToolResult<Opening>('schema');
  const connection = typeof args?.connection === 'string' ? args.connection : undefined;
  const [databases, setDatabases] = useState<string[]>();
  // What the person browsed to; until they do, what the opening result showed.
  const [nav, setNav] = useState<Nav>();
  const [failure, setFailure] = useState<string>();
  const view: Nav = nav ?? {
    database: result?.database,
    tables: result?.tables,
    detail: result?.columns && result.table ? (result as Described) : undefined,
  };
  const listed = databases ?? result?.databases?.map((d) => d.name);

  useEffect(() => {
    if (!app || !result || result.databases) return;
    callTool<{ databases: Array<{ name: string }> }>(app, 'list_databases', { connection }).then(
      (r) => setDatabases(r.databases.map((d) => d.name)),
      (err: Error) => setFailure(err.message),
    );
  }, [app, result, connection]);

  if (error) return <p className="view error">{error}</p>;
  if (!result) return <p className="view meta">Waiting for the result…</p>;

  const run = <T,>(p: Promise<T>, then: (v: T) => void) =>
    void p.then(then, (err: Error) => setFailure(err.message));
  const openDatabase = (name: string) => {
    setNav({ database: name });
    run(callTool<{ tables: TableItem[] }>(app!, 'list_tables', { connection, database: name }), (r) =>
      setNav({ database: name, tables: r.tables }),
    );
  };
  const openTable = (db: string, qualified: string) =>
    run(
      callTool<Described>(app!, 'describe_table', { connection, database: db, table: qualified }),
      (detail) => setNav({ ...view, detail }),
    );

  return (
    <div className="view">
      {result.matches && (
        <Matches matches={result.matches} onOpen={(m) => openTable(m.database, `${m.schema}.${m.table}`)} />
      )}
      {failure && <p className="error">{failure}</p>}
      <div className="tree">
        <List
          label="Databases"
          items={(listed ?? []).map((d) => ({ key: d, text: d }))}
          current={view.database}
          onPick={openDatabase}
        />
        <List
          label="Tables"
          items={(view.tables ?? []).map((t) => ({
            key: `${t.schema}.${t.name}`,
            text: `${t.schema}.${t.name}${t.kind === 'view' ? ' (view)' : ''}`,
            title: t.description,
          }))}
          current={view.detail ? `${view.detail.schema}.${view.detail.table}` : undefined}
          onPick={(key) => openTable(view.database!, key)}
        />
        {view.detail ? (
          <Detail t={view.detail} onOpen={(q) => openTable(view.detail!.database, q)} />
        ) : (
          <p className="meta">Pick a table.</p>
        )}
      </div>
    </div>
  );
}

function List(p: {
  label: string;
  items: Array<{ key: string; text: string; title?: string }>;
  current?: string;
  onPick: (key: string) => void;
}) {
  return (
    <nav aria-label={p.label}>
      <div className="meta">{p.label}</div>
      <ul>
        {p.items.map((i) => (
          <li key={i.key}>
            <button aria-current={i.key === p.current} title={i.title} onClick={() => p.onPick(i.key)}>
              {i.text}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Matches(p: { matches: Match[]; onOpen: (m: Match) => void }) {
  return (
    <div className="bar" aria-label="Matches">
      {p.matches.map((m, k) => (
        <button key={k} title={m.description} onClick={() => p.onOpen(m)}>
          {m.database}.{m.schema}.{m.table}
          {m.column ? `.${m.column}` : ''}
        </button>
      ))}
    </div>
  );
}

function Detail(p: { t: Described; onOpen: (qualified: string) => void }) {
  const { t } = p;
  const fk = (list: ForeignKey[], side: 'to' | 'from', label: string) =>
    list.length > 0 && (
      <>
        <h4>{label}</h4>
        <ul>
          {list.map((k) => (
            <li key={k.name}>
              <button onClick={() => p.onOpen(k[side])}>{k[side]}</button>{' '}
              <span className="meta">({k.columns.map((c) => `${c.from} → ${c.to}`).join(', ')})</span>
            </li>
          ))}
        </ul>
      </>
    );
  return (
    <section className="detail" aria-label={`${t.schema}.${t.table}`}>
      <h3 style={{ margin: '0 0 4px' }}>
        {t.schema}.{t.table}
      </h3>
      {t.description && <p className="meta">{t.description}</p>}
      <table>
        <thead>
          <tr>
            <th>Column</th>
            <th>Type</th>
            <th>Null</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {t.columns.map((c) => (
            <tr key={c.name}>
              <td>
                {c.name}
                {t.primaryKey.includes(c.name) && <small className="meta"> PK</small>}
              </td>
              <td>
                <code>{c.type}</code>
              </td>
              <td>{c.nullable ? 'yes' : 'no'}</td>
              <td className="meta">{c.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {fk(t.foreignKeys, 'to', 'References')}
      {fk(t.referencedBy, 'from', 'Referenced by')}
      {t.indexes.length > 0 && (
        <p className="meta">
          Indexes:{' '}
          {t.indexes
            .map((i) => `${i.name} (${i.columns.join(', ')}${i.unique ? ', unique' : ''})`)
            .join('; ')}
        </p>
      )}
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SchemaView />
  </StrictMode>,
);
