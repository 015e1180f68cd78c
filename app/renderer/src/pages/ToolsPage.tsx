import { useEffect, useState, type FormEvent } from 'react';
import type { ControlResults } from '../../../shared/control/contract.js';
import type { ConfiguredToolInput } from '../../../shared/config-schema.js';
import { PARAMETER_BINDINGS } from '../../../shared/parameter-bindings.js';
import {
  Badge,
  bindForm,
  ErrorBanner,
  escapeCloses,
  Field,
  FormActions,
  RemoveButton,
} from '../components/ui.js';
import { useSlice, useStores } from '../context.js';

type Tool = ControlResults['tools.list'][number];

/** Tools an administrator defines: a fixed statement with typed parameters, given to people by policy rules. */
export function ToolsPage() {
  const { tools, connections } = useStores();
  const { tools: list, error } = useSlice(tools, (s) => s);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    void tools.getState().load();
    void connections.getState().load();
  }, [tools, connections]);
  return (
    <section>
      <div className="heading">
        <h2>Configured tools</h2>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add tool
        </button>
      </div>
      <p className="muted">
        Each is an MCP tool with a fixed T-SQL statement; the model fills only its typed parameters, which are
        sent as parameters, never spliced into the text. A policy rule gives a tool with{' '}
        <code>tool:&lt;name&gt;</code> or <code>tag:&lt;tag&gt;</code> in its tools; a writing tool needs{' '}
        <code>write</code> as well, and the person confirms each change.
      </p>
      <ErrorBanner message={error} />
      {adding && <ToolForm onDone={() => setAdding(false)} />}
      {list.length === 0 && !adding && <p className="muted">No configured tools yet.</p>}
      {list.map((t) => (
        <ToolCard key={t.name} tool={t} />
      ))}
    </section>
  );
}

