/**
 * A test sign-in as a report a developer can attach to a ticket: JSON for tools, HTML for people. Built only
 * from the result the UI already holds, whose trace was redacted where it was recorded (codes, tokens, verifiers
 * and secrets appear as a length and a short hash), so the report holds no credential. Claims are included: they
 * are what the ticket is usually about, and they are the tester's own.
 */
import type { AccessExplanation, TestSignInResult, TraceStep } from './types.js';

export interface TraceReportInput {
  result: TestSignInResult;
  profile: { id: string; issuer: string; preset: string; client_id: string };
  appVersion: string;
  /** What the person may do under the access policy, when it was looked up. */
  access?: AccessExplanation;
}

export interface TraceReport {
  kind: 'mssql-mcp-bridge/test-sign-in-report';
  version: 1;
  generatedAt: string;
  appVersion: string;
  profile: TraceReportInput['profile'];
  outcome: { ok: boolean; code?: string; message?: string };
  identity?: unknown;
  claims?: Record<string, unknown>;
  access?: AccessExplanation;
  steps: TraceStep[];
}

export function traceReport(input: TraceReportInput, now = new Date()): TraceReport {
  const r = input.result;
  return {
    kind: 'mssql-mcp-bridge/test-sign-in-report',
    version: 1,
    generatedAt: now.toISOString(),
    appVersion: input.appVersion,
    profile: input.profile,
    outcome: r.ok ? { ok: true } : { ok: false, code: r.code, message: r.message },
    identity: r.ok ? r.identity : undefined,
    claims: r.claims,
    access: input.access,
    steps: r.trace ?? [],
  };
}

/** The trace as plain text (Copy as text): one line per step, its details indented below. */
export function traceText(steps: TraceStep[]): string {
  return steps
    .map((s) => {
      const head = `${String(s.atMs).padStart(6)} ms  ${s.status.toUpperCase().padEnd(4)}  ${s.title}${
        s.durationMs !== undefined ? ` (${s.durationMs} ms)` : ''
      }`;
      const body = JSON.stringify(s.detail, null, 2)
        .split('\n')
        .map((l) => `          ${l}`)
        .join('\n');
      return `${head}\n${body}`;
    })
    .join('\n');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A self-contained page (no script, no external resource) that reads well printed or attached. */
export function traceReportHtml(report: TraceReport): string {
  const e = escapeHtml;
  const json = (v: unknown) => `<pre>${e(JSON.stringify(v, null, 2))}</pre>`;
  const outcome = report.outcome.ok
    ? '<p class="ok">Sign-in succeeded.</p>'
    : `<p class="fail">Sign-in failed: <strong>${e(report.outcome.code ?? '')}</strong> ${e(report.outcome.message ?? '')}</p>`;
  const steps = report.steps
    .map(
      (s) => `<tr class="${e(s.status)}"><td>${s.atMs} ms</td><td>${e(s.status)}</td><td>${e(s.kind)}</td>
<td><strong>${e(s.title)}</strong>${s.durationMs !== undefined ? ` <span>(${s.durationMs} ms)</span>` : ''}${json(s.detail)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Test sign-in report: ${e(report.profile.id)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1c2333}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #dde;padding:.4rem;vertical-align:top;text-align:left}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f6f8;padding:.4rem;margin:.3rem 0 0}
tr.fail td:nth-child(2),.fail{color:#b42318}tr.warn td:nth-child(2){color:#a15c00}tr.ok td:nth-child(2),.ok{color:#067647}
</style></head><body>
<h1>Test sign-in report</h1>
<p>MSSQL MCP Bridge ${e(report.appVersion)} · generated ${e(report.generatedAt)} · codes, tokens and secrets are redacted (length and a short hash).</p>
<h2>Identity provider</h2>${json(report.profile)}
<h2>Outcome</h2>${outcome}
${report.identity ? `<h2>Mapped identity</h2>${json(report.identity)}` : ''}
${report.access ? `<h2>What this person may do</h2>${json(report.access)}` : ''}
${report.claims ? `<h2>ID-token claims</h2>${json(report.claims)}` : ''}
<h2>Trace</h2>
<table><thead><tr><th>At</th><th>Status</th><th>Kind</th><th>Step</th></tr></thead><tbody>
${steps}
</tbody></table>
</body></html>
`;
}
