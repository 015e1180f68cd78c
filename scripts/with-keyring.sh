#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a freshly unlocked gnome-keyring, so the real
# Secret Service (not a stand-in) backs keytar. The keyring lives in a throw-away directory: tests never
# touch the user's own keyring. Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${BRIDGE_IN_KEYRING_SESSION:-}" = 1 ]; then exec "$@"; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "missing $tool: sudo apt-get install dbus gnome-keyring libsecret-1-dev" >&2; exit 1; }
done
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home" BRIDGE_IN_KEYRING_SESSION=1
# dbus-daemon started as root without CAP_SYS_RESOURCE (a container) reports that it cannot raise its fd limit:
# harmless for one private session bus, so that one line is kept off the screen; all other output passes.
# shellcheck disable=SC2016
dbus-run-session -- bash -c '
  echo -n "${KEYRING_PASSWORD:-pass}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' _ "$@" 2> >(grep --line-buffered -v 'Failed to set fd limit' >&2)
