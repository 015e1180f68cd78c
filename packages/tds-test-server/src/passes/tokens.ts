/** What the structural passes share: token makers and tests, and T-SQL's own column names for FOR JSON/XML. */
import type { Token } from '../syntax.js';

export const up = (t: Token | undefined) => (t && t.kind === 'word' ? t.value.toUpperCase() : '');
export const raw = (text: string): Token => ({ kind: 'raw', text, value: text });
export const word = (text: string): Token => ({ kind: 'word', text, value: text });
export const str = (value: string): Token => ({
  kind: 'string',
  text: `'${value.replace(/'/g, "''")}'`,
  value,
});
export const qi = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const isName = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'ident');

export interface TransformContext {
  /** Pure type mapping (T-SQL type tokens to PostgreSQL type text). */
  typeText(tokens: Token[]): string;
  /** Columns of a (possibly qualified) table name, in order; undefined when not a known relation. */
  columnsOf(parts: string[]): string[] | undefined;
}
