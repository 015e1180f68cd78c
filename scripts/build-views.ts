/**
 * The MCP App views (app/views): each into one self-contained HTML file, dist/views/<name>.html, its scripts and
 * styles inlined (vite-plugin-singlefile), so the view needs no network origin at all (its CSP asks for none).
 */
import fs from 'node:fs';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

export const VIEW_NAMES = ['results', 'schema', 'write'] as const;
const root = path.join(import.meta.dirname, '..');
const outDir = path.join(root, 'dist', 'views');

export async function buildViews(): Promise<Record<string, number>> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const sizes: Record<string, number> = {};
  // One build per view: a single-file build has one entry.
  for (const name of VIEW_NAMES) {
    await build({
      configFile: false,
      root: path.join(root, 'app', 'views'),
      logLevel: 'warn',
      plugins: [react(), viteSingleFile()],
      build: {
        outDir,
        emptyOutDir: false,
        target: 'es2022',
        rollupOptions: { input: path.join(root, 'app', 'views', `${name}.html`) },
      },
    });
    sizes[name] = fs.statSync(path.join(outDir, `${name}.html`)).size;
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await buildViews();
  for (const [name, bytes] of Object.entries(sizes))
    console.log(`dist/views/${name}.html ${(bytes / 1024).toFixed(0)} KiB`);
}
