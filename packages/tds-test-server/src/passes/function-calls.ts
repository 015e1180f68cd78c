/**
 * Pass 4. Function calls whose PostgreSQL form differs in shape, as the registry (functions.ts) says: before
 * OPENJSON and the FOR clauses, which take the rewritten expressions as they are.
 */
import { closeOf, splitTop, type Token } from '../syntax.js';
import { FUNCTION_REGISTRY } from '../functions.js';
import { up, raw, word, type TransformContext } from './tokens.js';
import type { CallSite } from './function-rewrites.js';

export function functions(tokens: Token[], ctx: TransformContext): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const kw = up(t);
    if (tokens[i + 1]?.text !== '(' || t.kind !== 'word') {
      // Niladic, without parentheses.
      if (kw === 'SYSTEM_USER' || kw === 'SESSION_USER') {
        out.push(kw === 'SYSTEM_USER' ? word('SUSER_SNAME') : word('USER_NAME'), raw('('), raw(')'));
        continue;
      }
      out.push(t);
      continue;
    }
    const close = closeOf(tokens, i + 1);
    // Rewritten once; the arguments are its top-level parts (rewrites keep their commas inside raw text).
    const inner = functions(tokens.slice(i + 2, close), ctx);
    const entry = FUNCTION_REGISTRY[kw];
    if (entry?.how !== 'rewrite') {
      out.push(t, tokens[i + 1]!, ...inner, tokens[close]!);
      i = close;
      continue;
    }
    const site: CallSite = {
      kw,
      name: t,
      tokens,
      open: i + 1,
      close,
      inner,
      args: splitTop(inner),
      ctx,
      again: (more) => functions(more, ctx),
    };
    const done = entry.rewrite(site);
    out.push(...done.tokens);
    i = done.end ?? close;
  }
  return out;
}
