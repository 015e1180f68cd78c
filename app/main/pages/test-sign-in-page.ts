import { html, type SafeHtml } from './html.js';

/** The tab a test sign-in (IdP page of the app) ends in: who signed in; the claims are in the app. */
export function testSignInDonePage(v: { signedInAs: string; dbUser: string }): SafeHtml {
  return html`<p>Signed in as <strong>${v.signedInAs}</strong>; database user <code>${v.dbUser}</code>.</p>
    <p>The claims are shown in MSSQL MCP Bridge. You can close this tab.</p>`;
}
