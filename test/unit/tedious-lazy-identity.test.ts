import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * patches/tedious+*.patch makes tedious load @azure/identity (~39 MB resident) on first use instead of at
 * import. Checked in a fresh Node process: importing the driver leaves it unloaded, and the lazy require, made
 * from tedious's own directory, finds the credential classes tedious constructs for Entra sign-in.
 */
describe('tedious loads @azure/identity only when a connection signs in with Microsoft Entra', () => {
  it('is not loaded by importing mssql, and resolves from tedious when needed', () => {
    const script = `
      const path = require('node:path');
      require('mssql');
      const loaded = Object.keys(require.cache).some((f) => f.includes('@azure/identity'));
      const fromTedious = require(require.resolve('@azure/identity', { paths: [path.dirname(require.resolve('tedious'))] }));
      const classes = ['UsernamePasswordCredential', 'ManagedIdentityCredential', 'DefaultAzureCredential', 'ClientSecretCredential']
        .filter((c) => typeof fromTedious[c] === 'function');
      const source = require('node:fs').readFileSync(require.resolve('tedious/lib/connection.js'), 'utf8');
      console.log(JSON.stringify({ loaded, classes, patched: source.includes('(_identityModule ??= require("@azure/identity"))') }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      loaded: boolean;
      classes: string[];
      patched: boolean;
    };
    expect(out).toEqual({
      loaded: false,
      classes: [
        'UsernamePasswordCredential',
        'ManagedIdentityCredential',
        'DefaultAzureCredential',
        'ClientSecretCredential',
      ],
      patched: true,
    });
  });
});
