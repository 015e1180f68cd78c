import type { PendingWriteView } from '../../../shared/types.js';
import { useSlice, useStores } from '../context.js';
import { ErrorBanner, useNow } from './ui.js';

/**
 * Changes waiting for the person, each as every channel shows it (statement, server, database, connection, who
 * it runs as, the preview, the expiry) with Approve and Decline. Shown on the "Waiting for you" page and, while
 * anything waits, at the top of every page, so the person sees it wherever they are.
 */
export function WaitingWrites({ compact = false }: { compact?: boolean }) {
  const stores = useStores();
  const { waiting, error } = useSlice(stores.writes, (s) => s);
  if (compact && waiting.length === 0) return null;
  return (
    <section
      className={compact ? 'panel waiting' : undefined}
      aria-label="Waiting for you"
      data-testid="waiting-writes"
    >
      {compact && <h3>Waiting for you</h3>}
      <ErrorBanner message={error} />
      {waiting.length === 0 ? (
        <p>Nothing waits for you. Changes an MCP client asks to make appear here for your approval.</p>
      ) : (
        waiting.map((w) => <WriteCard key={w.id} w={w} />)
      )}
    </section>
  );
}

function WriteCard({ w }: { w: PendingWriteView }) {
  const stores = useStores();
  const now = useNow();
  const left = Math.max(0, Math.round(w.expiresAt / 1000 - now));
  return (
    <article className="write-card" data-testid="write-card">
      <p>
        <strong>{w.client}</strong> asks to change data for <strong>{w.requestedBy}</strong>. Nothing has
        changed yet.
      </p>
      <pre className="statement">{w.statement}</pre>
      <dl>
        <dt>Server</dt>
        <dd>
          <code>{w.server}</code>
        </dd>
        <dt>Database</dt>
        <dd>
          <code>{w.database}</code>
        </dd>
        <dt>Connection</dt>
        <dd>
          <code>{w.connection}</code>
        </dd>
        <dt>Runs as</dt>
        <dd>{w.runsAs}</dd>
        <dt>Preview</dt>
        <dd>
          {w.rowsAffected} row{w.rowsAffected === 1 ? '' : 's'} affected (run and rolled back)
        </dd>
        <dt>Expires</dt>
        <dd>
          in {Math.floor(left / 60)} min {left % 60} s
        </dd>
      </dl>
      <div className="actions">
        <button type="button" onClick={() => void stores.writes.getState().decide(w.id, true)}>
          Approve
        </button>
        <button
          type="button"

          onClick={() => void stores.writes.getState().decide(w.id, false)}
        >
          Decline
        </button>
      </div>
    </article>
  );
}
