import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The renderer: served at /ui/ by `serve --ui` and loaded from file:// by Electron, hence relative paths. */
export default defineConfig({
  root: 'app/renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../../dist/renderer', emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
