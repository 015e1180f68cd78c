#!/usr/bin/env bash
# The project's test command: type-check, lint, then every test inside a private D-Bus session with an
# unlocked gnome-keyring (the real Secret Service behind keytar).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx prettier --check . >/dev/null || { echo "prettier: files need formatting (npm run format)" >&2; exit 1; }
exec bash scripts/with-keyring.sh npx vitest run "$@"
