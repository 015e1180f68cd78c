/** The pages escape every value they show: client names and redirect URIs come from whoever registered. */
import { describe, expect, it } from 'vitest';
import { consentPage } from '../../app/main/pages/consent-page.js';
import { html } from '../../app/main/pages/html.js';
import { errorPageHtml, pageHtml } from '../../app/main/pages/render.js';

describe('page templates', () => {
  it('escape what a registering client controls, and only that', () => {
    const page = pageHtml(
      'Allow access to SQL Server?',
      consentPage({
        clientName: '<script>alert(1)</script>',
        clientId: 'c"id',
        redirectUri: "http://127.0.0.1/cb?x='y'&z=<b>",
        scopes: ['mcp:tools', '<i>'],
        signedInAs: 'alice@example.com',
        dbUser: 'alice',
        uid: 'u"><form',
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<code>c&quot;id</code>');
    expect(page).toContain('http://127.0.0.1/cb?x=&#39;y&#39;&amp;z=&lt;b&gt;');
    // Scopes in words, the code beside each; one the bridge does not know is said to be so, escaped.
    const flat = page.replace(/\s+/g, ' ');
    expect(flat).toContain(
      '<li> Use the SQL tools: read what your access policy allows (<code>mcp:tools</code>) </li>',
    );
    expect(flat).toContain('<li> A permission this bridge does not describe (<code>&lt;i&gt;</code>) </li>');
    // Allow is the filled button, Deny the plain one.
    expect(page).toMatch(
      /value="allow" class="primary">Allow<\/button\s*><button[^>]*value="deny" class="secondary">Deny/,
    );
    expect(page).toContain('action="/interaction/u&quot;&gt;&lt;form/confirm"');
    expect(page).toMatch(/^<!doctype html>.*<h1>Allow access to SQL Server\?<\/h1>/s);
  });

  it('write nothing for absent values and a sentence with its code for errors', () => {
    expect(html`<p>${undefined}${null}${false}</p>`.text).toBe('<p></p>');
    const page = errorPageHtml('invalid_request', 'redirect_uri did not match <any>');
    expect(page).toContain('<p class="err">redirect_uri did not match &lt;any&gt;.</p>');
    expect(page).toContain('<code>invalid_request</code>');
  });
});
