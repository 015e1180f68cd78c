import { closest, distance } from 'fastest-levenshtein';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { z } from 'zod';

/** A key the schema does not have, where it is, and the valid key it most likely meant. */
export interface UnknownKey {
  path: Array<string | number>;
  key: string;
  line?: number;
  suggestion?: string;
  valid: string[];
}

// zod 4's definitions, as far as the walk needs them.
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every key in `value` the schema has no place for, at any depth (objects in arrays, the chosen branch of a
 * discriminated union, records' values). zod checks unknown keys only where an object is marked strict, and a
 * misspelt key is otherwise dropped without a word: `"blocked_database": ["Payroll"]` would leave Payroll open.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, text?: string): UnknownKey[] {
  const out: UnknownKey[] = [];
  walk(schema, value, [], out);
  const tree = text === undefined ? undefined : parseTree(text);
  for (const u of out) {
    const suggestion = closest(u.key, u.valid);
    if (suggestion !== undefined && distance(u.key, suggestion) <= Math.max(2, Math.floor(u.key.length / 3)))
      u.suggestion = suggestion;
    const node = tree && findNodeAtLocation(tree, [...u.path, u.key]);
    if (node && text !== undefined) u.line = lineOf(text, keyOffset(node));
  }
  return out;
}

function walk(schema: z.ZodType, value: unknown, path: Array<string | number>, out: UnknownKey[]): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return walk(def.innerType!, value, path, out);
    case 'pipe':
      return walk(def.in!, value, path, out);
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(def.element!, v, [...path, i], out));
      return;
    case 'record':
      if (isObject(value))
        for (const [k, v] of Object.entries(value)) walk(def.valueType!, v, [...path, k], out);
      return;
    case 'union': {
      if (!def.discriminator || !isObject(value)) return;
      const tag = value[def.discriminator];
      const branch = def.options!.find((o) => {
        const literal = defOf(o).shape?.[def.discriminator!];
        return literal !== undefined && (defOf(literal).values ?? []).includes(tag);
      });
      // An unknown tag is zod's to report; the keys are checked against the branch it names.
      if (branch) walk(branch, value, path, out);
      return;
    }
    case 'object': {
      if (!isObject(value)) return;
      const shape = def.shape!;
      for (const [k, v] of Object.entries(value)) {
        if (k in shape) walk(shape[k]!, v, [...path, k], out);
        else out.push({ path, key: k, valid: Object.keys(shape) });
      }
      return;
    }
    default:
      return;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The offset of the property's key (the node found is its value). */
const keyOffset = (valueNode: Node) => valueNode.parent?.children?.[0]?.offset ?? valueNode.offset;

export const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** `sql.profiles[0].row_limt` */
export function pathText(path: ReadonlyArray<string | number | symbol>): string {
  return path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
    '',
  );
}
