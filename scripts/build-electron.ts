/**
 * Builds the three Electron targets: the main process (ESM, node_modules left external for electron-builder),
 * the preload (one CommonJS file: a sandboxed preload may require nothing but `electron`), and the renderer
 * (Vite), and the MCP App views (scripts/build-views.ts). Output: dist/electron/{main.mjs,preload.cjs},
 * dist/renderer/ and dist/views/.
 */
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { buildViews } from './build-views.js';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  sourcemap: true,
  logLevel: 'warning',
} as const;

await Promise.all([
  build({
    ...common,
    entryPoints: ['app/main/electron/main.ts'],
    outfile: 'dist/electron/main.mjs',
    format: 'esm',
    packages: 'external',
  }),
  // The CLI beside main.mjs: the packaged app runs it in Node mode (ELECTRON_RUN_AS_NODE) for `connect`.
  build({
    ...common,
    entryPoints: ['app/main/cli.ts'],
    outfile: 'dist/electron/cli.mjs',
    format: 'esm',
    packages: 'external',
    // The demo (test IdP, TDS test server) is not part of the app: `demo` is for a checkout.
    external: ['./demo.js'],
  }),
  build({
    ...common,
    entryPoints: ['app/preload/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
  viteBuild({ logLevel: 'warn' }),
]);
// After the renderer: both are Vite builds, and Vite builds are not run side by side.
await buildViews();
console.log('Built dist/electron (main.mjs, cli.mjs, preload.cjs), dist/renderer and dist/views.');
