import { ControlError } from '../../../shared/control/contract.js';
import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';

/** Everything waiting for the person: the connector's asks (live) and writes waiting at an approval link. */
export async function waitingWrites(deps: Pick<ControlDeps, 'desk' | 'pendingWrites'>) {
  return [...deps.desk.list(), ...(await deps.pendingWrites.open())];
}

/** The control API's "Waiting for you": list the writes and answer one. */
export function writesHandlers(
  deps: ControlDeps,
  _shared: HandlerShared,
): Pick<Handlers, 'writes.list' | 'writes.decide'> {
  return {
    'writes.list': async () => waitingWrites(deps),
    'writes.decide': async ({ id, approve }) => {
      // A connector's ask: the person at this computer answers it (the connector's token is their sign-in).
      if (deps.desk.answer(id, approve)) return { decided: true };
      const who = deps.broker.signedInAs();
      const pending = await deps.pendingWrites.get(id);
      if (!pending)
        throw new ControlError('This change is no longer waiting (answered, expired or gone).', 'not_found');
      if (!who)
        throw new ControlError(
          `Sign in on this computer as ${pending.view.requestedBy} to answer (tray: Sign in, or Clients: Sign in on this computer), or open the change's approval link.`,
          'failed',
        );
      const result = await deps.pendingWrites.decide(
        id,
        approve,
        { subject: who.subject, label: who.email ?? who.subject },
        'desktop app',
      );
      if (result === 'not_yours')
        throw new ControlError(
          `This change was asked for by ${pending.view.requestedBy}; this computer is signed in as ${who.email ?? who.subject}. Only they can approve it.`,
          'failed',
        );
      if (result !== 'decided')
        throw new ControlError(`This change is no longer waiting (${pending.view.status}).`, 'failed');
      return { decided: true };
    },
  };
}
