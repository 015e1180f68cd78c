import { XMLParser } from 'fast-xml-parser';

export interface PlanOperator {
  depth: number;
  physicalOp: string;
  logicalOp: string;
  estimatedRows: number;
  estimatedCost: number;
  object?: string;
}

export interface PlanSummary {
  statements: Array<{
    text: string;
    type: string;
    estimatedRows: number;
    estimatedCost: number;
    operators: PlanOperator[];
  }>;
  missingIndexes: string[];
  warnings: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  isArray: (name) => ['RelOp', 'StmtSimple', 'MissingIndexGroup', 'ColumnGroup', 'Column'].includes(name),
});

/** The estimated plan (SHOWPLAN_XML) as the operators, costs and advice a reader needs. */
export function summarizeShowplan(xmlText: string): PlanSummary {
  const doc = parser.parse(xmlText) as Record<string, unknown>;
  const statements: PlanSummary['statements'] = [];
  const missingIndexes: string[] = [];
  const warnings: string[] = [];
  walk(doc, (key, node) => {
    if (key === 'StmtSimple') {
      const operators: PlanOperator[] = [];
      collectOps((node.QueryPlan as Record<string, unknown> | undefined)?.RelOp, 0, operators);
      statements.push({
        text: text(node.StatementText),
        type: text(node.StatementType),
        estimatedRows: Number(node.StatementEstRows ?? 0),
        estimatedCost: Number(node.StatementSubTreeCost ?? 0),
        operators,
      });
    }
    if (key === 'MissingIndex') missingIndexes.push(`${text(node.Schema)}.${text(node.Table)}`);
    if (key === 'Warnings') warnings.push(...Object.keys(node));
  });
  return { statements, missingIndexes, warnings };
}

function collectOps(relops: unknown, depth: number, out: PlanOperator[]): void {
  for (const op of (relops as Array<Record<string, unknown>> | undefined) ?? []) {
    let object: string | undefined;
    let children: unknown[] = [];
    for (const [k, v] of Object.entries(op)) {
      if (k === 'Object') object = objectName(v);
      else if (k === 'RelOp') children.push(...(v as unknown[]));
      else if (v && typeof v === 'object') {
        const inner = v as Record<string, unknown>;
        if (inner.Object && !object) object = objectName(inner.Object);
        if (inner.RelOp) children = children.concat(inner.RelOp as unknown[]);
      }
    }
    out.push({
      depth,
      physicalOp: text(op.PhysicalOp),
      logicalOp: text(op.LogicalOp),
      estimatedRows: Number(op.EstimateRows ?? 0),
      estimatedCost: Number(op.EstimatedTotalSubtreeCost ?? 0),
      object,
    });
    collectOps(children, depth + 1, out);
  }
}

function objectName(o: unknown): string | undefined {
  const obj = (Array.isArray(o) ? o[0] : o) as Record<string, string> | undefined;
  if (!obj) return undefined;
  return (
    [obj.Database, obj.Schema, obj.Table].filter(Boolean).join('.') + (obj.Index ? ` (${obj.Index})` : '')
  );
}

function walk(node: unknown, visit: (key: string, node: Record<string, unknown>) => void, key = ''): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit, key));
  if (!node || typeof node !== 'object') return;
  visit(key, node as Record<string, unknown>);
  for (const [k, v] of Object.entries(node)) if (k !== 'QueryPlan' || key !== 'StmtSimple') walk(v, visit, k);
}

/** An XML attribute as text (the parser gives strings, numbers or booleans). */
function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}
