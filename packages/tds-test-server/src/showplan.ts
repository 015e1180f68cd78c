/**
 * SET SHOWPLAN_XML for the TDS test server: PostgreSQL's estimated plan (EXPLAIN, never ANALYZE, so nothing
 * runs) rewritten as a minimal SQL Server ShowPlanXML document with the attributes plan readers use.
 */
interface PgPlan {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  'Total Cost'?: number;
  'Join Type'?: string;
  Strategy?: string;
  Plans?: PgPlan[];
}

const xml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const OPS: Record<string, [physical: string, logical: string]> = {
  'Seq Scan': ['Table Scan', 'Table Scan'],
  'Index Scan': ['Index Seek', 'Index Seek'],
  'Index Only Scan': ['Index Seek', 'Index Seek'],
  'Bitmap Heap Scan': ['Index Seek', 'Index Seek'],
  'Hash Join': ['Hash Match', 'Inner Join'],
  'Merge Join': ['Merge Join', 'Inner Join'],
  'Nested Loop': ['Nested Loops', 'Inner Join'],
  Sort: ['Sort', 'Sort'],
  Limit: ['Top', 'Top'],
  Aggregate: ['Stream Aggregate', 'Aggregate'],
  Hash: ['Hash Match', 'Build Hash'],
  Result: ['Constant Scan', 'Constant Scan'],
  ModifyTable: ['Table Update', 'Update'],
};

function relOp(p: PgPlan, db: string, id: { n: number }): string {
  const [physical, logical] = OPS[p['Node Type']] ?? [p['Node Type'], p['Node Type']];
  const object = p['Relation Name']
    ? `<Object Database="[${xml(db)}]" Schema="[${xml((p.Schema ?? 'dbo').replace(/^.*\$/, ''))}]" Table="[${xml(p['Relation Name'])}]"${p['Index Name'] ? ` Index="[${xml(p['Index Name'])}]"` : ''}/>`
    : '';
  const children = (p.Plans ?? []).map((c) => relOp(c, db, id)).join('');
  return (
    `<RelOp NodeId="${id.n++}" PhysicalOp="${xml(physical)}" LogicalOp="${xml(logical)}" EstimateRows="${p['Plan Rows'] ?? 0}" ` +
    `EstimatedTotalSubtreeCost="${p['Total Cost'] ?? 0}">${object}${children}</RelOp>`
  );
}

export function showplanXml(
  statementText: string,
  statementType: string,
  plan: PgPlan,
  database: string,
): string {
  return (
    `<?xml version="1.0" encoding="utf-16"?><ShowPlanXML xmlns="http://schemas.microsoft.com/sqlserver/2004/07/showplan" Version="1.564" Build="15.0.2000.5">` +
    `<BatchSequence><Batch><Statements><StmtSimple StatementText="${xml(statementText)}" StatementType="${xml(statementType)}" ` +
    `StatementSubTreeCost="${plan['Total Cost'] ?? 0}" StatementEstRows="${plan['Plan Rows'] ?? 0}"><QueryPlan>` +
    relOp(plan, database, { n: 0 }) +
    `</QueryPlan></StmtSimple></Statements></Batch></BatchSequence></ShowPlanXML>`
  );
}

export type { PgPlan };
