import {
  acceptedContent,
  inputRequired,
  type InputRequiredResult,
  type McpServer,
} from '@modelcontextprotocol/server';
import crypto from 'node:crypto';
import type sql from 'mssql';
import type { ConfirmChannel, WriteReview } from '../../shared/types.js';
import { ConfirmationCodec, type WriteConfirmation } from './confirmations.js';
import { CONFIRMED_VIA_META, WRITE_CARD_META, WRITE_REVIEW_META } from './write-review.js';
import {
  runsAsText,
  ToolRefusal,
  type Call,
  type CallRequest,
  type ToolOutput,
  type WriteDeps,
} from './tool-call.js';
import type { ToolContext } from './tools.js';

interface WriteCall {
  server: McpServer;
  /** The confirmation codec, the writes awaiting approval and client names, as the tools get them. */
  d: WriteDeps;
  ctx: ToolContext;
  call: Call;
  req: CallRequest;
  sql: string;
  /** The id of a write previewed earlier and approved outside the client (the second call of channel 3). */
  pendingWriteId?: string;
  /** performance.now() when the call began (the result's elapsedMs). */
  startedAt?: number;
  /** The tool the person's client calls again (execute_statement, or a configured write tool). */
  tool?: string;
  /** A configured tool's typed parameters: part of what the person approves, sent as parameters, never spliced. */
  params?: Record<string, { type: sql.ISqlType | (() => sql.ISqlType); value: unknown }>;
}

const CONFIRM_KEY = 'confirm';
const confirmSchema = {
  type: 'object' as const,
  properties: {
    [CONFIRM_KEY]: {
      type: 'boolean' as const,
      title: 'Commit this change',
      description: 'Run the statement again and commit it, if its effect is still the one shown.',
      default: false,
    },
  },
  required: [CONFIRM_KEY],
};

/**
 * execute_statement with the person's confirmation. Round 1 runs the statement in a transaction that is always
 * rolled back, to learn its effect, then asks the person through the first channel that reaches them:
 * 1. the client's own form elicitation (an input_required result on 2026-07-28; the SDK turns it into
 *    elicitation/create for 2025-era sessions) — also what the stdio connector declares when it can serve it
 *    through the desktop app or its own page;
 * 2. otherwise a pending write with an approval link (the bridge's page, signed in as the same person, or the
 *    desktop app); the client calls again with its id once the person approved.
 * Round 2 commits only in a transaction that affects the same rows as the preview. No lock is held while the
 * person decides; decline, cancel, expiry and replay change nothing, and a write commits at most once.
 */
export async function confirmedWrite(call: WriteCall): Promise<ToolOutput | InputRequiredResult> {
  const w = { ...call, tool: call.tool ?? 'execute_statement', startedAt: performance.now() };
  if (!w.call.profile.confirm_writes) {
    const effect = await rowsOf(w, 'commit');
    return done(
      w,
      effect,
      true,
      `Committed: ${rowsText(effect)} (confirm_writes is off for this connection).`,
    );
  }
  const confirmation = w.req.ctx.mcpReq.requestState<WriteConfirmation>();
  if (confirmation?.purpose === 'card')
    throw new ToolRefusal(
      "A write card's approval is spent by the card itself, not by this call; nothing was run.",
    );
  if (confirmation?.pendingWriteId) {
    if (!sameCall(w, confirmation, confirmation.subject))
      throw new ToolRefusal(
        'This approval was given for another statement, connection or user; nothing was run.',
      );
    return afterApproval(w, confirmation.pendingWriteId);
  }
  if (confirmation) return afterElicitation(w, confirmation);
  if (w.pendingWriteId) return afterApproval(w, w.pendingWriteId);
  const mode = elicitationMode(w);
  if (mode === 'form') return askByElicitation(w);
  if (mode === 'url') return askByUrlElicitation(w);
  return askByApprovalLink(w);
}

/** What the client can show: a form (declared, or elicitation without modes), only a URL, or nothing. */
function elicitationMode(w: WriteCall): 'form' | 'url' | undefined {
  const elicitation = w.server.server.getClientCapabilities()?.elicitation;
  if (!elicitation) return undefined;
  if (Object.keys(elicitation).length === 0 || elicitation.form) return 'form';
  return elicitation.url ? 'url' : undefined;
}

function rowsOf(w: WriteCall, end: 'rollback' | 'commit', check?: (effect: number[]) => void) {
  return w.req.session(end, async (r) => {
    const request = r();
    for (const [name, p] of Object.entries(w.params ?? {})) request.input(name, p.type, p.value);
    const effect = (await request.query(w.sql)).rowsAffected;
    check?.(effect);
    return effect;
  });
}

