import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { callTool, textOf, useToolResult } from './use-tool';
import type { WriteReview as Review } from '../../shared/types';
import './styles.css';

const CARD_META = 'io.github.mssql-mcp-bridge/write-card';

interface WriteResult {
  database: string;
  rowsAffected: number;
  committed: boolean;
  pendingWriteId?: string;
  approvalUrl?: string;
}

/**
 * The write card, for hosts that render apps but cannot ask the person themselves (no elicitation): the same
 * review as every other channel, Approve / Decline through decide_write with the card's single-use approval,
 * then the commit through execute_statement with the pending write's id.
 */
function WriteView() {
  const { app, args, result, raw, error } = useToolResult<WriteResult>('write');
  const [state, setState] = useState<'open' | 'working' | 'committed' | 'declined'>('open');
  const [message, setMessage] = useState<string>();
  if (error) return <p className="view error">{error}</p>;
  if (!result) return <p className="view meta">Waiting for the preview…</p>;
  if (result.committed)
    return (
      <p className="view done">
        Committed: {result.rowsAffected} row{result.rowsAffected === 1 ? '' : 's'} affected in{' '}
        {result.database}.
      </p>
    );
  const card = raw?._meta?.[CARD_META] as { review: Review; approval: string } | undefined;
  if (!card || !result.pendingWriteId)
    return (
      <div className="view card">
        <p>{raw ? textOf(raw) : ''}</p>
        {result.approvalUrl && (
          <button onClick={() => void app?.openLink({ url: result.approvalUrl! })}>
            Open the approval page
          </button>
        )}
      </div>
    );
  const r = card.review;
  const decide = async (approve: boolean) => {
    if (!app) return;
    setState('working');
    setMessage(undefined);
    try {
      await callTool(app, 'decide_write', {
        connection: r.connection,
        database: r.database,
        approval: card.approval,
        approve,
      });
      if (!approve) {
        setState('declined');
        await app
          .updateModelContext({
            content: [{ type: 'text', text: `The person declined the change ${r.id}.` }],
          })
          .catch(() => undefined);
        return;
      }
      const done = await callTool<WriteResult>(app, 'execute_statement', {
        sql: args?.sql ?? r.statement,
        connection: r.connection,
        database: r.database,
        pending_write_id: r.id,
      });
      setState(done.committed ? 'committed' : 'open');
      setMessage(
        done.committed
          ? `Committed: ${done.rowsAffected} row${done.rowsAffected === 1 ? '' : 's'} affected.`
          : 'Approved, not committed yet.',
      );
      await app
        .updateModelContext({
          content: [
            {
              type: 'text',
              text: `The person approved the change ${r.id}; it was committed (${done.rowsAffected} rows).`,
            },
          ],
        })
        .catch(() => undefined);
    } catch (err) {
      setState('open');
      setMessage((err as Error).message);
    }
  };
  return (
    <div className="view card" role="dialog" aria-label="Change waiting for your approval">
      <strong>This change needs your approval</strong>
      <pre>{r.statement}</pre>
      <dl>
        <dt>Where</dt>
        <dd>
          {r.server}, database {r.database} (connection “{r.connection}”)
        </dd>
        <dt>Runs as</dt>
        <dd>{r.runsAs}</dd>
        <dt>Preview</dt>
        <dd data-testid="preview">
          {r.rowsAffected} row{r.rowsAffected === 1 ? '' : 's'} affected (run and rolled back; committed only
          if still the same)
        </dd>
        <dt>Asked by</dt>
        <dd>
          {r.requestedBy} through {r.client}
        </dd>
        <dt>Expires</dt>
        <dd>{new Date(r.expiresAt).toLocaleTimeString()}</dd>
      </dl>
      {state === 'committed' || state === 'declined' ? (
        <p className={state === 'committed' ? 'done' : 'meta'} data-testid="outcome">
          {state === 'committed' ? message : 'Declined: nothing changed.'}
        </p>
      ) : (
        <div className="bar">
          <button className="primary" disabled={state === 'working'} onClick={() => void decide(true)}>
            Approve and commit
          </button>
          <button disabled={state === 'working'} onClick={() => void decide(false)}>
            Decline
          </button>
          {message && (
            <span className="error" data-testid="outcome">
              {message}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WriteView />
  </StrictMode>,
);
