/**
 * Builds the three Electron targets: the main process (ESM, node_modules left external for electron-builder),
 * the preload (one CommonJS file: a sandboxed preload may require nothing but `electron`), and the renderer
 * (Vite). Output: dist/electron/{main.mjs,preload.cjs} and dist/renderer/.
 */
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

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
  build({
    ...common,
    entryPoints: ['app/preload/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
  viteBuild({ logLevel: 'warn' }),
]);
console.log('Built dist/electron (main.mjs, preload.cjs) and dist/renderer.');
