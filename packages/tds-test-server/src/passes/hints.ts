/** Pass 1. Optimizer hints have no PostgreSQL meaning here: dropped first, so no later pass sees them. */
import { closeOf, type Token } from '../syntax.js';
import { up, isName } from './tokens.js';

const JOIN_HINTS = new Set(['HASH', 'LOOP', 'MERGE', 'REMOTE']);
const TABLE_HINTS = new Set(
  (
    'NOLOCK READUNCOMMITTED READCOMMITTED READCOMMITTEDLOCK ROWLOCK UPDLOCK HOLDLOCK INDEX FORCESEEK FORCESCAN ' +
    'NOWAIT READPAST TABLOCK TABLOCKX PAGLOCK SERIALIZABLE REPEATABLEREAD XLOCK SNAPSHOT NOEXPAND KEEPIDENTITY'
  ).split(' '),
);
/** Optimizer hints and collations have no PostgreSQL meaning here: OPTION (...), join hints, table hints. */
export function dropHints(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const kw = up(t);
    const next = tokens[i + 1];
    if (kw === 'OPTION' && next?.text === '(') {
      i = closeOf(tokens, i + 1);
      continue;
    }
    if (
      JOIN_HINTS.has(kw) &&
      up(next) === 'JOIN' &&
      ['INNER', 'OUTER', 'LEFT', 'RIGHT', 'FULL'].includes(up(tokens[i - 1]))
    )
      continue;
    if (kw === 'WITH' && next?.text === '(' && TABLE_HINTS.has(up(tokens[i + 2]))) {
      i = closeOf(tokens, i + 1);
      continue;
    }
    // Legacy hint without WITH: `FROM Orders (NOLOCK)`.
    if (t.text === '(' && TABLE_HINTS.has(up(next)) && tokens[i + 2]?.text === ')' && isName(tokens[i - 1])) {
      i += 2;
      continue;
    }
    if (kw === 'COLLATE' && isName(next)) {
      i++;
      continue;
    }
    // `(SELECT ... FOR XML PATH(''), TYPE).value('.', 'NVARCHAR(MAX)')`: the text itself.
    if (
      t.text === ')' &&
      next?.text === '.' &&
      up(tokens[i + 2]) === 'VALUE' &&
      tokens[i + 3]?.text === '('
    ) {
      out.push(t);
      i = closeOf(tokens, i + 3);
      continue;
    }
    out.push(t);
  }
  return out;
}
