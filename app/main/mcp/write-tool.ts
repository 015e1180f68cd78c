import {
  acceptedContent,
  inputRequired,
  type InputRequiredResult,
  type McpServer,
} from '@modelcontextprotocol/server';
import { ConfirmationCodec, type WriteConfirmation } from './confirmations.js';
import { ToolRefusal, type Call, type CallRequest, type ToolOutput } from './tool-call.js';
import type { ToolContext } from './tools.js';

interface WriteCall {
  server: McpServer;
  codec: ConfirmationCodec;
  ctx: ToolContext;
  call: Call;
  req: CallRequest;
  sql: string;
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
 * rolled back, to learn its effect, and asks the person through MCP elicitation (an input_required result on
 * 2026-07-28; the SDK turns it into elicitation/create for 2025-era sessions). Round 2 carries the signed
 * preview back: on acceptance the statement runs again in a transaction that commits only when it affects the
 * same rows. No lock is held while the person decides; decline, cancel, expiry and replay change nothing.
 */
export async function confirmedWrite(w: WriteCall): Promise<ToolOutput | InputRequiredResult> {
  const started = performance.now();
  const identity = w.ctx.caller.identity;
  const rowsOf = (end: 'rollback' | 'commit', check?: (effect: number[]) => void) =>
    w.req.session(end, async (r) => {
      const effect = (await r().query(w.sql)).rowsAffected;
      check?.(effect);
      return effect;
    });
  const done = (effect: number[], committed: boolean, text: string, outcome?: ToolOutput['outcome']) => {
    const structured = {
      database: w.call.database,
      rowsAffected: sum(effect),
      elapsedMs: Math.round(performance.now() - started),
      committed,
    };
    return { structured, text, rows: sum(effect), statement: w.sql, outcome };
  };

  if (!w.call.profile.confirm_writes) {
    const effect = await rowsOf('commit');
    return done(effect, true, `Committed: ${rowsText(effect)} (confirm_writes is off for this connection).`);
  }

  const confirmation = w.req.ctx.mcpReq.requestState<WriteConfirmation>();
  if (!confirmation) {
    const elicitation = w.server.server.getClientCapabilities()?.elicitation;
    if (!elicitation || (Object.keys(elicitation).length > 0 && !elicitation.form))
      throw new ToolRefusal(
        `Writes on "${w.call.profile.id}" need your confirmation, and this MCP client cannot ask for it (no form elicitation support). ` +
          'Use a client that supports MCP elicitation (MCP Inspector, VS Code, the SDK client), or have an administrator set confirm_writes: false on this connection.',
      );
    const effect = await rowsOf('rollback');
    const requestState = await w.codec.mint({
      subject: identity.subject,
      clientId: w.ctx.clientId,
      profile: w.call.profile.id,
      database: w.call.database,
      statementHash: ConfirmationCodec.statementHash(w.sql),
      effect,
    });
    return inputRequired({
      inputRequests: {
        [CONFIRM_KEY]: inputRequired.elicit({
          mode: 'form',
          message: confirmMessage(w, effect),
          requestedSchema: confirmSchema,
        }),
      },
      requestState,
    });
  }

  if (
    confirmation.subject !== identity.subject ||
    confirmation.clientId !== w.ctx.clientId ||
    confirmation.profile !== w.call.profile.id ||
    confirmation.database !== w.call.database ||
    confirmation.statementHash !== ConfirmationCodec.statementHash(w.sql)
  )
    throw new ToolRefusal(
      'This confirmation was given for another statement, connection or user; nothing was run. Call execute_statement again.',
    );
  const answer = acceptedContent(w.req.ctx.mcpReq.inputResponses, CONFIRM_KEY);
  if (answer?.[CONFIRM_KEY] !== true) {
    return done(
      [],
      false,
      'Not run: the change was not confirmed (declined or cancelled). Nothing changed.',
      'declined',
    );
  }
  if (!(await w.codec.consume(confirmation)))
    throw new ToolRefusal(
      'This confirmation was already used; nothing was run again. Call execute_statement again for another change.',
    );
  const effect = await rowsOf('commit', (now) => {
    if (now.length !== confirmation.effect.length || now.some((n, i) => n !== confirmation.effect[i]))
      throw new ToolRefusal(
        `The data changed since the preview: the statement now affects ${rows(now)} instead of ${sum(confirmation.effect)}. ` +
          'It was rolled back and nothing changed; call execute_statement again to preview it anew.',
      );
  });
  return done(effect, true, `Committed after confirmation: ${rowsText(effect)}.`);
}

function confirmMessage(w: WriteCall, effect: number[]): string {
  const p = w.call.profile;
  const runsAs =
    p.impersonation === 'execute_as_user'
      ? `database user ${w.ctx.caller.identity.dbUser}`
      : "the connection's own login (no impersonation)";
  return [
    `Commit this change on ${p.host}:${p.port}, database ${w.call.database} (connection "${p.id}"), as ${runsAs}?`,
    '',
    w.sql.length > 2000 ? `${w.sql.slice(0, 2000)}…[${w.sql.length} chars]` : w.sql,
    '',
    `Preview (run and rolled back just now): ${rowsText(effect)}.`,
    'It is committed only if it still affects the same rows.',
  ].join('\n');
}

const sum = (effect: number[]) => effect.reduce((a, b) => a + b, 0);
const rows = (effect: number[]) => `${sum(effect)} row${sum(effect) === 1 ? '' : 's'}`;
const rowsText = (effect: number[]) => `${rows(effect)} affected`;