function ToolCard({ tool: t }: { tool: Tool }) {
  const { tools } = useStores();
  return (
    <div className="panel" data-testid={`tool-${t.name}`}>
      <div className="heading">
        <h3>
          {t.title} <code>{t.name}</code>
        </h3>
        <span>
          <Badge tone={t.mode === 'write' ? 'warn' : 'ok'}>{t.mode === 'write' ? 'writes' : 'reads'}</Badge>{' '}
          {t.fromConfig && <Badge tone="muted">config file</Badge>}
        </span>
      </div>
      <p>{t.description}</p>
      <p className="muted">
        Connection <strong>{t.connection}</strong>
        {t.database ? `, database ${t.database}` : ''}
        {t.tags.length ? ` · tags ${t.tags.join(', ')}` : ''}
      </p>
      <pre>{t.statement ?? `EXEC ${t.procedure}`}</pre>
      {t.parameters.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Parameter</th>
              <th>Type</th>
              <th>Value</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {t.parameters.map((p) => (
              <tr key={p.name}>
                <td>
                  <code>@{p.name}</code>
                </td>
                <td>
                  <code>{p.type}</code>
                </td>
                <td>
                  {p.bind
                    ? `the person's ${p.bind} (not the model's)`
                    : p.enum
                      ? `one of ${p.enum.join(', ')}`
                      : p.default !== undefined
                        ? `optional (default ${String(p.default)})`
                        : 'required'}
                </td>
                <td>{p.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!t.fromConfig && (
        <div className="actions">
          <RemoveButton what={`the tool ${t.name}`} onRemove={() => void tools.getState().remove(t.name)} />
        </div>
      )}
    </div>
  );
}

interface ParamRow {
  name: string;
  type: string;
  description: string;
  bind: string;
}

function ToolForm({ onDone }: { onDone: () => void }) {
  const { tools, connections } = useStores();
  const profiles = useSlice(connections, (s) => s.profiles);
  const fieldErrors = useSlice(tools, (s) => s.fieldErrors) ?? {};
  const [form, setForm] = useState({
    name: '',
    title: '',
    description: '',
    connection: profiles[0]?.id ?? '',
    database: '',
    mode: 'read',
    statement: '',
    tags: '',
  });
  const [params, setParams] = useState<ParamRow[]>([]);
  const f = bindForm(form, (patch) => setForm({ ...form, ...patch }), fieldErrors);
  const setParam = (i: number, patch: Partial<ParamRow>) =>
    setParams(params.map((p, k) => (k === i ? { ...p, ...patch } : p)));
  const paramInput = (
    i: number,
    key: 'name' | 'type' | 'description',
    label: string,
    input: { required?: boolean; placeholder?: string } = {},
  ) => (
    <Field label={label} name={`param-${key}-${i}`}>
      <input
        name={`param-${key}-${i}`}
        value={params[i]![key]}
        onChange={(e) => setParam(i, { [key]: e.target.value })}
        {...input}
      />
    </Field>
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const tool: ConfiguredToolInput = {
      name: form.name.trim(),
      title: form.title.trim(),
      description: form.description.trim(),
      connection: form.connection,
      ...(form.database.trim() ? { database: form.database.trim() } : {}),
      mode: form.mode as 'read' | 'write',
      statement: form.statement,
      tags: form.tags.split(/[,\s]+/).filter(Boolean),
      parameters: params.map((p) => ({
        name: p.name.trim().replace(/^@/, ''),
        type: p.type.trim(),
        description: p.description.trim(),
        ...(p.bind ? { bind: p.bind as (typeof PARAMETER_BINDINGS)[number] } : {}),
      })),
    };
    if (await tools.getState().save(tool)) onDone();
  };
  return (
    <form
      className="panel form"
      onSubmit={(e) => void submit(e)}
      data-testid="tool-form"
      {...escapeCloses(onDone)}
    >
      <h3>New configured tool</h3>
      <div className="row">
        {f.text('name', 'Name', { required: true, hint: 'What the model calls, e.g. customer_orders.' })}
        {f.text('title', 'Title', { required: true })}
      </div>
      <Field
        label="Description"
        hint="What the model reads: when to use it and what it returns."
        name="description"
      >
        <textarea
          name="description"
          required
          rows={2}
          value={form.description}
          onChange={(e) => setForm({ ...form, description: e.target.value })}
        />
      </Field>
      <div className="row">
        {f.select(
          'connection',
          'Connection',
          profiles.map((p) => [p.id, p.name ?? p.id]),
        )}
        {f.text('database', 'Database', { hint: "Empty: the connection's database." })}
        {f.select('mode', 'Reads or writes', [
          ['read', 'Reads (run and rolled back)'],
          ['write', 'Writes (the person confirms each change)'],
        ])}
      </div>
      <Field
        label="Statement"
        hint="One T-SQL statement; @name for each parameter. Checked by the same guard as run_query."
        error={fieldErrors.statement}
        name="statement"
      >
        <textarea
          name="statement"
          required
          rows={4}
          className="code"
          value={form.statement}
          onChange={(e) => setForm({ ...form, statement: e.target.value })}
        />
      </Field>
      <fieldset>
        <legend>Parameters</legend>
        {params.map((p, i) => (
          <div className="row" key={i} data-testid={`param-${i}`}>
            {paramInput(i, 'name', 'Name', { required: true })}
            {paramInput(i, 'type', 'Type', { required: true, placeholder: 'int, date, nvarchar(100)' })}
            {paramInput(i, 'description', 'Description')}
            <Field label="Value from" name={`param-bind-${i}`}>
              <select
                name={`param-bind-${i}`}
                value={p.bind}
                onChange={(e) => setParam(i, { bind: e.target.value })}
              >
                <option value="">the model (an argument)</option>
                {PARAMETER_BINDINGS.map((b) => (
                  <option key={b} value={b}>
                    the person's {b}
                  </option>
                ))}
              </select>
            </Field>
            <button type="button" onClick={() => setParams(params.filter((_, k) => k !== i))}>
              Remove parameter
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => setParams([...params, { name: '', type: '', description: '', bind: '' }])}
        >
          Add parameter
        </button>
      </fieldset>
      {f.text('tags', 'Tags', { hint: 'Comma-separated; a policy rule gives them with tag:<tag>.' })}
      <FormActions submit="Add tool" onCancel={onDone} />
    </form>
  );
}