function done(
  w: WriteCall,
  effect: number[],
  committed: boolean,
  text: string,
  more: Partial<ToolOutput> & { pending?: Record<string, unknown> } = {},
): ToolOutput {
  const { pending, ...rest } = more;
  const structured = {
    database: w.call.database,
    rowsAffected: sum(effect),
    elapsedMs: Math.round(performance.now() - (w.startedAt ?? performance.now())),
    committed,
    ...pending,
  };
  return { structured, text, rows: sum(effect), statement: statementText(w), ...rest };
}

async function reviewOf(w: WriteCall, effect: number[]): Promise<Omit<WriteReview, 'id' | 'expiresAt'>> {
  const p = w.call.profile;
  const identity = w.ctx.caller.identity;
  const name = await w.d.clientName(w.ctx.clientId).catch(() => undefined);
  return {
    statement: statementText(w),
    server: `${p.host}:${p.port}`,
    database: w.call.database,
    connection: p.id,
    runsAs: runsAsText(p, w.call.access.dbUser ?? identity.dbUser),
    rowsAffected: sum(effect),
    requestedBy: identity.email ?? identity.subject,
    client: name && name !== w.ctx.clientId ? `${name} (${w.ctx.clientId})` : w.ctx.clientId,
  };
}

function bindingOf(w: WriteCall, effect: number[]) {
  return {
    clientId: w.ctx.clientId,
    profile: w.call.profile.id,
    database: w.call.database,
    statementHash: ConfirmationCodec.statementHash(statementText(w)),
    effect,
  };
}

/** The binding of a confirmation must be this call's: same person, client, connection, database and statement. */
function sameCall(w: WriteCall, b: ReturnType<typeof bindingOf>, subject: string): boolean {
  return (
    subject === w.ctx.caller.identity.subject &&
    b.clientId === w.ctx.clientId &&
    b.profile === w.call.profile.id &&
    b.database === w.call.database &&
    b.statementHash === ConfirmationCodec.statementHash(statementText(w))
  );
}

/** Commits in a transaction that rolls back unless the statement affects what the preview showed. */
function commitAsPreviewed(w: WriteCall, previewed: number[]) {
  return rowsOf(w, 'commit', (now) => {
    if (now.length !== previewed.length || now.some((n, i) => n !== previewed[i]))
      throw new ToolRefusal(
        `The data changed since the preview: the statement now affects ${rows(now)} instead of ${sum(previewed)}. ` +
          `It was rolled back and nothing changed; call ${w.tool} again to preview it anew.`,
      );
  });
}

async function askByElicitation(w: WriteCall): Promise<InputRequiredResult> {
  const identity = w.ctx.caller.identity;
  const effect = await rowsOf(w, 'rollback');
  const requestState = await w.d.confirmations.mint({ subject: identity.subject, ...bindingOf(w, effect) });
  const review: WriteReview = {
    ...(await reviewOf(w, effect)),
    id: crypto.randomUUID(),
    expiresAt: Date.now() + w.d.pendingWrites.ttlMs,
  };
  return inputRequired({
    inputRequests: {
      [CONFIRM_KEY]: inputRequired.elicit({
        mode: 'form',
        message: confirmMessage(review),
        requestedSchema: confirmSchema,
        _meta: { [WRITE_REVIEW_META]: review },
      }),
    },
    requestState,
  });
}

async function afterElicitation(w: WriteCall, confirmation: WriteConfirmation): Promise<ToolOutput> {
  if (!sameCall(w, confirmation, confirmation.subject))
    throw new ToolRefusal(
      `This confirmation was given for another statement, connection or user; nothing was run. Call ${w.tool} again.`,
    );
  const response = w.req.ctx.mcpReq.inputResponses?.[CONFIRM_KEY] as
    { _meta?: Record<string, unknown> } | undefined;
  const reported = response?._meta?.[CONFIRMED_VIA_META];
  const via: ConfirmChannel =
    reported === 'desktop app' || reported === 'connector page' ? reported : 'elicitation';
  const by = w.ctx.caller.identity.email ?? w.ctx.caller.identity.subject;
  const answer = acceptedContent(w.req.ctx.mcpReq.inputResponses, CONFIRM_KEY);
  if (answer?.[CONFIRM_KEY] !== true)
    return done(
      w,
      [],
      false,
      'Not run: the change was not confirmed (declined or cancelled). Nothing changed.',
      {
        outcome: 'declined',
        confirmedBy: by,
        confirmedVia: via,
      },
    );
  if (!(await w.d.confirmations.consume(confirmation)))
    throw new ToolRefusal(
      `This confirmation was already used; nothing was run again. Call ${w.tool} again for another change.`,
    );
  const effect = await commitAsPreviewed(w, confirmation.effect);
  return done(w, effect, true, `Committed after confirmation: ${rowsText(effect)}.`, {
    confirmedBy: by,
    confirmedVia: via,
  });
}

