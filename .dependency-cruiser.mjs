// Layers of the main process, checked the way VS Code's `code-layering` lint does: a folder may import its
// own modules and those of folders before it in this order, never a later one. Type-only imports count (a
// type import is still a dependency of meaning), and so do cycles between modules of one folder.
const LAYERS = [
  // foundation: what everything stands on
  ['version', 'config', 'state', 'secrets', 'pages'],
  // domain: sign-in, SQL Server, access, the authorization server
  ['idp', 'sql', 'policy', 'oauth'],
  // surfaces: what clients and people reach
  ['mcp', 'broker', 'connector', 'http', 'control', 'tray'],
  // composition: builds the rest, nothing imports it but other composition
  ['open-state', 'core', 'demo', 'cli', 'electron'],
];
const ORDER = LAYERS.flat();
const LAYER_NAMES = ['foundation', 'domain', 'surfaces', 'composition'];
const layerOf = (folder) => LAYER_NAMES[LAYERS.findIndex((l) => l.includes(folder))];
// `name.ts` directly in app/main and the folder `name/` are one unit.
const unit = (folder) => `^app/main/${folder}(/|[.]ts$)`;

const layerRules = ORDER.slice(0, -1).map((folder, i) => ({
  name: `layer-${folder}`,
  comment: `app/main/${folder} (${layerOf(folder)}) may not import what comes after it: ${ORDER.slice(i + 1).join(', ')}.`,
  severity: 'error',
  from: { path: unit(folder) },
  to: { path: `^app/main/(${ORDER.slice(i + 1).join('|')})(/|[.]ts$)` },
}));

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle hides which module composes which; move the shared type to a module of its own.',
      severity: 'error',
      from: { path: '^app/' },
      to: { circular: true },
    },
    {
      name: 'main-folder-known',
      comment: 'Every folder of app/main has a place in the layers (.dependency-cruiser.mjs): add it there.',
      severity: 'error',
      from: { path: '^app/main/', pathNot: `^app/main/(${ORDER.join('|')})(/|[.]ts$)` },
      to: {},
    },
    {
      name: 'state-sql-inside-state',
      comment:
        'The state database is reached through the stores of app/main/state (rows checked on read), never with SQL written elsewhere; only the composition opens it.',
      severity: 'error',
      from: { path: '^app/main/', pathNot: '^app/main/(state/|open-state[.]ts$|demo[.]ts$)' },
      to: { path: '^app/main/state/(sql|sqlite-sql|postgres-sql|database|postgres-schema|migrations)[.]ts$' },
    },
    ...layerRules,
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
