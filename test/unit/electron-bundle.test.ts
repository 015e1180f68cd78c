/**
 * The Electron bundles (built by `npm run build`, which `npm test` runs first) cannot be started here, so their
 * shape is checked: a sandboxed preload may require nothing but `electron`, and the main process may import
 * only Node built-ins, `electron` and the package's runtime dependencies (a devDependency would be missing
 * from the packaged app).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/processes.js';

const read = (f: string) => {
  const file = path.join(REPO, 'dist/electron', f);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run "npm run build" (npm test does).`);
  return fs.readFileSync(file, 'utf8');
};
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
};

describe('Electron bundles', () => {
  it('preload requires only electron and exposes only the contract', () => {
    const preload = read('preload.cjs');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("bridge"');
    expect(preload).not.toMatch(/exposeInMainWorld\("(?!bridge)/);
  });

  it.each(['main.mjs', 'cli.mjs'])('%s imports only built-ins, electron and runtime dependencies', (file) => {
    const main = read(file);
    const specifiers = new Set([
      ...[...main.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!),
      ...[...main.matchAll(/createRequire\d*\([^)]*\)\("([^"]+)"\)/g)].map((m) => m[1]!),
    ]);
    const allowed = (s: string) => {
      if (s.startsWith('node:') || s === 'electron') return true;
      const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
      return name in pkg.dependencies;
    };
    expect([...specifiers].filter((s) => !allowed(s))).toEqual([]);
    if (file === 'main.mjs') {
      expect(specifiers).toContain('electron');
      expect(pkg.main).toBe('dist/electron/main.mjs');
    } else {
      // The connector runs in Node mode (ELECTRON_RUN_AS_NODE), where there is no electron module.
      expect(specifiers).not.toContain('electron');
    }
  });
});
