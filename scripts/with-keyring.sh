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
# The session runs as a child in a process group of its own (the trap above removes the keyring afterwards):
# SIGTERM and SIGINT sent to this script, or to its whole group (npm does), are passed on to the command alone,
# which then ends, and dbus-run-session takes the session bus and keyring down with it.
set +e
setsid dbus-run-session -- bash -c '
  echo -n "${KEYRING_PASSWORD:-pass}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  echo $$ > "$XDG_DATA_HOME/command.pid"
  exec "$@"' _ "$@" 2> >(grep --line-buffered -v 'Failed to set fd limit' >&2) &
session=$!
# The command's own pid (written just before it starts): the only process a forwarded signal goes to.
forward() {
  local pid
  pid=$(cat "$keyring_home/command.pid" 2>/dev/null) && kill -"$1" "$pid" 2>/dev/null
}
trap 'forward TERM' TERM
trap 'forward INT' INT
while :; do
  wait "$session"
  status=$?
  kill -0 "$session" 2>/dev/null || break
done
exit "$status"
