import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/main/config/load.js';
import { DEFAULT_PORT } from '../../app/shared/config-schema.js';
import { APP_VERSION } from '../../app/main/version.js';

/** Temporary directories of a test, removed after it: a suite leaves nothing behind. */
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('configuration', () => {
  it('has secure, documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.server.host).toBe('127.0.0.1');
    expect(c.server.port).toBe(DEFAULT_PORT);
    expect(c.oauth.access_token_ttl_seconds).toBe(900);
    expect(c.oauth.code_ttl_seconds).toBe(60);
    expect(c.oauth.refresh_grace_seconds).toBe(10);
    expect(c.oauth.dcr).toEqual({ enabled: true, allowed_redirect_patterns: [], max_per_hour: 20 });
    expect(c.oauth.client_id_metadata_documents).toBe(true);
    expect(c.oauth.cimd_allowed_hosts).toEqual(['claude.ai', 'vscode.dev']);
    expect(c.oauth.clients.map((x) => x.client_id)).toEqual(['claude-desktop', 'vscode', 'mcp-inspector']);
    expect(c.oauth.clients.find((x) => x.client_id === 'vscode')!.redirect_uris).toEqual([
      'http://127.0.0.1/',
      'https://vscode.dev/redirect',
    ]);
  });

  it('reads a file, then environment overrides, and takes IdP secrets from the environment', () => {
    const file = path.join(tempDir(), 'c.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        server: { port: 9000 },
        idp: {
          profiles: [
            {
              id: 'corp-okta',
              preset: 'okta',
              issuer: 'https://corp.okta.com/oauth2/default',
              client_id: 'abc',
            },
          ],
        },
      }),
    );
    const c = loadConfig({
      file,
      env: { MSSQL_MCP_PORT: '9100', MSSQL_MCP_IDP_CORP_OKTA_CLIENT_SECRET: 'from-env' },
    });
    expect(c.server.port).toBe(9100);
    expect(c.idp.profiles[0]!.client_secret).toBe('from-env');
  });

  it('reads secrets from the environment or from the files *_FILE names, never from the config file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'sql-password'), 'from-a-mounted-file\n');
    const c = loadConfig({
      env: {
        MSSQL_MCP_IDP_CORP_CLIENT_SECRET: 'idp-secret',
        MSSQL_MCP_SQL_SALES_DB_PASSWORD_FILE: path.join(dir, 'sql-password'),
      },
      overrides: {
        idp: { profiles: [{ id: 'corp', issuer: 'https://idp.example', client_id: 'c' }] },
        sql: { profiles: [{ id: 'sales-db', host: 'h', auth: { type: 'sql', user: 'u' } }] },
      },
    });
    expect(c.idp.profiles[0]!.client_secret).toBe('idp-secret');
    expect(c.sql.profiles[0]!.auth).toEqual({ type: 'sql', user: 'u', password: 'from-a-mounted-file' });
    expect(() =>
      loadConfig({
        env: { MSSQL_MCP_IDP_CORP_CLIENT_SECRET_FILE: path.join(dir, 'missing') },
        overrides: { idp: { profiles: [{ id: 'corp', issuer: 'https://idp.example', client_id: 'c' }] } },
      }),
    ).toThrow(/Cannot read MSSQL_MCP_IDP_CORP_CLIENT_SECRET_FILE/);
  });

  it('names the file and key of a mistake', () => {
    const file = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ server: { port: 'eighty' }, typo: true }));
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toContain('server.port');
      expect((err as Error).message).toContain('typo');
    }
    fs.writeFileSync(file, '{ not json');
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
  });

  it('refuses a misspelt key at any depth, naming its path, line and the key it likely meant', () => {
    const file = path.join(tempDir(), 'typos.json');
    const config = {
      server: { prot: 9000 },
      sql: {
        profiles: [
          {
            id: 'sales',
            host: 'db',
            auth: { type: 'sql', user: 'u', pasword: 'x' },
            blocked_database: ['Payroll'],
            row_limt: 50,
          },
        ],
      },
      policy: { rules: [{ id: 'r', tables: { alow: ['a.b'] } }] },
      idp: {
        profiles: [
          { id: 'corp', issuer: 'https://idp.example', client_id: 'c', extra_auth_params: { a: 'b' } },
        ],
      },
    };
    const text = JSON.stringify(config, null, 2);
    fs.writeFileSync(file, text);
    const lineOf = (key: string) => text.split('\n').findIndex((l) => l.includes(`"${key}"`)) + 1;
    let message = '';
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain(`Invalid configuration in ${file}`);
    expect(message).toContain(
      `server.prot (line ${lineOf('prot')}): unknown key "prot"; did you mean "port"?`,
    );
    expect(message).toContain(
      `sql.profiles[0].blocked_database (line ${lineOf('blocked_database')}): unknown key "blocked_database"; did you mean "blocked_databases"?`,
    );
    expect(message).toContain(
      `sql.profiles[0].row_limt (line ${lineOf('row_limt')}): unknown key "row_limt"; did you mean "row_limit"?`,
    );
    // Inside the branch of a discriminated union (auth type "sql").
    expect(message).toContain(
      `sql.profiles[0].auth.pasword (line ${lineOf('pasword')}): unknown key "pasword"; did you mean "password"?`,
    );
    expect(message).toContain(
      `policy.rules[0].tables.alow (line ${lineOf('alow')}): unknown key "alow"; did you mean "allow"?`,
    );
    // Said once each (the strict objects of the schema would say them again without a suggestion).
    expect(message).not.toContain('Unrecognized key');
    // A record's keys are its own (extra_auth_params takes any name).
    expect(message).not.toContain('extra_auth_params.a');

    // Nothing like a valid key: the valid keys are listed instead.
    fs.writeFileSync(file, JSON.stringify({ audit: { keep_forever: true } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(
      /audit\.keep_forever \(line 1\): unknown key "keep_forever"; the keys there are max_rows, max_age_days/,
    );
  });
});

describe('version', () => {
  it('the app reports the version package.json declares', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(APP_VERSION).toBe(pkg.version);
  });
});

