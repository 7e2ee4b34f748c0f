#!/usr/bin/env bash
# The demo: builds the CLI and the page (WebAssembly + the shipped model), then serves the page on localhost
# and prints its address. PORT=N chooses the port (default 8080, or the next free one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh native
bash scripts/build-web.sh
exec node scripts/serve.mjs build/web
