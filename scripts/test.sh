#!/usr/bin/env bash
# The project's test command: type-check, lint, then every test inside a private D-Bus session with an
# unlocked gnome-keyring (the real Secret Service behind keytar). Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tested runtime is the shipped one: `npm test` runs this through scripts/node24.sh.
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" = 24 ] || { echo "Tests run on Node 24 (Electron 45's); this is Node $major. Run: npm test" >&2; exit 1; }
npx tsc -p tsconfig.json --noEmit
npx eslint .
# Layers of the main process and no import cycles, type-only imports counted (.dependency-cruiser.mjs).
npx depcruise app --config .dependency-cruiser.mjs
npx prettier --check . >/dev/null || { echo "prettier: files need formatting (npm run format)" >&2; exit 1; }
npx tsc -p app/renderer/tsconfig.json --noEmit
npx tsc -p app/views/tsconfig.json --noEmit
npx tsc -p e2e/apps-host/tsconfig.json --noEmit
# The UI, the MCP App views and the Electron bundles: the browser tests load dist/renderer and dist/views, the
# bundle test reads dist/electron.
npx tsx scripts/build-electron.ts
mkdir -p test-results
status=0
# All three tiers (unit, integration, e2e: see vitest.config.ts), with coverage of the in-process code.
bash scripts/with-keyring.sh npx vitest run --coverage --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  const fs = require("fs"), summary = "test-results/coverage/coverage-summary.json";
  if (fs.existsSync(summary)) {
    const c = JSON.parse(fs.readFileSync(summary, "utf8")).total;
    console.log(`Coverage (in-process code): ${c.lines.pct}% of lines, ${c.branches.pct}% of branches`);
  }
' || true
# A test suite leaves nothing behind: any process still running this checkout's code, or a PostgreSQL or nginx
# the harness started in a temporary directory, fails the run.
left=$( (ps -eo pid=,args= | grep -F "$PWD/" | grep -E 'node|chromium'; ps -eo pid=,args= | grep -E '/bridge-(pg|nginx)-') | grep -v -e grep -e "$$" || true)
if [ -n "$left" ]; then
  echo "Processes left running by the tests:" >&2
  echo "$left" | cut -c1-200 >&2
  echo "$left" | awk '{print $1}' | xargs -r kill -9 2>/dev/null || true
  status=1
fi
exit "$status"