/**
 * A client that can open a URL but show no form (MCP 2025-11-25 URL-mode elicitation): it opens the approval page
 * for the person; when it retries, the decision recorded there is read (and, if approved, committed once).
 */
async function askByUrlElicitation(w: WriteCall): Promise<InputRequiredResult> {
  const { effect, review } = await previewAsPending(w);
  return inputRequired({
    inputRequests: {
      [CONFIRM_KEY]: inputRequired.elicitUrl({
        message: `Review and approve this change (${rowsText(effect)} in the preview) on MSSQL MCP Bridge, signed in as yourself.`,
        url: approvalUrl(w, review.id),
      }),
    },
    requestState: await w.d.confirmations.mint({
      subject: w.ctx.caller.identity.subject,
      ...bindingOf(w, effect),
      pendingWriteId: review.id,
    }),
  });
}

/** The preview, run and rolled back, stored as a write waiting for the person's decision at its approval page. */
async function previewAsPending(w: WriteCall): Promise<{ effect: number[]; review: WriteReview }> {
  const effect = await rowsOf(w, 'rollback');
  const review = await w.d.pendingWrites.create(
    await reviewOf(w, effect),
    w.ctx.caller.identity.subject,
    bindingOf(w, effect),
  );
  return { effect, review };
}

/** Channel 3: the client cannot show a form, so the person approves on the bridge's page (or in the app). */
async function askByApprovalLink(w: WriteCall): Promise<ToolOutput> {
  const { effect, review } = await previewAsPending(w);
  const url = approvalUrl(w, review.id);
  const minutes = Math.round(w.d.pendingWrites.ttlMs / 60_000);
  // A host that renders MCP Apps shows the write card: the review, and an approval only the card can spend.
  const card =
    w.ctx.ui && w.tool === 'execute_statement'
      ? {
          [WRITE_CARD_META]: {
            review,
            approval: await w.d.confirmations.mint({
              subject: w.ctx.caller.identity.subject,
              ...bindingOf(w, effect),
              pendingWriteId: review.id,
              purpose: 'card',
            }),
          },
        }
      : undefined;
  return done(
    w,
    effect,
    false,
    [
      `Not committed yet: this change needs the person's approval, and this MCP client cannot ask for it. Preview (run and rolled back): ${rowsText(effect)}.`,
      `${card ? 'The person can approve it on the card shown with this answer, or ' : 'Ask the person to '}open ${url} (signed in as themselves), review and approve it within ${minutes} minutes; it is also in the MSSQL MCP Bridge app under "Waiting for you".`,
      `Once they have approved, call ${w.tool} again with the same ${w.params ? 'arguments' : 'sql, connection and database'} and pending_write_id "${review.id}": it commits then, only if it still affects the same rows.`,
    ].join('\n'),
    {
      outcome: 'pending',
      pending: {
        pendingWriteId: review.id,
        approvalUrl: url,
        expiresAt: new Date(review.expiresAt).toISOString(),
      },
      ...(card ? { meta: card } : {}),
    },
  );
}

/**
 * The write card's answer (`decide_write`, called by the view through its host): spends the card's approval once,
 * for the person it was minted for, and records the decision as the approval page would. Committing is the next
 * execute_statement call with the pending write's id, as in every other channel.
 */
export async function decideOnCard(
  d: Pick<WriteDeps, 'confirmations' | 'pendingWrites'>,
  ctx: ToolContext,
  call: Call,
  reqCtx: CallRequest['ctx'],
  approval: string,
  approve: boolean,
): Promise<ToolOutput> {
  const c = await d.confirmations.verify(approval, reqCtx).catch(() => undefined);
  if (!c || c.purpose !== 'card' || !c.pendingWriteId)
    throw new ToolRefusal(
      "This is not a write card's approval (or it expired); nothing was decided. Only the card shown with a pending write can decide it.",
    );
  if (
    c.subject !== ctx.caller.identity.subject ||
    c.clientId !== ctx.clientId ||
    c.profile !== call.profile.id ||
    c.database !== call.database
  )
    throw new ToolRefusal(
      'This approval was given to another user, client, connection or database; nothing was decided.',
    );
  if (!(await d.confirmations.consume(c)))
    throw new ToolRefusal('This approval was already used; nothing was decided again.');
  const by = ctx.caller.identity.email ?? ctx.caller.identity.subject;
  const result = await d.pendingWrites.decide(
    c.pendingWriteId,
    approve,
    { subject: ctx.caller.identity.subject, label: by },
    'app card',
  );
  if (result !== 'decided')
    throw new ToolRefusal(
      result === 'expired'
        ? 'This change was not decided in time and expired; nothing changed. Call execute_statement again to preview it anew.'
        : result === 'already_decided'
          ? 'This change was already decided elsewhere (the approval page or the app); nothing was changed here.'
          : 'No such pending write for you; nothing was decided.',
    );
  return {
    structured: { pendingWriteId: c.pendingWriteId, status: approve ? 'approved' : 'declined' },
    text: approve
      ? `Approved. Call execute_statement with pending_write_id "${c.pendingWriteId}" to commit it.`
      : 'Declined: the change will not be made.',
    outcome: approve ? 'ok' : 'declined',
    confirmedBy: by,
    confirmedVia: 'app card',
  };
}

