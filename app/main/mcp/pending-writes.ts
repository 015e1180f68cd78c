import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { ConfirmChannel, PendingWriteView, WriteReview } from '../../shared/types.js';
import type { Clock } from '../state/clock.js';
import type { PendingWriteRepository, PendingWriteRow } from '../state/repositories.js';
import { writeReviewSchema } from './write-review.js';
import type { AuditLog } from './audit.js';

/** What ties an approval to the one call it may commit: the same person, client, connection and statement. */
export interface WriteBinding {
  clientId: string;
  profile: string;
  database: string;
  statementHash: string;
  /** Rows affected per result of the preview (rolled back); the commit must match it. */
  effect: number[];
}

/** The stored JSON of a pending write, read back through a check (a row edited by hand is named). */
const storedSchema = z.object({
  review: writeReviewSchema.omit({ id: true, expiresAt: true }),
  binding: z.object({
    clientId: z.string(),
    profile: z.string(),
    database: z.string(),
    statementHash: z.string(),
    effect: z.array(z.number()),
  }),
});

export interface PendingWrite {
  view: PendingWriteView;
  subject: string;
  binding: WriteBinding;
  /** When the person decided (ms), if they did. */
  decidedAt?: number;
}

export type Decision = 'decided' | 'not_found' | 'not_yours' | 'expired' | 'already_decided';

/**
 * Writes previewed for a client that cannot ask the person itself (no elicitation: Claude.ai, ChatGPT, a client
 * that dropped its session): the preview waits here for a decision given elsewhere (the bridge's approval page,
 * the desktop app), then the client's next call commits it once. Nothing is held in SQL Server meanwhile; the
 * row is only what the person saw and what binds it. Decisions and commits are conditional updates, so two
 * approvals, or two calls racing to commit, change the data once, on any instance of a team.
 */
export class PendingWrites extends EventEmitter<{ change: [] }> {
  constructor(
    private readonly rows: PendingWriteRepository,
    private readonly clock: Clock,
    /** How long a preview waits for a decision, and an approval for the call that commits it. */
    readonly ttlMs: number,
  ) {
    super();
  }

  async create(
    review: Omit<WriteReview, 'id' | 'expiresAt'>,
    subject: string,
    binding: WriteBinding,
  ): Promise<WriteReview> {
    const id = crypto.randomUUID();
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    await this.rows.insert({ id, subject, createdAt: now, expiresAt, data: { review, binding } });
    this.emit('change');
    return { ...review, id, expiresAt };
  }

  async get(id: string): Promise<PendingWrite | undefined> {
    if (!z.uuid().safeParse(id).success) return undefined;
    const row = await this.rows.get(id);
    return row && this.read(row);
  }

  /** Writes waiting for a decision now, oldest first (the desktop app's "Waiting for you"). */
  async open(): Promise<PendingWriteView[]> {
    return (await this.rows.open(this.clock.now())).map((r) => this.read(r).view);
  }

  /** The person's decision, given only by the person who asked for the write (same subject), once, in time. */
  async decide(
    id: string,
    approve: boolean,
    by: { subject: string; label: string },
    via: ConfirmChannel,
  ): Promise<Decision> {
    const w = await this.get(id);
    if (!w) return 'not_found';
    if (w.subject !== by.subject) return 'not_yours';
    if (w.view.status === 'expired') return 'expired';
    if (w.view.status !== 'pending') return 'already_decided';
    const now = this.clock.now();
    if (!(await this.rows.decide(id, approve ? 'approved' : 'declined', by.label, via, now)))
      return 'already_decided';
    this.emit('change');
    return 'decided';
  }

  /** Takes an approved write for committing; false when another call took it first or it is not approved. */
  claim(id: string): Promise<boolean> {
    return this.rows.transition(id, 'approved', 'committing');
  }

  async finish(id: string, committed: boolean): Promise<void> {
    await this.rows.transition(id, 'committing', committed ? 'committed' : 'failed');
    this.emit('change');
  }

  /**
   * Writes nobody answered in time become `expired`, each once on whichever instance marks it, and are audited as
   * such, so the Inspector shows them (run by a timer; tests call it after moving the clock).
   */
  async expireDue(audit: Pick<AuditLog, 'record'>): Promise<number> {
    const rows = await this.rows.expireDue(this.clock.now());
    for (const row of rows) {
      const w = this.read(row);
      await audit.record({
        subject: w.subject,
        email: w.view.requestedBy.includes('@') ? w.view.requestedBy : undefined,
        clientId: w.binding.clientId,
        tool: 'execute_statement',
        profile: w.binding.profile,
        database: w.binding.database,
        statement: w.view.statement,
        durationMs: 0,
        outcome: 'expired',
        errorMessage: 'Nobody approved this change in time; nothing changed.',
      });
    }
    if (rows.length) this.emit('change');
    return rows.length;
  }

  /** Old rows go (a day past their expiry): what happened to each write is in the audit. */
  prune(): Promise<void> {
    return this.rows.prune(this.clock.now() - this.ttlMs - 86_400_000);
  }

  private read(row: PendingWriteRow): PendingWrite {
    const parsed = storedSchema.safeParse(row.data);
    if (!parsed.success)
      throw new Error(
        `The pending write ${row.id} in the state database is not valid (${parsed.error.issues[0]?.path.join('.')}); it cannot be approved.`,
      );
    const expired = row.status === 'pending' && row.expiresAt < this.clock.now();
    return {
      subject: row.subject,
      binding: parsed.data.binding,
      decidedAt: row.decidedAt,
      view: {
        ...parsed.data.review,
        id: row.id,
        expiresAt: row.expiresAt,
        status: expired ? 'expired' : row.status,
        source: 'approval',
        decidedBy: row.decidedBy,
        decidedVia: row.decidedVia as ConfirmChannel | undefined,
      },
    };
  }
}
