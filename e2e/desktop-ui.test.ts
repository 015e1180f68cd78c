/**
 * The desktop UI, for real: `serve --ui` as a child process (the headless CLI serving the built renderer over
 * the HTTP control transport), driven in Debian's headless Chromium, against the test IdP (oidc-provider) and
 * the TDS test server. Each page is saved as a screenshot in test-results/screenshots/.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../app/main/secrets/secret-store.js';
import { freePort } from '../test/support/harness.js';
import { postInitialize } from '../test/support/mcp-client.js';
import { REPO, spawnCli, waitFor } from '../test/support/processes.js';
import { grantImpersonation, sampleDatabase, SAMPLE_LOGINS } from '@mssql-mcp-bridge/tds-test-server';
import { startTdsServer, type TdsServer } from '@mssql-mcp-bridge/tds-test-server';
import { startTestIdp, type TestIdp } from '@mssql-mcp-bridge/demo-idp';
import { launchChromium } from './browser.js';
import { askBroker } from '../app/main/connector/broker-client.js';
import { signInThroughMcpRemote, startMcpRemote } from './mcp-remote-process.js';

const SHOTS = path.join(REPO, 'test-results', 'screenshots');
const UPSTREAM = { client_id: 'bridge-desktop', client_secret: 'desktop-upstream-secret' };
const svc = SAMPLE_LOGINS.find((l) => l.name === 'bridge_svc')!;

let idp: TestIdp;
let sql: TdsServer;
let child: ReturnType<typeof spawnCli>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let origin: string;
let dataDir: string;
let service: string;
let claudeConfig: { mcpServers: Record<'mssql-mcp-bridge', { command: string; args: string[] }> };
const pageErrors: string[] = [];
let uiUrl: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, 'dist/renderer/index.html')))
    throw new Error('The UI is not built: run "npm run build:ui" (npm test does).');
  const port = await freePort();
  idp = await startTestIdp({
    clients: [{ ...UPSTREAM, redirect_uris: [`http://127.0.0.1:${port}/idp/callback`] }],
  });
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  await grantImpersonation(sql, 'bridge_svc', ['alice', 'bob']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-ui-'));
  service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ secrets: { service } }));
  // Install in Claude Desktop writes under XDG_CONFIG_HOME: a throw-away one, never the user's own.
  child = spawnCli(['serve', '--ui', '--port', String(port), '--data-dir', dataDir, '--config', configFile], {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dataDir, 'xdg'),
  });
  await waitFor(() => child.output().includes('Press Ctrl+C to stop.'), 'the bridge to start', 30_000);
  uiUrl = /Desktop UI[^:]*:\s+(\S+)/.exec(child.output())![1]!;
  origin = new URL(uiUrl).origin;
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A step that cannot happen fails in 10 s naming its locator, before the test's own 30 s timeout.
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', acceptDialog);
  await page.goto(uiUrl);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGKILL');
  await idp?.stop();
  await sql?.stop();
  if (service) {
    const store = await KeytarSecretStore.open(service);
    for (const a of await store.accounts()) await store.delete(a);
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Waits for the UI (up to 10 s: CI machines are slower than this one). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const open = (label: string) => page.click(`nav button:has-text("${label}")`);

describe('desktop UI over serve --ui', () => {
  it('opens with the token from the link, hides it from the address bar, and lists what needs doing', async () => {
    await poll(() => page.locator('[data-testid="problems"] li').count()).toBe(2);
    const problems = await page.locator('[data-testid="problems"]').innerText();
    expect(problems).toContain('No identity provider');
    expect(problems).toContain('No SQL Server connection');
    expect(page.url()).not.toContain('token');
    await shot('status-fresh');
  });

  it('gives each page a URL that reload and back follow, and moves focus to the page heading', async () => {
    await open('Connections');
    expect(new URL(page.url()).hash).toBe('#/connections');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('SQL Server connections');
    await page.reload();
    await page.locator('main h2:has-text("SQL Server connections")').waitFor();
    expect(await page.locator('h1').innerText()).toBe('MSSQL MCP Bridge');
    await page.goBack();
    await page.locator('main h2:has-text("Status")').waitFor();
    await open('Status');
  });

  it('adds an identity provider from a preset, and the config doctor explains a broken one', async () => {
    await open('Identity providers');
    await addIdp({ id: 'corp', name: 'Corp SSO', issuer: idp.issuer, ...UPSTREAM });
    const card = page.locator('[data-testid="idp-corp"]');
    await poll(() => card.innerText()).toContain('secret in keychain');
    await card.locator('button:has-text("Check configuration")').click();
    const report = card.locator('[data-testid="doctor"]');
    await report.waitFor();
    for (const id of ['discovery', 'issuer', 'code_flow', 'scopes', 'clock', 'client', 'redirect_uri'])
      expect(await report.locator(`[data-check="${id}"]`).getAttribute('data-status'), id).toBe('ok');

    // A trailing slash on a path-less issuer is the same URL (sign-in accepts it, so the doctor does too);
    // a client id the IdP does not know is the usual mistake.
    await addIdp({ id: 'typo', name: 'Typo', issuer: `${idp.issuer}/`, client_id: 'not-registered' });
    const typo = page.locator('[data-testid="idp-typo"]');
    await typo.locator('button:has-text("Check configuration")').click();
    const bad = typo.locator('[data-testid="doctor"]');
    await bad.waitFor();
    expect(await bad.locator('[data-check="issuer"]').getAttribute('data-status')).toBe('ok');
    expect(await bad.locator('[data-check="issuer"]').innerText()).toContain('is the same URL');
    expect(await bad.locator('[data-check="client"]').getAttribute('data-status')).toBe('fail');
    expect(await bad.locator('[data-check="client"]').innerText()).toContain('invalid_client');
    await shot('idp-doctor');
    await typo.locator('button:has-text("Remove")').click();
    await poll(() => page.locator('[data-testid="idp-typo"]').count()).toBe(0);
  });

  it('Test sign-in goes through the IdP login form in a new tab and shows the claims and database user', async () => {
    const card = page.locator('[data-testid="idp-corp"]');
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      card.locator('button:has-text("Test sign-in")').click(),
    ]);
    await tab.waitForSelector('input[name="login"]');
    expect(tab.url()).toContain(idp.issuer);
    await tab.fill('input[name="login"]', 'alice');
    await tab.fill('input[name="password"]', 'alice-pass');
    await tab.click('button[type="submit"]');
    await tab.waitForSelector('text=Test sign-in succeeded');
    expect(await tab.evaluate('window.opener')).toBeNull();
    await tab.close();
    const result = card.locator('[data-testid="test-result"]');
    await result.waitFor();
    expect(await result.locator('[data-testid="db-user"]').innerText()).toBe('alice');
    const claims = await result.locator('[data-testid="claims"]').innerText();
    expect(claims).toContain('alice@example.com');
    expect(claims).toMatch(/iss\s+http:\/\/127\.0\.0\.1/);
    expect(claims).toContain(UPSTREAM.client_id); // aud
    await shot('idp-test-sign-in');
  });

  it('Test sign-in can be cancelled, and signs in as someone else with the IdP asking again', async () => {
    await open('Identity providers');
    const card = page.locator('[data-testid="idp-corp"]');
    // alice's IdP session is still in this browser: "someone else" must bring the login form back.
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      card.locator('button:has-text("Sign in as someone else")').click(),
    ]);
    await tab.waitForSelector('input[name="login"]');
    expect(await card.locator('button:has-text("Testing…")').isDisabled()).toBe(true);
    await tab.close(); // the person gives up
    await card.locator('[data-testid="test-pending"] button:has-text("Cancel")').click();
    const failed = card.locator('[data-testid="test-error"]');
    await poll(() => failed.innerText()).toContain('Test sign-in cancelled.');
    expect(await card.locator('button:has-text("Test sign-in")').isEnabled()).toBe(true);

    const [again] = await Promise.all([
      context.waitForEvent('page'),
      card.locator('button:has-text("Sign in as someone else")').click(),
    ]);
    await again.waitForSelector('input[name="login"]');
    await again.fill('input[name="login"]', 'bob');
    await again.fill('input[name="password"]', 'bob-pass');
    await again.click('button[type="submit"]');
    await again.waitForSelector('text=Test sign-in succeeded');
    await again.close();
    await poll(() => card.locator('[data-testid="db-user"]').innerText()).toBe('bob');
  });

  it('IdP lab: the trace of a test sign-in, exported without a secret; Reveal shows the ID token; two IdPs compared', async () => {
    await open('Identity providers');
    const card = page.locator('[data-testid="idp-corp"]');
    const trace = card.locator('[data-testid="trace"]');
    await trace.locator('summary').first().click();
    expect(await trace.locator('li[data-step]').count()).toBeGreaterThanOrEqual(15);
    for (const step of ['Discovery document', 'Token request', 'Signature', 'Nonce', 'Identity mapping'])
      expect(await trace.locator(`li[data-step="${step}"]`).getAttribute('data-status'), step).toBe('ok');

    const jwt = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;
    for (const format of ['html', 'json']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        trace.locator(`[data-testid="export-${format}"]`).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^sign-in-corp-.*\\.${format}$`));
      const text = fs.readFileSync((await download.path())!, 'utf8');
      expect(text).toContain(
        format === 'html' ? 'Test sign-in report' : 'mssql-mcp-bridge/test-sign-in-report',
      );
      expect(text).toContain('bob@example.com');
      expect(text).toContain('[redacted: ');
      expect(text).not.toContain(UPSTREAM.client_secret);
      expect(text).not.toMatch(jwt);
      if (format === 'html') {
        const report = await context.newPage();
        await report.setContent(text);
        await report.screenshot({ path: path.join(SHOTS, 'idp-trace-report.png'), fullPage: true });
        await report.close();
      }
    }
    await trace.locator('[data-testid="reveal-id-token"]').click();
    expect(await trace.locator('[data-testid="id-token"] textarea').inputValue()).toMatch(jwt);
    await trace.locator('li[data-step="Signature"] summary').click();
    await shot('idp-trace');
    await trace.locator('[data-testid="id-token"] button:has-text("Hide")').click();

    // A second profile at the same IdP without the groups scope: its claims beside corp's.
    await addIdp({ id: 'corp-nogroups', name: 'Corp without groups', issuer: idp.issuer, ...UPSTREAM });
    const other = page.locator('[data-testid="idp-corp-nogroups"]');
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      other.locator('button:has-text("Test sign-in")').click(),
    ]);
    await tab.waitForSelector('text=Test sign-in succeeded'); // bob's session at the IdP is still there
    await tab.close();
    await other.locator('[data-testid="test-result"]').waitFor();
    const compare = page.locator('[data-testid="compare"]');
    await compare.waitFor();
    const groups = compare.locator('tr[data-claim="groups"]');
    expect(await groups.getAttribute('data-used')).toBe('yes');
    expect(await groups.locator('td.differs').count()).toBe(2);
    expect(await compare.locator('tr[data-claim="email"] td.differs').count()).toBe(0);
    await compare.scrollIntoViewIfNeeded();
    await shot('idp-compare');
    await other.locator('button:has-text("Remove")').click();
    await page.locator('[data-testid="idp-corp-nogroups"]').waitFor({ state: 'detached' });
  });

  it('adds a connection: Test connection succeeds, and a wrong password shows the 18456 explanation', async () => {
    await open('Connections');
    await addConnection('sales', svc.password);
    const card = page.locator('[data-testid="connection-sales"]');
    await card.locator('button:has-text("Test connection")').click();
    const ok = card.locator('[data-testid="connection-test"]');
    await ok.waitFor();
    expect(await ok.innerText()).toMatch(/Connected in \d+ ms as bridge_svc to Sales/);

    await addConnection('sales-wrong', 'not-the-password');
    const wrong = page.locator('[data-testid="connection-sales-wrong"]');
    // Saved profiles are tested at once: the card says whether each connects, before anyone asks.
    await poll(() => wrong.locator('[data-testid="connection-sales-wrong-state"]').innerText()).toBe(
      'test failed',
    );
    expect(await card.locator('[data-testid="connection-sales-state"]').innerText()).toBe('connects');
    await wrong.locator('button:has-text("Test connection")').click();
    const failed = wrong.locator('[data-testid="connection-test"]');
    await failed.waitFor();
    const text = await failed.innerText();
    expect(text).toContain('18456');
    expect(text).toContain('Fix:');
    // Adding a second connection keeps the first one the default (tool calls naming none keep working);
    // the other can be made the default, and back.
    await poll(() => card.locator('.badge:has-text("default")').count()).toBe(1);
    expect(await card.locator('button:has-text("Make default")').count()).toBe(0);
    await wrong.locator('button:has-text("Make default")').click();
    await poll(() => wrong.locator('.badge:has-text("default")').count()).toBe(1);
    await card.locator('button:has-text("Make default")').click();
    await poll(() => card.locator('.badge:has-text("default")').count()).toBe(1);
    // Typed once, never shown again.
    expect(await page.content()).not.toContain(svc.password);
    await shot('connections');
  });

  it('Tools: adds a configured tool with a typed parameter; a statement the guard refuses is refused naming the tool', async () => {
    await open('Tools');
    await page.click('button:has-text("Add tool")');
    const form = page.locator('[data-testid="tool-form"]');
    await form.locator('input[name="name"]').fill('region_customers');
    await form.locator('input[name="title"]').fill('Customers of a region');
    await form.locator('textarea[name="description"]').fill('The customers of one region, by name.');
    await form.locator('select[name="connection"]').selectOption('sales');
    await form
      .locator('textarea[name="statement"]')
      .fill('DELETE FROM Customers WHERE RegionID = @region_id');
    await form.locator('button:has-text("Add parameter")').click();
    await form.locator('input[name="param-name-0"]').fill('region_id');
    await form.locator('input[name="param-type-0"]').fill('int');
    await form.locator('input[name="param-description-0"]').fill('Regions.RegionID');
    await form.locator('button[type="submit"]').click();
    // A read tool that deletes: the same guard as run_query refuses it, with the tool named.
    await poll(() => page.locator('[role="alert"]').first().innerText()).toContain(
      'Configured tool "region_customers": its statement is not allowed',
    );
    await form
      .locator('textarea[name="statement"]')
      .fill('SELECT CustomerID, Name FROM Customers WHERE RegionID = @region_id ORDER BY Name');
    await form.locator('button[type="submit"]').click();
    const card = page.locator('[data-testid="tool-region_customers"]');
    await card.waitFor();
    expect(await card.innerText()).toContain('@region_id');
    expect(await card.innerText()).toContain('reads');
    await shot('tools');
  });

  it('shows a bad value next to its field, not as a raw error at the top', async () => {
    await open('Connections');
    await page.click('button:has-text("Add connection")');
    const form = page.locator('[data-testid="connection-form"]');
    await form.locator('input[name="id"]').fill('bad-limits');
    await form.locator('input[name="host"]').fill('127.0.0.1');
    await form.locator('input[name="database"]').fill('Sales');
    await form.locator('input[name="user"]').fill(svc.name);
    await form.locator('input[name="secret"]').fill('unused');
    await form.locator('input[name="row_limit"]').fill('0'); // the browser lets it through; the bridge does not
    await form.locator('button[type="submit"]').click();
    const error = form.locator('[data-testid="error-row_limit"]');
    await error.waitFor();
    expect(await error.innerText()).toBe('must be at least 1');
    expect(await form.locator('input[name="row_limit"]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[role="alert"]:has-text("Invalid parameters")').count()).toBe(0);
    await shot('connection-form-invalid');
    await form.locator('button:has-text("Cancel")').click();
  });

  it('connection form: Escape closes it; Read-only with writes is refused next to the field; Test before saving; a hanging server can be cancelled', async () => {
    await open('Connections');
    await page.click('button:has-text("Add connection")');
    const form = page.locator('[data-testid="connection-form"]');
    await form.locator('input[name="id"]').press('Escape');
    await form.waitFor({ state: 'detached' });

    // A named instance as SQL Server tools write it: the port is the Browser's, so its field stands aside.
    await page.click('button:has-text("Add connection")');
    await form.locator('input[name="host"]').fill('sql01\\SQLEXPRESS');
    expect(await form.locator('input[name="port"]').isDisabled()).toBe(true);
    await shot('connection-form-named-instance');
    await form.locator('input[name="host"]').fill('');
    await form.locator('input[name="instance"]').fill('SQLEXPRESS');
    expect(await form.locator('input[name="port"]').isDisabled()).toBe(true);
    await form.locator('input[name="instance"]').fill('');
    expect(await form.locator('input[name="port"]').isDisabled()).toBe(false);
    await form.locator('button:has-text("Cancel")').click();

    await page.click('button:has-text("Add connection")');
    await form.locator('input[name="id"]').fill('contradiction');
    await form.locator('input[name="host"]').fill('127.0.0.1');
    await form.locator('input[name="port"]').fill(String(sql.port));
    await form.locator('input[name="database"]').fill('Sales');
    await form.locator('input[name="user"]').fill(svc.name);
    await form.locator('input[name="secret"]').fill(svc.password);
    await form.locator('input[name="allow_writes"]').check(); // "Read-only" is on by default
    await form.locator('button[type="submit"]').click();
    const error = form.locator('[data-testid="error-allow_writes"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('a read-only connection offers no writes');
    await form.locator('input[name="allow_writes"]').uncheck();

    // Tested as typed, before anything is saved.
    await form.locator('[data-testid="draft-test-button"]').click();
    await poll(() => form.locator('[data-testid="draft-test"]').innerText()).toMatch(
      /Connected in \d+ ms as bridge_svc to Sales/,
    );
    expect(await page.locator('[data-testid="connection-contradiction"]').count()).toBe(0);

    // A server that accepts the connection and never answers: the test can be cancelled at once.
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => void held.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      await form.locator('input[name="port"]').fill(String((silent.address() as net.AddressInfo).port));
      await form.locator('[data-testid="draft-test-button"]').click();
      await form.locator('[data-testid="draft-test-running"]').waitFor();
      expect(await form.locator('[data-testid="draft-test-button"]').isDisabled()).toBe(true);
      await shot('connection-test-running');
      await form.locator('[data-testid="draft-test-running"] button:has-text("Cancel")').click();
      await poll(() => form.locator('[data-testid="draft-test"]').innerText()).toContain('Test cancelled');
      expect(await form.locator('[data-testid="draft-test-button"]').isEnabled()).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
    await form.locator('button:has-text("Cancel")').click();
  });

  it('Test connection says a connection is not ready when its database is one the tools refuse', async () => {
    await open('Connections');
    await addConnection('sales-master', svc.password, 'master');
    const card = page.locator('[data-testid="connection-sales-master"]');
    await card.locator('button:has-text("Test connection")').click();
    const result = card.locator('[data-testid="connection-test"]');
    await result.waitFor();
    const text = await result.innerText();
    expect(text).toMatch(
      /Connected to 127\.0\.0\.1:\d+ as "bridge_svc", but the tools would refuse its database/,
    );
    expect(text).toContain('Database "master" is blocked for this connection');
    expect(text).toMatch(/Fix:.*Set Database to the one people should query/s);
    await card.locator('button:has-text("Remove")').click();
    await page.locator('[data-testid="connection-sales-master"]').waitFor({ state: 'detached' });
  });

  it('Policy: starts from the example, shows a bad table pattern next to its field, saves, and Try it shows who gets what', async () => {
    await open('Policy');
    await page.locator('main h2:has-text("Access policy")').waitFor();
    await page.click('button:has-text("Start from an example")');
    const analysts = page.locator('[data-testid="rule-1"]');
    expect(await analysts.locator('input[name="id"]').inputValue()).toBe('analysts');
    await analysts.locator('textarea[name="deny"]').fill('Employees');
    await page.click('button:has-text("Save policy")');
    const error = analysts.locator('[data-testid="error-deny"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('"schema.table"');
    await shot('policy-invalid');
    await analysts.locator('textarea[name="deny"]').fill('dbo.Employees, dbo.Departments, dbo.vEmployee*');
    await page.click('button:has-text("Save policy")');
    await page.locator('[data-testid="policy-saved"]').waitFor();

    const tryIt = page.locator('[data-testid="policy-try"]');
    await tryIt.locator('input[name="groups"]').fill('analysts');
    await tryIt.locator('input[name="email"]').fill('ann@example.com');
    await tryIt.locator('button:has-text("Show what they may do")').click();
    await poll(() => tryIt.locator('[data-testid="access-rule"]').innerText()).toContain(
      'Decided by rule analysts',
    );
    const sales = await tryIt.locator('tr[data-connection="sales"]').innerText();
    expect(sales).toContain('except dbo.Employees, dbo.Departments, dbo.vEmployee*');
    expect(sales).toContain('500');
    await shot('policy');
    await tryIt.locator('input[name="groups"]').fill('visitors');
    await tryIt.locator('button:has-text("Show what they may do")').click();
    await poll(() => tryIt.locator('[data-testid="access-refusal"]').innerText()).toContain(
      'No access-policy rule matches you',
    );

    // The IdP lab: the person of the last test sign-in (bob, in "dba") under the saved policy.
    await open('Identity providers');
    const mayDo = page.locator('[data-testid="idp-corp"] [data-testid="may-do"]');
    await poll(() => mayDo.innerText()).toContain('Decided by rule dbas');
    expect(await mayDo.innerText()).toMatch(/Tools: read, explain, write/);
    // Live in SQL Server, as bob: the policy and his grants agree; a connection that cannot log in says why.
    await mayDo.locator('[data-testid="live-sales"]').click();
    await poll(() => mayDo.locator('[data-testid="live-sales-result"]').innerText()).toMatch(
      /As database user bob in Sales: \d+ tables readable/,
    );
    await mayDo.locator('[data-testid="live-sales-wrong"]').click();
    await poll(() => mayDo.locator('[data-testid="live-sales-wrong-error"]').innerText()).toContain('18456');
    await mayDo.scrollIntoViewIfNeeded();
    await shot('idp-may-do');

    // Back to no rules, so the client tests below run under the connection profiles alone.
    await open('Policy');
    await page.locator('[data-testid="rule-1"] button:has-text("Remove")').click();
    await page.locator('[data-testid="rule-0"] button:has-text("Remove")').click();
    await page.click('button:has-text("Save policy")');
    await page.locator('[data-testid="policy-saved"]').waitFor();
    await page.locator('text=No rules: everyone who signs in').waitFor();
  });

  it('installs the connector into Claude Desktop, and says why not when the file cannot be read', async () => {
    await open('Clients');
    const card = page.locator('[data-testid="client-claude-desktop"]');
    const file = path.join(dataDir, 'xdg', 'Claude', 'claude_desktop_config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ "mcpServers": { "files": {"command": "fs"} }, }');
    await card.locator('[data-testid="install-claude"]').click();
    const outcome = card.locator('[data-testid="install-claude-outcome"]');
    await poll(() => outcome.innerText()).toMatch(/is not valid JSON .* so it was left unchanged\. Fix it/);
    expect(await outcome.getAttribute('role')).toBe('alert');
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "mcpServers": { "files": {"command": "fs"} }, }');

    fs.writeFileSync(file, '{ "mcpServers": { "files": {"command": "fs"} } }');
    await card.locator('[data-testid="install-claude"]').click();
    await poll(() => outcome.innerText()).toContain(`Added to ${file} (previous file kept as`);
    const servers = (
      JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpServers: Record<string, { args: string[] }> }
    ).mcpServers;
    expect(servers.files).toEqual({ command: 'fs' });
    expect(servers['mssql-mcp-bridge']!.args).toEqual(
      expect.arrayContaining(['connect', '--url', `${origin}/mcp`]),
    );
    await card.locator('summary').click();
    expect(await card.locator('[data-testid="vscode-install"]').count()).toBe(0); // claude-desktop's redirects are not VS Code's
    await shot('clients-install');
    await card.locator('summary').click();
  });

  it('copies a Claude Desktop config that names the bridge and the pre-registered client', async () => {
    await open('Clients');
    const card = page.locator('[data-testid="client-claude-desktop"]');
    await card.locator('summary').click();
    await card.locator('[data-testid="copy-mcp-remote"]').click();
    await card.locator('button:has-text("Copied")').waitFor();
    claudeConfig = JSON.parse(
      await page.evaluate<string>('navigator.clipboard.readText()'),
    ) as typeof claudeConfig;
    const { command, args } = claudeConfig.mcpServers['mssql-mcp-bridge'];
    expect(command).toBe('npx');
    expect(args.slice(0, 3)).toEqual(['-y', 'mcp-remote', `${origin}/mcp`]);
    expect(JSON.parse(args[args.indexOf('--static-oauth-client-info') + 1]!)).toEqual({
      client_id: 'claude-desktop',
    });
    await shot('clients');
  });

  it('shares the sign-in on this computer with a connector the person allows, and takes it back', async () => {
    await open('Clients');
    const panel = page.locator('[data-testid="shared-sign-in"]');
    await panel.waitFor();
    expect(await askBroker(dataDir, 'claude-desktop', 'e2e connector')).toMatchObject({
      status: 'signed_out',
    });
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      panel.locator('[data-testid="sign-in-here"]').click(),
    ]);
    await tab.waitForSelector('text=Test sign-in succeeded'); // the IdP session from the earlier tests
    await tab.close();
    await poll(() => panel.innerText()).toContain('Signed in on this computer as bob@example.com');
    // A connector asks: the person sees it and allows it; the next ask is answered with a code.
    expect(await askBroker(dataDir, 'claude-desktop', 'Claude Desktop connector (pid 1)')).toMatchObject({
      status: 'pending',
    });
    // Wherever the person is: at the top of every page, counted on "Waiting for you".
    await open('Status');
    const request = page.locator('[data-testid="broker-request"]');
    await poll(() => request.innerText()).toContain('Claude Desktop connector (pid 1)');
    expect(await page.locator('[data-testid="waiting-count"]').innerText()).toBe('1');
    await shot('clients-shared-sign-in-request');
    await request.locator('button:has-text("Allow")').click();
    await request.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="waiting-count"]').count()).toBe(0);
    await open('Clients');
    await panel.locator('[data-testid="broker-allowances"]').waitFor();
    expect(await askBroker(dataDir, 'claude-desktop', 'Claude Desktop connector (pid 1)')).toMatchObject({
      status: 'ok',
    });
    await shot('clients-shared-sign-in');
    await panel.locator('[data-testid="broker-allowances"] button:has-text("Remove")').click();
    await panel.locator('[data-testid="broker-allowances"]').waitFor({ state: 'detached' });
    expect(await askBroker(dataDir, 'claude-desktop', 'again')).toMatchObject({ status: 'pending' });
    // Refused: the connector goes to the browser instead.
    await page.locator('[data-testid="broker-request"] button:has-text("Refuse")').click();
    await page.locator('[data-testid="broker-request"]').waitFor({ state: 'detached' });
  });

  it('a real client signs in with that config: its token and tool calls appear live; Revoke refuses it at once', async () => {
    await open('Status');
    await poll(() => page.locator('[data-testid="no-problems"]').count()).toBe(1);
    await shot('status-ready');
    await open('Inspector');
    await page.locator('[data-testid="live"]:has-text("live")').waitFor();
    expect(await page.locator('[data-testid="tokens"] tr[data-jti]').count()).toBe(0);

    // Exactly what Claude Desktop would run, with the local mcp-remote instead of `npx -y mcp-remote`.
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-ui-'));
    const remote = startMcpRemote(claudeConfig.mcpServers['mssql-mcp-bridge'].args.slice(2), configDir);
    try {
      await signInThroughMcpRemote(browser, remote, { user: 'alice', callbackPrefix: 'http://localhost:' });
      const tokenRow = page.locator('[data-testid="tokens"] tr[data-jti]');
      await tokenRow.first().waitFor(); // pushed live: no reload
      expect(await tokenRow.first().innerText()).toContain('claude-desktop');
      const grantRow = page.locator('[data-testid="grants"] tr[data-grant]');
      await poll(() => grantRow.first().innerText()).toContain('alice@example.com');

      await remote.request('initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'claude-desktop-like', version: '1' },
      });
      remote.notify('notifications/initialized');
      const call = await remote.request('tools/call', {
        name: 'run_query',
        arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
      });
      expect(call.result, JSON.stringify(call)).toMatchObject({ structuredContent: { rows: [[1000]] } });
      const feedRow = page.locator('[data-testid="feed"] tr[data-tool="run_query"][data-outcome="ok"]');
      await feedRow.first().waitFor();
      expect(await feedRow.first().innerText()).toContain('alice@example.com');
      // The statement, expandable; the session it opened; whoami; a request refused before any tool.
      await feedRow.first().locator('[data-testid="statement"] summary').click();
      expect(await feedRow.first().locator('[data-testid="statement"] pre').innerText()).toBe(
        'SELECT COUNT(*) AS n FROM Customers',
      );
      const opened = page.locator('[data-testid="feed"] tr[data-tool="initialize"][data-outcome="ok"]');
      await poll(() => opened.first().innerText()).toContain('session opened');
      // Self-registered or pre-registered, a client is shown by its name (the id is its tooltip).
      await poll(() => opened.first().innerText()).toContain('Claude Desktop');
      await remote.request('tools/call', { name: 'whoami', arguments: {} });
      await page.locator('[data-testid="feed"] tr[data-tool="whoami"]').first().waitFor();
      const anonymous = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(anonymous.status).toBe(401);
      const refused = page.locator('[data-testid="feed"] tr[data-tool="POST /mcp"][data-outcome="refused"]');
      await poll(() => refused.first().innerText()).toContain('refused 401');
      // Kept in the audit log: still there after a reload, with the date, not only the time.
      await page.reload();
      await refused.first().waitFor();
      expect(await refused.first().locator('td').first().innerText()).toMatch(/\d{1,2}\/\d{1,2}\/\d{4}/);
      // Filters search the whole log: by tool, then by text in the statement, then cleared.
      await page.selectOption('select[name="filter-tool"]', 'run_query');
      await page.locator('[data-testid="audit-search"]').click();
      await poll(() => page.locator('[data-testid="feed"] tbody tr').count()).toBe(1);
      expect(await page.locator('[data-testid="audit-range"]').innerText()).toContain('Entries 1–1 of 1');
      await page.selectOption('select[name="filter-tool"]', '');
      await page.fill('input[name="filter-text"]', 'from customers');
      await page.locator('[data-testid="audit-search"]').click();
      await poll(() => page.locator('[data-testid="feed"] tbody tr').count()).toBe(1);
      // Export of the filtered range: a CSV a spreadsheet opens, with the statement and the connection.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-testid="export-csv"]').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^mssql-mcp-bridge-audit-.*\.csv$/);
      const csv = fs
        .readFileSync(await download.path(), 'utf8')
        .trim()
        .split('\n');
      expect(csv[0]).toMatch(
        /^id,time_utc,person,subject,db_user,client_id,client_name,tool,connection,database,statement,/,
      );
      expect(csv).toHaveLength(2);
      expect(csv[1]).toContain('SELECT COUNT(*) AS n FROM Customers');
      expect(csv[1]).toContain('alice@example.com');
      await page.locator('button:has-text("Clear")').click();
      await poll(() => page.locator('[data-testid="feed"] tbody tr').count()).toBeGreaterThan(2);
      await shot('inspector-audit-log');

      await tokenRow.first().locator('button.link').click();
      // Time claims are also shown as dates, not only as seconds since 1970.
      expect(await page.locator('[data-testid="claim-times"] dt').allInnerTexts()).toEqual(
        expect.arrayContaining(['iat', 'exp']),
      );
      const claims = await page.locator('[data-testid="token-claims"] pre').innerText();
      expect(JSON.parse(claims)).toMatchObject({
        client_id: 'claude-desktop',
        aud: `${origin}/mcp`,
        sub: 'alice',
      });
      await shot('inspector');

      const accessToken = readMcpRemoteToken(configDir);
      expect((await postInitialize(`${origin}/mcp`, accessToken)).status).toBe(200);
      // Revoke asks first (the dialog names whose session); declining changes nothing.
      const asked: string[] = [];
      page.off('dialog', acceptDialog);
      page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
      await grantRow.first().locator('button:has-text("Revoke session")').click();
      await poll(() => asked.length).toBe(1);
      page.on('dialog', acceptDialog);
      expect(asked[0]).toContain('Revoke this session of alice');
      expect((await postInitialize(`${origin}/mcp`, accessToken)).status).toBe(200);
      await grantRow.first().locator('button:has-text("Revoke session")').click();
      await poll(() => grantRow.first().innerText()).toContain('revoked in this app');
      expect((await postInitialize(`${origin}/mcp`, accessToken)).status).toBe(401);
      await poll(() => tokenRow.first().innerText()).toContain('revoked');
      await shot('inspector-revoked');
    } finally {
      remote.close();
      fs.rmSync(configDir, { recursive: true, force: true });
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('accessibility: axe-core finds no serious violation on any page, light or dark; the layout holds at 800x600', async () => {
    const axeSource = fs.readFileSync(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');
    const audit = async () => {
      // Evaluated through the DevTools protocol, which the page's CSP (no inline script) does not govern.
      await page.evaluate(axeSource);
      return page.evaluate<string[]>(`(async () => {
        const { violations } = await axe.run(document);
        return violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '));
      })()`);
    };
    const pages = ['Status', 'Identity providers', 'Connections', 'Tools', 'Policy', 'Clients', 'Inspector'];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const label of pages) {
        await open(label);
        await page.locator('main h2').first().waitFor();
        expect(await audit(), `${label} (${scheme})`).toEqual([]);
        if (scheme === 'dark') await shot(`dark-${label.toLowerCase().replaceAll(' ', '-')}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 800, height: 600 });
    try {
      for (const label of ['Status', 'Connections', 'Inspector', 'Policy']) {
        await open(label);
        await page.locator('main h2').first().waitFor();
        // The page itself never scrolls sideways; wide tables scroll inside their panel.
        expect(
          await page.evaluate<number>('document.documentElement.scrollWidth'),
          label,
        ).toBeLessThanOrEqual(800);
        // The bar of pages is one row, not a third of the screen.
        expect((await page.locator('nav').boundingBox())!.height, label).toBeLessThan(60);
        await shot(`narrow-${label.toLowerCase()}`);
      }
      // Ids and URLs stay whole: the MCP URL on one line, the audit log's client and token ids unbroken.
      await open('Status');
      const url = (await page.locator('[data-testid="mcp-url"]').boundingBox())!;
      expect(url.height).toBeLessThan(24);
      await open('Inspector');
      for (const cell of await page.locator('[data-testid="tokens"] td code').all())
        expect((await cell.boundingBox())!.height).toBeLessThan(24);
      // A connector waiting on the person, and a named instance in the form, at this size too.
      expect(await askBroker(dataDir, 'vscode', 'narrow-screen connector')).toMatchObject({
        status: 'pending',
      });
      await page.locator('[data-testid="broker-request"]').waitFor();
      await shot('narrow-waiting-sign-in');
      await page.locator('[data-testid="broker-request"] button:has-text("Refuse")').click();
      await page.locator('[data-testid="broker-request"]').waitFor({ state: 'detached' });
      await open('Connections');
      await page.click('button:has-text("Add connection")');
      await page.locator('[data-testid="connection-form"] input[name="host"]').fill('sql01\\SQLEXPRESS');
      await shot('narrow-connection-form-named-instance');
      await page.locator('[data-testid="connection-form"] button:has-text("Cancel")').click();
      // The skip link is the first stop of the keyboard on a freshly loaded page, and moves focus to the page.
      await page.reload();
      await page.locator('main h2').first().waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to the page');
      await page.keyboard.press('Enter');
      expect(await page.evaluate<string>('document.activeElement?.id')).toBe('main');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('Sign out forgets the token in this tab and says how to come back; the link signs in again', async () => {
    await open('Status');
    await page.locator('[data-testid="sign-out"]').click();
    const banner = page.locator('[role="alert"]:has-text("Signed out")');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('open the link printed by "serve --ui" again');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('bridge.controlToken')")).toBeNull();
    await page.goto(uiUrl);
    await page.locator('main h2').first().waitFor();
  });
});

function acceptDialog(d: Dialog): void {
  void d.accept();
}

async function addIdp(p: {
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret?: string;
}) {
  await page.click('button:has-text("Add identity provider")');
  const form = page.locator('[data-testid="idp-form"]');
  await form.locator('select[name="preset"]').selectOption('generic');
  await form.locator('input[name="id"]').fill(p.id);
  await form.locator('input[name="display_name"]').fill(p.name);
  await form.locator('input[name="issuer"]').fill(p.issuer);
  await form.locator('input[name="client_id"]').fill(p.client_id);
  if (p.client_secret) await form.locator('input[name="client_secret"]').fill(p.client_secret);
  // Groups feed the access policy; the test IdP (as Okta) releases them for the "groups" scope.
  if (p.id === 'corp') await form.locator('input[name="scopes"]').fill('openid profile email groups');
  if (p.id === 'corp') await shot('idp-form');
  await form.locator('button[type="submit"]').click();
  await page.locator(`[data-testid="idp-${p.id}"]`).waitFor();
}

async function addConnection(id: string, password: string, database = 'Sales') {
  await page.click('button:has-text("Add connection")');
  const form = page.locator('[data-testid="connection-form"]');
  // No database is suggested: the server's own (master) is blocked by default.
  expect(await form.locator('input[name="database"]').inputValue()).toBe('');
  await form.locator('input[name="id"]').fill(id);
  await form.locator('input[name="name"]').fill(`Sales (${id})`);
  await form.locator('input[name="host"]').fill('127.0.0.1');
  await form.locator('input[name="port"]').fill(String(sql.port));
  await form.locator('input[name="database"]').fill(database);
  await form.locator('input[name="user"]').fill(svc.name);
  await form.locator('input[name="secret"]').fill(password);
  await form.locator('input[name="encrypt"]').uncheck();
  if (id === 'sales') await shot('connection-form');
  await form.locator('button[type="submit"]').click();
  await page.locator(`[data-testid="connection-${id}"]`).waitFor();
}

function readMcpRemoteToken(configDir: string): string {
  const file = fs
    .readdirSync(configDir, { recursive: true })
    .map(String)
    .find((f) => f.endsWith('_tokens.json'));
  if (!file) throw new Error('mcp-remote stored no tokens');
  return (JSON.parse(fs.readFileSync(path.join(configDir, file), 'utf8')) as { access_token: string })
    .access_token;
}