describe('team mode settings', () => {
  it('takes the public URL, trusted proxies and the state URL (or its file) from the environment', () => {
    const urlFile = path.join(tempDir(), 'state-url');
    fs.writeFileSync(urlFile, 'postgres://bridge:pw@db/bridge\n');
    const c = loadConfig({
      env: {
        MSSQL_MCP_PUBLIC_URL: 'https://bridge.corp.example/',
        MSSQL_MCP_TRUSTED_PROXIES: '10.0.0.2, ::1',
        MSSQL_MCP_STATE_URL_FILE: urlFile,
      },
    });
    expect(c.server.public_url).toBe('https://bridge.corp.example');
    expect(c.server.trusted_proxies).toEqual(['10.0.0.2', '::1']);
    expect(c.state.url).toBe('postgres://bridge:pw@db/bridge');
    expect(loadConfig({ env: {} }).state.url).toBeUndefined();
  });

  it('refuses a public URL that is not an https origin, a proxy that is not an address, a state URL not postgres', () => {
    const refuse = (overrides: object, field: RegExp) =>
      expect(() => loadConfig({ env: {}, overrides })).toThrow(field);
    refuse({ server: { public_url: 'http://bridge.corp.example' } }, /server\.public_url: must be https/);
    refuse(
      { server: { public_url: 'https://bridge.corp.example/mcp' } },
      /server\.public_url: must be an origin only/,
    );
    refuse({ server: { trusted_proxies: ['proxy.corp'] } }, /server\.trusted_proxies\[0\]: /);
    refuse({ state: { url: 'mysql://db/x' } }, /state\.url: must be a postgres/);
  });
});
