import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/main/config/load.js';
import { DEFAULT_PORT } from '../../app/shared/config-schema.js';
import { APP_VERSION } from '../../app/main/version.js';

describe('configuration', () => {
  it('has secure, documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.server.host).toBe('127.0.0.1');
    expect(c.server.port).toBe(DEFAULT_PORT);
    expect(c.oauth.access_token_ttl_seconds).toBe(900);
    expect(c.oauth.code_ttl_seconds).toBe(60);
    expect(c.oauth.refresh_grace_seconds).toBe(10);
    expect(c.oauth.dcr).toEqual({ enabled: true, allowed_redirect_patterns: [], max_per_hour: 20 });
    expect(c.oauth.client_id_metadata_documents).toBe(false);
    expect(c.oauth.clients.map((x) => x.client_id)).toEqual(['claude-desktop', 'vscode', 'mcp-inspector']);
    expect(c.oauth.clients.find((x) => x.client_id === 'vscode')!.redirect_uris).toEqual([
      'http://127.0.0.1/',
      'https://vscode.dev/redirect',
    ]);
  });

  it('reads a file, then environment overrides, and takes IdP secrets from the environment', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'c.json');
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

  it('names the file and key of a mistake', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'bad.json');
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
});

describe('version', () => {
  it('the app reports the version package.json declares', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(APP_VERSION).toBe(pkg.version);
  });
});
