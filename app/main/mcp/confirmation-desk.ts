import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PendingWriteView, WriteReview } from '../../shared/types.js';

export type DeskAnswer = 'accept' | 'decline' | 'cancel';

interface Ask {
  view: PendingWriteView;
  answer: (a: DeskAnswer) => void;
}

/**
 * Confirmations the stdio connector asks the running app for, on behalf of a client without elicitation (Claude
 * Desktop): each waits here, in memory, until the person answers in the app (the "Waiting for you" panel, a
 * window brought to the front) or the ask times out or is withdrawn. The answer goes back to the connector, which
 * answers the bridge's elicitation with it; what commits is still the bridge's second round.
 */
export class ConfirmationDesk extends EventEmitter<{ change: []; asked: [PendingWriteView] }> {
  private readonly asks = new Map<string, Ask>();

  /** Waits for the person's answer; 'cancel' after `timeoutMs` or when `signal` aborts (the connector left). */
  ask(review: Omit<WriteReview, 'id'>, timeoutMs: number, signal?: AbortSignal): Promise<DeskAnswer> {
    const id = crypto.randomUUID();
    return new Promise<DeskAnswer>((resolve) => {
      const done = (a: DeskAnswer) => {
        if (!this.asks.delete(id)) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.emit('change');
        resolve(a);
      };
      const onAbort = () => done('cancel');
      const timer = setTimeout(() => done('cancel'), timeoutMs);
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      const view: PendingWriteView = { ...review, id, status: 'pending', source: 'connector' };
      this.asks.set(id, { view, answer: done });
      this.emit('change');
      this.emit('asked', view);
    });
  }

  list(): PendingWriteView[] {
    return [...this.asks.values()].map((a) => a.view);
  }

  has(id: string): boolean {
    return this.asks.has(id);
  }

  /** The person's answer; false when the ask is gone (answered, timed out or withdrawn). */
  answer(id: string, approve: boolean): boolean {
    const ask = this.asks.get(id);
    if (!ask) return false;
    ask.answer(approve ? 'accept' : 'decline');
    return true;
  }
}
