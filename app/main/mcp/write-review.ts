import { z } from 'zod';
import type { WriteReview } from '../../shared/types.js';

/**
 * A write as the person reviews it, checked wherever it crosses a boundary: the state database, the elicitation's
 * `_meta` the connector reads, the app's local socket. The same fields in every channel.
 */
export const writeReviewSchema = z.object({
  id: z.string().max(100),
  statement: z.string().max(100_000),
  server: z.string().max(300),
  database: z.string().max(300),
  connection: z.string().max(100),
  runsAs: z.string().max(300),
  rowsAffected: z.number().int().min(0),
  requestedBy: z.string().max(300),
  client: z.string().max(300),
  expiresAt: z.number(),
}) satisfies z.ZodType<WriteReview>;

/** `_meta` of the write's elicitation: the review as data, so the connector and the app show the same content. */
export const WRITE_REVIEW_META = 'io.github.mssql-mcp-bridge/write-review';
/** `_meta` of an elicitation result a connector answered for its client: where the person confirmed. */
export const CONFIRMED_VIA_META = 'io.github.mssql-mcp-bridge/confirmed-via';
/**
 * `_meta` of a pending write's result for a host that renders MCP Apps: the review and the single-use approval the
 * write card spends through `decide_write` (hosts give a result's `_meta` to its view, not to the model).
 */
export const WRITE_CARD_META = 'io.github.mssql-mcp-bridge/write-card';
