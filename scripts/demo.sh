#!/usr/bin/env bash
# `npm run demo`: on a Linux machine with no desktop session (no D-Bus), give the demo a private unlocked
# gnome-keyring; on a desktop the user's own keychain is used.
set -euo pipefail
cd "$(dirname "$0")/.."
# --ui serves the desktop UI in the browser: build it first (a few seconds).
for arg in "$@"; do
  if [ "$arg" = --ui ]; then npx vite build --logLevel warn; fi
done
# One process for the bridge (node with tsx's loader, not the tsx command, which forks a second one), reached by
# `exec` all the way from npm: a SIGTERM to the pid a service manager started reaches it.
if [ "$(uname)" = Linux ] && [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  exec bash scripts/with-keyring.sh node --import tsx app/main/cli.ts demo "$@"
fi
exec node --import tsx app/main/cli.ts demo "$@"
