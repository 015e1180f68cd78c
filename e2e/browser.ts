import * as oidc from 'openid-client';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless, with nothing that reaches the network on its own (never a downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
}

/**
 * A person signing in: opens the authorization URL, fills the test IdP's login form, allows on the bridge's
 * consent page if it appears, and waits until the browser lands on `callbackPrefix`.
 */
export async function signInWithBrowser(
  browser: Browser,
  url: string,
  o: { user: string; password: string; callbackPrefix: string },
): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  try {
    await page.goto(url);
    await page.fill('input[name="login"]', o.user);
    await page.fill('input[name="password"]', o.password);
    // Both the IdP's login and the bridge's consent live under /interaction/<uid>: tell them apart by port.
    const idpPort = new URL(page.url()).port;
    const isConsent = (u: URL) => /^\/interaction\/[^/]+$/.test(u.pathname) && u.port !== idpPort;
    const settled = (u: URL) => isConsent(u) || u.href.startsWith(o.callbackPrefix);
    await Promise.all([page.waitForURL(settled), page.click('button[type="submit"]')]);
    if (isConsent(new URL(page.url()))) {
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(o.callbackPrefix)),
        page.click('button[value="allow"]'),
      ]);
    }
    return page.url();
  } finally {
    await page.context().close();
  }
}

/**
 * A native client's authorization code flow with PKCE and state (openid-client), the person signing in at
 * Chromium; openid-client checks state and the response's RFC 9207 `iss`, then redeems the code for `resource`.
 */
export async function codeFlowInChromium(
  browser: Browser,
  config: oidc.Configuration,
  o: { redirectUri: string; resource: string; user: string },
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: o.redirectUri,
    scope: 'mcp:tools',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    resource: o.resource,
  });
  const landed = await signInWithBrowser(browser, url.href, {
    user: o.user,
    password: `${o.user}-pass`,
    callbackPrefix: o.redirectUri,
  });
  return oidc.authorizationCodeGrant(
    config,
    new URL(landed),
    { pkceCodeVerifier: verifier, expectedState: state },
    { resource: o.resource },
  );
}
