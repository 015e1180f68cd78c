import { SCOPES } from '../../shared/config-schema.js';
import { html, type SafeHtml } from './html.js';

/** What each scope lets the client do, in words (the code beside it for whoever compares with the logs). */
const SCOPE_WORDS: Record<string, string> = {
  [SCOPES.tools]: 'Use the SQL tools: read what your access policy allows',
  [SCOPES.write]: 'Change data where your policy allows it, each change shown to you for confirmation first',
};

export interface ConsentView {
  clientName: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  /** Who is signed in (email, else subject) and the database user their calls run as. */
  signedInAs: string;
  dbUser: string;
  /** The interaction the form confirms. */
  uid: string;
}

/** Shown to clients that are not pre-registered (their names are unverified): who, what, where it redirects. */
export function consentPage(v: ConsentView): SafeHtml {
  return html`<p>
      <strong>${v.clientName}</strong> wants to use MSSQL MCP Bridge as <strong>${v.signedInAs}</strong>.
    </p>
    <dl>
      <dt>Client id</dt>
      <dd><code>${v.clientId}</code></dd>
      <dt>Redirects to</dt>
      <dd><code>${v.redirectUri}</code></dd>
      <dt>Permissions</dt>
      <dd>
        <ul class="scopes">
          ${v.scopes.map(
            (s) =>
              html`<li>
                ${SCOPE_WORDS[s] ?? 'A permission this bridge does not describe'} (<code>${s}</code>)
              </li>`,
          )}
        </ul>
      </dd>
      <dt>Database user</dt>
      <dd><code>${v.dbUser}</code></dd>
    </dl>
    <p>Only allow clients you started yourself. The client registered itself, so its name is not verified.</p>
    <form method="post" action="/interaction/${v.uid}/confirm">
      <button type="submit" name="decision" value="allow" class="primary">Allow</button
      ><button type="submit" name="decision" value="deny" class="secondary">Deny</button>
    </form>`;
}
