import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'package.json'), 'utf8'));
// Main-process code may import only what the packaged app ships (electron-builder drops devDependencies;
// the renderer and preload are bundled whole, so their libraries are build-time devDependencies);
// `electron` is the exception electron-builder itself requires to be a devDependency.
const devOnly = Object.keys(pkg.devDependencies).filter((name) => name !== 'electron');
const noDevDependencies = devOnly.map((name) => ({
  group: [name, `${name}/*`],
  message: `${name} is a devDependency: the packaged app does not have it.`,
}));
// Code that runs outside the main process (the sandboxed renderer, the preload) and the folder it shares
// with main reach main-process code only through the control contract in app/shared (VS Code's layering).
const noMainProcess = {
  group: ['**/main/**', '**/main'],
  message: 'Runs outside the main process: import from app/shared (the control contract and its types) only.',
};

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'out', 'coverage', '.cache', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-console': 'off',
    },
  },
  {
    // Product code is linted with its types: floating promises, unsafe `any` flows and misused promises are
    // the bugs a strict compile still lets through.
    files: ['app/**/*.{ts,tsx}', 'packages/*/src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Handlers implement Promise-returning contracts (control API, oidc-provider adapters) without awaiting.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
    },
  },
  {
    files: ['app/renderer/**/*.{ts,tsx}', 'app/views/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    files: ['app/main/**', 'app/mcpb/**'],
    // The demo (test IdP, TDS test server) runs from a checkout only; the app's CLI bundle leaves it out.
    ignores: ['app/main/demo.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: noDevDependencies }] },
  },
  {
    files: ['app/renderer/**', 'app/preload/**', 'app/views/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noMainProcess] }] },
  },
  {
    files: ['app/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noMainProcess,
            ...noDevDependencies,
            { group: ['node:*'], message: 'app/shared also runs in the renderer: no Node built-ins.' },
          ],
        },
      ],
    },
  },
);
