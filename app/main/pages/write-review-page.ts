import type { WriteReview } from '../../shared/types.js';
import { html, type SafeHtml } from './html.js';

/** The form that answers: where it posts and the hidden fields that prove it came from this page. */
export interface ReviewForm {
  action: string;
  hidden: Record<string, string>;
}

/**
 * A write as the person reviews it, the same on the bridge's approval page and the connector's local page (and,
 * field for field, in the desktop app): the statement whole, where and as whom it runs, the preview, the expiry.
 */
export function writeReviewPage(r: WriteReview, form?: ReviewForm, note?: SafeHtml): SafeHtml {
  const rows = `${r.rowsAffected} row${r.rowsAffected === 1 ? '' : 's'} affected (run and rolled back just now)`;
  return html`<p>
      <strong>${r.client}</strong> asks to change data on SQL Server for <strong>${r.requestedBy}</strong>.
      Nothing has changed yet.
    </p>
    <pre style="white-space:pre-wrap;background:#f2f4f7;padding:.6rem;border-radius:4px">${r.statement}</pre>
    <dl>
      <dt>Server</dt>
      <dd><code>${r.server}</code></dd>
      <dt>Database</dt>
      <dd><code>${r.database}</code></dd>
      <dt>Connection</dt>
      <dd><code>${r.connection}</code></dd>
      <dt>Runs as</dt>
      <dd>${r.runsAs}</dd>
      <dt>Preview</dt>
      <dd>${rows}</dd>
      <dt>Expires</dt>
      <dd>
        <time datetime="${new Date(r.expiresAt).toISOString()}">${new Date(r.expiresAt).toISOString()}</time>
      </dd>
    </dl>
    ${note ?? ''}
    ${
      form
        ? html`<p>It is committed only if it still affects the same rows when it runs.</p>
            <form method="post" action="${form.action}">
              ${Object.entries(form.hidden).map(
                ([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`,
              )}
              <button type="submit" name="decision" value="approve">Approve</button
              ><button type="submit" name="decision" value="decline">Decline</button>
            </form>`
        : ''
    }`;
}
