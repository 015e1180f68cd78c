/** The T-SQL token shape shared by the translator and its structural rewrites, and the walks over it. */

export class TranslateError extends Error {
  constructor(
    message: string,
    readonly number = 102,
  ) {
    super(message);
  }
}

type TokKind =
  'word' | 'ident' | 'string' | 'nstring' | 'number' | 'binary' | 'var' | 'sysvar' | 'punct' | 'op' | 'raw';
export interface Token {
  kind: TokKind;
  text: string;
  /** Identifier or string value without quotes. */
  value: string;
}

const upper = (t: Token | undefined) => (t && t.kind === 'word' ? t.value.toUpperCase() : '');

/** The index of the parenthesis that closes the one at `open`. */
export function closeOf(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  throw new TranslateError("Incorrect syntax near '('.");
}

/** Splits at the separator where it stands outside parentheses. */
export function splitTop(tokens: Token[], sep = ','): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && t.text === sep) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out;
}

/** The last keyword `word` outside parentheses, or -1. */
export function lastTopLevel(tokens: Token[], word: string): number {
  let depth = 0;
  let found = -1;
  tokens.forEach((t, i) => {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && upper(t) === word) found = i;
  });
  return found;
}