async function afterApproval(w: WriteCall, id: string): Promise<ToolOutput> {
  const pending = await w.d.pendingWrites.get(id);
  if (!pending || !sameCall(w, pending.binding, pending.subject))
    throw new ToolRefusal(
      `No write "${id}" waits for this statement, connection and user; nothing was run. Call ${w.tool} without pending_write_id to preview it anew.`,
    );
  const by = { confirmedBy: pending.view.decidedBy, confirmedVia: pending.view.decidedVia };
  switch (pending.view.status) {
    case 'pending':
      return done(
        w,
        [],
        false,
        `Not committed: the person has not approved this change yet. Ask them to open ${approvalUrl(w, id)}; call again with pending_write_id "${id}" once they have.`,
        { outcome: 'pending', pending: { pendingWriteId: id, approvalUrl: approvalUrl(w, id) } },
      );
    case 'declined':
      return done(w, [], false, 'Not run: the person declined this change. Nothing changed.', {
        outcome: 'declined',
        ...by,
      });
    case 'expired':
      throw new ToolRefusal(
        `This change was not approved in time and expired; nothing changed. Call ${w.tool} again to preview it anew.`,
      );
    case 'approved':
      break;
    default:
      throw new ToolRefusal(
        `This change was already ${pending.view.status === 'failed' ? 'tried and rolled back' : 'committed'}; nothing was run again. Call ${w.tool} again for another change.`,
      );
  }
  if ((pending.decidedAt ?? 0) + w.d.pendingWrites.ttlMs < Date.now())
    throw new ToolRefusal(
      `This approval is too old to commit (it waited longer than the confirmation time); nothing changed. Call ${w.tool} again to preview it anew.`,
    );
  if (!(await w.d.pendingWrites.claim(id)))
    throw new ToolRefusal('This change is being committed, or was, by another call; nothing was run again.');
  try {
    const effect = await commitAsPreviewed(w, pending.binding.effect);
    await w.d.pendingWrites.finish(id, true);
    return done(w, effect, true, `Committed after approval: ${rowsText(effect)}.`, by);
  } catch (err) {
    await w.d.pendingWrites.finish(id, false);
    throw err;
  }
}

function approvalUrl(w: WriteCall, id: string): string {
  return new URL(`/writes/${id}`, w.ctx.resource ?? 'http://127.0.0.1/').href;
}

function confirmMessage(r: WriteReview): string {
  return [
    `Commit this change on ${r.server}, database ${r.database} (connection "${r.connection}"), as ${r.runsAs}?`,
    '',
    r.statement.length > 2000 ? `${r.statement.slice(0, 2000)}…[${r.statement.length} chars]` : r.statement,
    '',
    `Preview (run and rolled back just now): ${r.rowsAffected} row${r.rowsAffected === 1 ? '' : 's'} affected.`,
    'It is committed only if it still affects the same rows.',
  ].join('\n');
}

/** The statement as the person reviews it and as its confirmation is bound: with a configured tool's values. */
const statementText = (w: WriteCall) => statementWithValues(w.sql, w.params);

/** A statement with the values of its parameters on a comment line: what the audit and the person read. */
export function statementWithValues(sqlText: string, params?: Record<string, { value: unknown }>): string {
  const values = Object.entries(params ?? {}).map(([k, p]) => `@${k} = ${JSON.stringify(p.value)}`);
  return values.length ? `${sqlText}\n-- ${values.join(', ')}` : sqlText;
}

const sum = (effect: number[]) => effect.reduce((a, b) => a + b, 0);
const rows = (effect: number[]) => `${sum(effect)} row${sum(effect) === 1 ? '' : 's'}`;
const rowsText = (effect: number[]) => `${rows(effect)} affected`;
