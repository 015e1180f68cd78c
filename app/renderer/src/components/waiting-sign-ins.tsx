import { useSlice, useStores } from '../context.js';

/**
 * Connectors asking to use the sign-in of this computer (a Claude Desktop connector waits on the answer). Shown
 * at the top of every page and on "Waiting for you", counted in its badge: on the Clients page alone nobody saw
 * it, and Claude just waited.
 */
export function WaitingSignIns() {
  const { clients } = useStores();
  // The slice itself (a new [] on every read would re-render without end).
  const pending = useSlice(clients, (s) => s.broker?.pending);
  if (!pending?.length) return null;
  return (
    <section className="panel waiting" aria-label="Sign-ins waiting for you" data-testid="waiting-sign-ins">
      {pending.map((p) => (
        <div className="banner warn" role="alert" key={p.id} data-testid="broker-request">
          <strong>{p.label}</strong> asks to use your sign-in on this computer (as client{' '}
          <code>{p.clientId}</code>); it waits for your answer.{' '}
          <button
            type="button"
            className="primary"
            onClick={() => void clients.getState().decide(p.id, true)}
          >
            Allow
          </button>{' '}
          <button type="button" onClick={() => void clients.getState().decide(p.id, false)}>
            Refuse
          </button>
        </div>
      ))}
    </section>
  );
}
